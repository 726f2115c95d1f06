// Rooms and private conversations, with unread and mention counts, and a room to join.
import type { WebClient } from './connection.ts';
import { JoinForm } from './JoinForm.tsx';
import { RoomList } from './RoomList.tsx';

export function Sidebar({ client, onSelect }: { client: WebClient; onSelect: (key: string) => void }) {
  const m = client.model;
  const current = m.current;
  const status = m.status === 'registered' ? `Connected as ${m.nick}` : m.status === 'disconnected' ? 'Reconnecting…' : `${m.status[0]!.toUpperCase()}${m.status.slice(1)}…`;
  return (
    <nav class="sidebar" aria-label="Rooms and conversations">
      <p class={`status status-${m.status}`} role="status">
        {status}
      </p>
      {client.account !== undefined && m.status === 'registered' && <p class="account">Logged in as {client.account}</p>}
      <ul class="buffers">
        {m.buffers.map((b) => {
          const label = b.kind === 'server' ? m.server.name : b.name;
          const counts = b.mentions > 0 ? `${b.mentions} mentions, ${b.unread} unread` : b.unread > 0 ? `${b.unread} unread` : '';
          return (
            <li key={b.key}>
              <button
                class={`buffer buffer-${b.kind}${b === current ? ' current' : ''}${b.kind === 'room' && !b.joined ? ' parted' : ''}`}
                aria-current={b === current ? 'page' : undefined}
                aria-label={counts ? `${label} (${counts})` : label}
                onClick={() => onSelect(b.key)}
              >
                <span class="buffer-name">{label}</span>
                {b.mentions > 0 ? <span class="badge mention">{b.mentions}</span> : b.unread > 0 ? <span class="badge">{b.unread}</span> : null}
              </button>
            </li>
          );
        })}
      </ul>
      <RoomList client={client} />
      <JoinForm onJoin={(room) => client.input(`/join ${room}`)} />
    </nav>
  );
}
