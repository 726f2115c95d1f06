import { render } from 'preact';
import { App } from './App.tsx';
import './style.css';
import { startLanguage } from './language.ts';
import { startTheme } from './theme.ts';

startTheme();
startLanguage();

render(<App />, document.getElementById('app')!);
