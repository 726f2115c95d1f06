// "Browse rooms": the server's rooms (LIST) with member counts and topics; one click joins.
import { useState } from 'preact/hooks';
import type { WebClient } from './connection.ts';
import { useLanguage } from './language.ts';

export function RoomList({ client }: { client: WebClient }) {
  const [open, setOpen] = useState(false);
  const rooms = client.roomList;
  const { t } = useLanguage();
  return (
    <section class="room-list" aria-label={t('web.rooms.all')}>
      <button
        type="button"
        aria-expanded={open}
        onClick={() => {
          if (!open) client.requestRoomList();
          setOpen(!open);
        }}
      >
        {open ? t('web.rooms.hide') : t('web.rooms.browse')}
      </button>
      {open && rooms !== undefined && (
        <ul>
          {rooms.length === 0 && <li class="quiet">{t('web.rooms.none')}</li>}
          {rooms.map((r) => (
            <li key={r.name}>
              <button type="button" class="room-entry" onClick={() => client.input(`/join ${r.name}`)} title={r.topic || undefined}>
                <span class="room-name">{r.name}</span> <span class="room-users">{r.users}</span>
                {r.topic && <span class="room-topic">{r.topic}</span>}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
