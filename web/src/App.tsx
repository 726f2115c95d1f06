// The connect screen until the user connects, then the chat; back to the form after /quit.
// The admin panel lives at /#admin.
import { useEffect, useState } from 'preact/hooks';
import { AdminPanel } from './admin/AdminPanel.tsx';
import { fetchClientSettings } from './client-settings.ts';
import { WebClient } from './connection.ts';
import { ConnectForm } from './ConnectForm.tsx';
import { ChatView } from './ChatView.tsx';
import { LanguageContext, useLanguage, usePageLanguage, type PageLanguage } from './language.ts';
import { askNotificationPermission } from './notify.ts';
import { useClient } from './use-client.ts';

export function App() {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const onHash = () => setHash(location.hash);
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  const language = usePageLanguage();
  return <LanguageContext.Provider value={language}>{hash === '#admin' ? <AdminPanel /> : <Chat />}</LanguageContext.Provider>;
}

function Chat() {
  const [client, setClient] = useState<WebClient | undefined>(undefined);
  const [message, setMessage] = useState('');
  const language = useLanguage();
  if (!client) {
    return (
      <ConnectForm
        message={message}
        onConnect={(nick, password) => {
          askNotificationPermission();
          const c = new WebClient({ nick, password: password || undefined, settings: fetchClientSettings() });
          speak(c, language);
          c.start();
          setMessage('');
          setClient(c);
        }}
      />
    );
  }
  return <Connected client={client} onClosed={(why) => (setMessage(why), setClient(undefined))} />;
}

/** The client's own lines (notes, joins, parts…) from now on in the page's language. */
function speak(client: WebClient, language: PageLanguage): void {
  client.model.language = language.translator;
  client.model.dateLocale = language.dateLocale;
}

function Connected({ client, onClosed }: { client: WebClient; onClosed: (why: string) => void }) {
  useClient(client);
  const closed = client.model.status === 'closed';
  const language = useLanguage();
  useEffect(() => speak(client, language), [client, language]);
  useEffect(() => {
    if (closed) onClosed(client.failure ?? language.t('web.connect.disconnected'));
  }, [closed]);
  return <ChatView client={client} />;
}
