// "Join a room" field under the room list.
import { useState } from 'preact/hooks';
import { useLanguage } from './language.ts';

export function JoinForm({ onJoin }: { onJoin: (room: string) => void }) {
  const [room, setRoom] = useState('');
  const { t } = useLanguage();
  return (
    <form
      class="join-form"
      onSubmit={(e) => {
        e.preventDefault();
        const name = room.trim();
        if (name === '' || /[\s,]/.test(name)) return;
        onJoin(name);
        setRoom('');
      }}
    >
      <label for="join-room" class="visually-hidden">
        {t('web.rooms.join')}
      </label>
      <input id="join-room" placeholder={t('web.rooms.placeholder')} value={room} onInput={(e) => setRoom(e.currentTarget.value)} />
      <button type="submit">{t('web.rooms.joinButton')}</button>
    </form>
  );
}
