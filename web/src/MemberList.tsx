// The room's members, operators first, with their @/+ prefix.
import type { ChatBuffer } from '../../src/clients/model.ts';
import type { WebClient } from './connection.ts';
import { Nick } from './Nick.tsx';

export function MemberList({ client, buffer, onNick }: { client: WebClient; buffer: ChatBuffer; onNick: (nick: string) => void }) {
  const members = client.model.sortedMembers(buffer);
  const me = client.model.nick;
  return (
    <aside class="members" aria-label={`Members of ${buffer.name}`}>
      <h3>
        {members.length} {members.length === 1 ? 'member' : 'members'}
      </h3>
      <ul>
        {members.map((m) => (
          <li key={m.nick} class={m.away ? 'away' : undefined}>
            <span class="prefix" aria-label={m.prefixes.startsWith('@') ? 'operator' : m.prefixes.startsWith('+') ? 'voiced' : undefined}>
              {m.prefixes.slice(0, 1)}
            </span>
            <Nick nick={m.nick} onClick={m.nick === me ? undefined : onNick} />
          </li>
        ))}
      </ul>
    </aside>
  );
}
