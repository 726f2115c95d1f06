// Nickname and optional password, remembered for next time. The password is the account's
// (SASL login) when the server offers SASL, else the server's (PASS).
import { useEffect, useState } from 'preact/hooks';
import { fetchClientSettings } from './client-settings.ts';
import { loadSaved, save } from './storage.ts';
import { LanguageSelect } from './LanguageSelect.tsx';
import { useLanguage } from './language.ts';
import { ThemeToggle } from './ThemeToggle.tsx';

interface Props {
  message: string;
  onConnect: (nick: string, password: string) => void;
}

// Letters, digits and the IRC specials; not starting with a digit or '-'. Letters of any
// script (张三, Zoë) when the server says it takes them (`casemapping: precis`) or has not said
// (another server answers 432 to a nick it refuses, which the form then shows).
const NICK_RE = /^[\p{L}[\]\\`_^{|}][\p{L}\p{M}0-9[\]\\`_^{|}-]*$/u;
const ASCII_NICK_RE = /^[A-Za-z[\]\\`_^{|}][A-Za-z0-9[\]\\`_^{|}-]*$/;

/** Whether the server takes letters of any script in nicks; undefined until (or unless) it says. */
function useUnicodeNicks(): boolean | undefined {
  const [unicodeNicks, setUnicodeNicks] = useState<boolean | undefined>(undefined);
  useEffect(() => {
    let live = true;
    void fetchClientSettings().then((s) => live && setUnicodeNicks(s.unicodeNicks));
    return () => {
      live = false;
    };
  }, []);
  return unicodeNicks;
}

export function ConnectForm({ message, onConnect }: Props) {
  const saved = loadSaved();
  const [nick, setNick] = useState(saved.nick);
  const [password, setPassword] = useState(saved.password);
  const [remember, setRemember] = useState(saved.password !== '');
  const asciiOnly = useUnicodeNicks() === false;
  const valid = (asciiOnly ? ASCII_NICK_RE : NICK_RE).test(nick);
  const { t } = useLanguage();

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
        <label for="nick">{t('web.connect.nickname')}</label>
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
        {nick !== '' && !valid && <p class="hint">{t(asciiOnly ? 'web.connect.nickHintAscii' : 'web.connect.nickHint')}</p>}
        <label for="password">{t('web.connect.password')}</label>
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
          {t('web.connect.passwordHint')}
        </p>
        <label class="check">
          <input type="checkbox" checked={remember} onChange={(e) => setRemember(e.currentTarget.checked)} /> {t('web.connect.remember')}
        </label>
        <button type="submit" disabled={!valid}>
          {t('web.connect.connect')}
        </button>
        <a href="#admin" class="admin-link">
          {t('web.connect.admin')}
        </a>
        <ThemeToggle />
        <LanguageSelect />
      </form>
    </main>
  );
}
