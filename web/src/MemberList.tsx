// The room's members, operators first, with their @/+ prefix.
import type { ChatBuffer } from '../../src/clients/model.ts';
import type { WebClient } from './connection.ts';
import { useLanguage } from './language.ts';
import { Nick } from './Nick.tsx';
import { BotBadge } from './BotBadge.tsx';

export function MemberList({ client, buffer, onNick }: { client: WebClient; buffer: ChatBuffer; onNick: (nick: string) => void }) {
  const members = client.model.sortedMembers(buffer);
  const me = client.model.nick;
  const { t } = useLanguage();
  return (
    <aside class="members" aria-label={t('web.members.of', { room: buffer.name })}>
      <h3>
        {t('web.members.count', { count: members.length })}
      </h3>
      <ul>
        {members.map((m) => (
          <li key={m.nick} class={m.away ? 'away' : undefined} title={m.away ? t('web.members.away', { nick: m.nick }) : undefined}>
            <span class="prefix" aria-label={m.prefixes.startsWith('@') ? t('web.members.operator') : m.prefixes.startsWith('+') ? t('web.members.voiced') : undefined}>
              {m.prefixes.slice(0, 1)}
            </span>
            <Nick nick={m.nick} onClick={m.nick === me ? undefined : onNick} />
            {client.model.bots.has(m.nick) ? <BotBadge nick={m.nick} /> : null}
          </li>
        ))}
      </ul>
    </aside>
  );
}
