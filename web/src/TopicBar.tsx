// The conversation's name and topic, with the drawer buttons used at phone width.
import type { ChatBuffer } from '../../src/clients/model.ts';
import type { WebClient } from './connection.ts';
import { RichText } from './RichText.tsx';

interface Props {
  client: WebClient;
  buffer: ChatBuffer;
  onToggle: (panel: 'rooms' | 'members') => void;
}

export function TopicBar({ client, buffer, onToggle }: Props) {
  const title = buffer.kind === 'server' ? client.model.server.name : buffer.name;
  return (
    <header class="topic-bar">
      <button class="drawer-button rooms-button" aria-label="Show rooms" onClick={() => onToggle('rooms')}>
        ☰
      </button>
      <h2 class="title">{title}</h2>
      <p class="topic" title={buffer.topic}>
        {buffer.kind === 'room' && !buffer.joined ? <em>not in this room</em> : <RichText text={buffer.topic} />}
      </p>
      {buffer.kind === 'room' && (
        <button class="drawer-button members-button" aria-label={`Show members (${buffer.members.size})`} onClick={() => onToggle('members')}>
          👥 {buffer.members.size}
        </button>
      )}
    </header>
  );
}
