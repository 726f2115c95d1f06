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

export function ChatView({ client }: { client: WebClient }) {
  const [panel, setPanel] = useState<'none' | 'rooms' | 'members'>('none');
  const buffer = client.model.current;
  const close = () => setPanel('none');
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
        <TopicBar client={client} buffer={buffer} onToggle={(p) => setPanel(panel === p ? 'none' : p)} />
        <MessageList client={client} buffer={buffer} onNick={openQuery} />
        <TypingLine client={client} buffer={buffer} />
        <InputLine client={client} buffer={buffer} />
      </main>
      {buffer.kind === 'room' && <MemberList client={client} buffer={buffer} onNick={openQuery} />}
      {panel !== 'none' && <div class="scrim" onClick={close} aria-hidden="true" />}
    </div>
  );
}
