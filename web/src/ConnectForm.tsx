// Nickname and optional password, remembered for next time. The password is the account's
// (SASL login) when the server offers SASL, else the server's (PASS).
import { useState } from 'preact/hooks';
import { loadSaved, save } from './storage.ts';

interface Props {
  message: string;
  onConnect: (nick: string, password: string) => void;
}

// Letters, digits and the IRC specials; not starting with a digit or '-'.
const NICK_RE = /^[A-Za-z[\]\\`_^{|}][A-Za-z0-9[\]\\`_^{|}-]*$/;

export function ConnectForm({ message, onConnect }: Props) {
  const saved = loadSaved();
  const [nick, setNick] = useState(saved.nick);
  const [password, setPassword] = useState(saved.password);
  const [remember, setRemember] = useState(saved.password !== '');
  const valid = NICK_RE.test(nick);

  const submit = (e: Event) => {
    e.preventDefault();
    if (!valid) return;
    save({ nick, password: remember ? password : '' });
    onConnect(nick, password);
  };

  return (
    <main class="connect">
      <form class="connect-form" onSubmit={submit}>
        <h1>Parlor</h1>
        {message && (
          <p class="connect-message" role="alert">
            {message}
          </p>
        )}
        <label for="nick">Nickname</label>
        <input
          id="nick"
          name="nick"
          autocomplete="nickname"
          autofocus
          required
          maxLength={30}
          value={nick}
          aria-invalid={nick !== '' && !valid}
          onInput={(e) => setNick(e.currentTarget.value.trim())}
        />
        {nick !== '' && !valid && <p class="hint">Letters, digits and _-[]{}\`^| only; not starting with a digit or “-”.</p>}
        <label for="password">Password (account or server)</label>
        <input
          id="password"
          name="password"
          type="password"
          autocomplete="current-password"
          aria-describedby="password-hint"
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
        <p class="hint" id="password-hint">
          Optional. Logs you in to the account named like your nickname, or unlocks a private server.
        </p>
        <label class="check">
          <input type="checkbox" checked={remember} onChange={(e) => setRemember(e.currentTarget.checked)} /> Remember the password on this device
        </label>
        <button type="submit" disabled={!valid}>
          Connect
        </button>
        <a href="#admin" class="admin-link">
          Admin
        </a>
      </form>
    </main>
  );
}
