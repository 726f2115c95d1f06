// The connect screen until the user connects, then the chat; back to the form after /quit.
// The admin panel lives at /#admin.
import { useEffect, useState } from 'preact/hooks';
import { AdminPanel } from './admin/AdminPanel.tsx';
import { WebClient } from './connection.ts';
import { ConnectForm } from './ConnectForm.tsx';
import { ChatView } from './ChatView.tsx';
import { askNotificationPermission } from './notify.ts';
import { useClient } from './use-client.ts';

export function App() {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const onHash = () => setHash(location.hash);
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  return hash === '#admin' ? <AdminPanel /> : <Chat />;
}

function Chat() {
  const [client, setClient] = useState<WebClient | undefined>(undefined);
  const [message, setMessage] = useState('');
  if (!client) {
    return (
      <ConnectForm
        message={message}
        onConnect={(nick, password) => {
          askNotificationPermission();
          const c = new WebClient({ nick, password: password || undefined });
          c.start();
          setMessage('');
          setClient(c);
        }}
      />
    );
  }
  return <Connected client={client} onClosed={(why) => (setMessage(why), setClient(undefined))} />;
}

function Connected({ client, onClosed }: { client: WebClient; onClosed: (why: string) => void }) {
  useClient(client);
  const closed = client.model.status === 'closed';
  useEffect(() => {
    if (closed) onClosed(client.failure ?? 'Disconnected.');
  }, [closed]);
  return <ChatView client={client} />;
}
