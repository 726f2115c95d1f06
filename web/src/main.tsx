import { render } from 'preact';
import { App } from './App.tsx';
// In cascade order: later sheets may refine earlier ones.
import './theme.css';
import './forms.css';
import './layout.css';
import './messages.css';
import './admin.css';
import { startLanguage } from './language.ts';
import { startTheme } from './theme.ts';

startTheme();
startLanguage();

render(<App />, document.getElementById('app')!);
