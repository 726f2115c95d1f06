// Rooms and private conversations, with unread and mention counts, and a room to join.
import type { ChatBuffer } from '../../src/clients/model.ts';
import type { WebClient } from './connection.ts';
import { JoinForm } from './JoinForm.tsx';
import { RoomList } from './RoomList.tsx';
import { LanguageSelect } from './LanguageSelect.tsx';
import { useLanguage } from './language.ts';
import { ThemeToggle } from './ThemeToggle.tsx';

export function Sidebar({ client, onSelect }: { client: WebClient; onSelect: (key: string) => void }) {
  const m = client.model;
  const current = m.current;
  const { t } = useLanguage();
  const status = t(`web.status.${m.status}`, { nick: m.nick });
  return (
    <nav class="sidebar" aria-label={t('web.buffers')}>
      <p class={`status status-${m.status}`} role="status">
        {status}
      </p>
      {client.account !== undefined && m.status === 'registered' && <p class="account">{t('web.loggedInAs', { account: client.account })}</p>}
      <ul class="buffers">
        {m.buffers.map((b) => {
          const label = b.kind === 'server' ? m.server.name : b.name;
          const counts = b.mentions > 0 ? t('web.mentionsUnread', { count: b.mentions, unread: b.unread }) : b.unread > 0 ? t('web.unread', { count: b.unread }) : '';
          return (
            <li key={b.key}>
              <button
                class={`buffer buffer-${b.kind}${b === current ? ' current' : ''}${b.kind === 'room' && !b.joined ? ' parted' : ''}`}
                aria-current={b === current ? 'page' : undefined}
                aria-label={counts ? t('web.bufferWithCounts', { name: label, counts }) : label}
                onClick={() => onSelect(b.key)}
              >
                <span class="buffer-name">{label}</span>
                <UnreadBadge buffer={b} />
              </button>
            </li>
          );
        })}
      </ul>
      <RoomList client={client} />
      <JoinForm onJoin={(room) => client.input(`/join ${room}`)} />
      <ThemeToggle />
      <LanguageSelect />
    </nav>
  );
}

/** The unread count, as the page title counts (highlighted when it includes a mention); read aloud from the button's label. */
export function UnreadBadge({ buffer }: { buffer: Pick<ChatBuffer, 'unread' | 'mentions'> }) {
  const count = Math.max(buffer.unread, buffer.mentions);
  if (count === 0) return null;
  return (
    <span class={buffer.mentions > 0 ? 'badge mention' : 'badge'} aria-hidden="true">
      {count}
    </span>
  );
}
