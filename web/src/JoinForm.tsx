// "Join a room" field under the room list.
import { useState } from 'preact/hooks';

export function JoinForm({ onJoin }: { onJoin: (room: string) => void }) {
  const [room, setRoom] = useState('');
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
        Join a room
      </label>
      <input id="join-room" placeholder="#room" value={room} onInput={(e) => setRoom(e.currentTarget.value)} />
      <button type="submit">Join</button>
    </form>
  );
}
