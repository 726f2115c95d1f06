// The chat layout: rooms on the left, the current conversation, its members on the right.
// At phone width the side panels become drawers opened from the topic bar.
import { useState } from 'preact/hooks';
import type { WebClient } from './connection.ts';
import { Sidebar } from './Sidebar.tsx';
import { TopicBar } from './TopicBar.tsx';
import { MessageList } from './MessageList.tsx';
import { MemberList } from './MemberList.tsx';
import { InputLine } from './InputLine.tsx';
import { TypingLine } from './TypingLine.tsx';
import { ServerDetails } from './ServerDetails.tsx';
import { ConnectionBanner } from './ConnectionBanner.tsx';
import { usePageTitle } from './page-title.ts';
import { useReadingWhileVisible } from './read-marker.ts';
import { useShortcuts } from './shortcuts.ts';

export function ChatView({ client }: { client: WebClient }) {
  const [panel, setPanel] = useState<'none' | 'rooms' | 'members'>('none');
  const buffer = client.model.current;
  // The server view folds the welcome burst away; the rest of its lines show as usual.
  const burst = buffer.kind === 'server' ? buffer.lines.filter((l) => l.welcomeBurst) : [];
  const listed = burst.length > 0 ? { ...buffer, lines: buffer.lines.filter((l) => !l.welcomeBurst) } : buffer;
  const close = () => setPanel('none');
  usePageTitle(client);
  useReadingWhileVisible(client);
  useShortcuts(client, panel !== 'none', close);
  const openQuery = (nick: string) => {
    client.openQuery(nick);
    close();
  };
  return (
    <div class={`chat panel-${panel}`}>
      <Sidebar
        client={client}
        onSelect={(key) => {
          client.select(key);
          close();
        }}
      />
      <main class="conversation" aria-label={buffer.name}>
        <ConnectionBanner client={client} />
        <TopicBar client={client} buffer={buffer} onToggle={(p) => setPanel(panel === p ? 'none' : p)} />
        <ServerDetails lines={burst} onNick={openQuery} />
        <MessageList client={client} buffer={listed} onNick={openQuery} />
        <TypingLine client={client} buffer={buffer} />
        <InputLine client={client} buffer={buffer} />
      </main>
      {buffer.kind === 'room' && <MemberList client={client} buffer={buffer} onNick={openQuery} />}
      {panel !== 'none' && <div class="scrim" onClick={close} aria-hidden="true" />}
    </div>
  );
}
