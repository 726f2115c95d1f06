// The conversation's name and topic, with the drawer buttons used at phone width.
import type { ChatBuffer } from '../../src/clients/model.ts';
import type { WebClient } from './connection.ts';
import { useLanguage } from './language.ts';
import { RichText } from './RichText.tsx';
import { UnreadBadge } from './Sidebar.tsx';

interface Props {
  client: WebClient;
  buffer: ChatBuffer;
  onToggle: (panel: 'rooms' | 'members') => void;
}

export function TopicBar({ client, buffer, onToggle }: Props) {
  const title = buffer.kind === 'server' ? client.model.server.name : buffer.name;
  const { t } = useLanguage();
  // What is waiting in the other conversations, on the button that opens their list (a phone's only sign of it).
  const others = client.model.buffers.filter((b) => b !== buffer);
  const elsewhere = { unread: others.reduce((n, b) => n + b.unread, 0), mentions: others.reduce((n, b) => n + b.mentions, 0) };
  const elsewhereCounts =
    elsewhere.mentions > 0 ? t('web.mentionsUnread', { count: elsewhere.mentions, unread: elsewhere.unread }) : elsewhere.unread > 0 ? t('web.unread', { count: elsewhere.unread }) : '';
  return (
    <header class="topic-bar">
      <button class="drawer-button rooms-button" aria-label={elsewhereCounts ? t('web.bufferWithCounts', { name: t('web.topic.showRooms'), counts: elsewhereCounts }) : t('web.topic.showRooms')} onClick={() => onToggle('rooms')}>
        ☰
        <UnreadBadge buffer={elsewhere} />
      </button>
      <h2 class="title">{title}</h2>
      <p class="topic" title={buffer.topic}>
        {buffer.kind === 'room' && !buffer.joined ? (
          <em>{t('web.topic.notInRoom')}</em>
        ) : buffer.kind === 'query' && buffer.presence !== undefined ? (
          // Whether the person is online or away (MONITOR, extended-monitor): query-presence.ts.
          <span class={`presence presence-${buffer.presence}`}>{t(`client.presence.${buffer.presence}`)}</span>
        ) : (
          <RichText text={buffer.topic} />
        )}
      </p>
      {buffer.kind === 'room' && (
        <button type="button" class="drawer-button members-button" onClick={() => onToggle('members')}>
          {/* The name comes from the hidden text: an aria-label would not contain the visible "👥 9". */}
          <span aria-hidden="true">👥 {buffer.members.size}</span>
          <span class="visually-hidden">{t('web.topic.showMembers', { count: buffer.members.size })}</span>
        </button>
      )}
    </header>
  );
}
