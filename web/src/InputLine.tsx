// The line the user types in: text or /commands (the shared command table), Tab completes
// nicks of the room, Up/Down go through what was sent before. Typing is announced (IRCv3
// typing); a paste of more than a few lines asks first, then sends each line on its own, or
// (IRCv3 multiline, when the server takes it) the whole block as one message.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ChatBuffer } from '../../src/clients/model.ts';
import type { WebClient } from './connection.ts';
import { useLanguage } from './language.ts';
import { completeNick } from './text.ts';

interface Completion {
  /** Where the completed word starts, the text typed there, and the nick last offered. */
  start: number;
  prefix: string;
  nick: string;
}

const SENT_KEPT = 50;
/** Pastes of more lines than this ask before sending. */
const PASTE_ASK_LINES = 3;

export function InputLine({ client, buffer }: { client: WebClient; buffer: ChatBuffer }) {
  const input = useRef<HTMLInputElement>(null);
  const [text, setText] = useState('');
  const completion = useRef<Completion | undefined>(undefined);
  const sent = useRef<string[]>([]);
  const recall = useRef(-1);
  /** A pasted block waiting for an answer: as pasted, its non-blank lines, and whether it can go as one message. */
  const [pasted, setPasted] = useState<{ whole: string; lines: string[]; asOne: boolean } | undefined>(undefined);
  const { t } = useLanguage();

  const edit = (next: string) => {
    setText(next);
    client.typing(buffer, next);
  };

  // A message the server refused (a mute…) comes back to be kept, unless something new is typed.
  useEffect(() => {
    const back = client.takeRefused(buffer);
    if (back !== undefined && text === '') setText(back);
  });
  // Typing goes on in the conversation just picked.
  useEffect(() => input.current?.focus(), [buffer.key]);
  // A paste waiting for an answer belongs to the conversation it was made in.
  useEffect(() => setPasted(undefined), [buffer.key]);

  const submit = (e: Event) => {
    e.preventDefault();
    if (text.trim() === '') return;
    client.inputFrom(buffer, text);
    sent.current = [text, ...sent.current.filter((s) => s !== text)].slice(0, SENT_KEPT);
    recall.current = -1;
    edit('');
  };

  const onPaste = (e: ClipboardEvent) => {
    const data = e.clipboardData?.getData('text/plain') ?? '';
    const el = e.currentTarget as HTMLInputElement;
    const whole = text.slice(0, el.selectionStart ?? text.length) + data + text.slice(el.selectionEnd ?? text.length);
    const lines = whole.split(/\r\n|\r|\n/).filter((l) => l.trim() !== '');
    const asOne = lines.length > 1 && client.canSayAsOne(whole);
    if (lines.length <= PASTE_ASK_LINES && !asOne) return; // the input joins a few lines itself
    e.preventDefault();
    setPasted({ whole, lines, asOne });
  };

  const sendPasted = (asOne: boolean) => {
    if (!pasted) return;
    if (asOne) client.sayAsOne(pasted.whole);
    else client.sayLines(pasted.lines);
    setPasted(undefined);
    edit('');
    input.current?.focus();
  };

  const complete = (el: HTMLInputElement) => {
    const caret = el.selectionStart ?? text.length;
    let c = completion.current;
    if (!c) {
      const start = text.slice(0, caret).search(/\S+$/);
      if (start === -1) return;
      c = { start, prefix: text.slice(start, caret), nick: '' };
    }
    const nicks = [...buffer.members.values()].map((m) => m.nick).filter((n) => n !== client.model.nick);
    if (buffer.kind === 'query') nicks.push(buffer.name);
    const nick = completeNick(nicks, c.prefix, c.nick || undefined);
    if (nick === undefined) return;
    const end = c.start + (c.nick ? c.nick.length + (c.start === 0 ? 2 : 0) : c.prefix.length);
    const word = c.start === 0 ? `${nick}: ` : nick;
    const next = text.slice(0, c.start) + word + text.slice(end);
    completion.current = { ...c, nick };
    edit(next);
    const at = c.start + word.length;
    requestAnimationFrame(() => el.setSelectionRange(at, at));
  };

  const onKeyDown = (e: KeyboardEvent) => {
    const el = e.currentTarget as HTMLInputElement;
    if (e.key === 'Tab' && !e.shiftKey && !e.ctrlKey && !e.altKey && text !== '') {
      e.preventDefault();
      complete(el);
      return;
    }
    completion.current = undefined;
    // Alt+↑/↓ (shortcuts.ts) switch conversations: they do not recall what was sent.
    if ((e.key === 'ArrowUp' || e.key === 'ArrowDown') && !e.shiftKey && !e.altKey && !e.ctrlKey && !e.metaKey) {
      const next = recall.current + (e.key === 'ArrowUp' ? 1 : -1);
      if (next < -1 || next >= sent.current.length) return;
      e.preventDefault();
      recall.current = next;
      edit(next === -1 ? '' : sent.current[next]!);
    }
  };

  const placeholder = buffer.kind === 'server' ? t('web.input.serverPlaceholder') : t('web.input.placeholder', { name: buffer.name });
  return (
    <>
      {pasted && (
        <div class="paste-guard" role="alertdialog" aria-label={t('web.input.pasteTitle')}>
          <span>{t('web.input.pasteQuestion', { count: pasted.lines.length })}</span>
          {pasted.asOne && (
            <button type="button" onClick={() => sendPasted(true)} autofocus>
              {t('web.input.sendAsOne')}
            </button>
          )}
          <button type="button" onClick={() => sendPasted(false)} autofocus={!pasted.asOne}>
            {t('web.input.sendAsLines', { count: pasted.lines.length })}
          </button>
          <button
            type="button"
            onClick={() => {
              setPasted(undefined);
              input.current?.focus();
            }}
          >
            {t('web.input.cancel')}
          </button>
        </div>
      )}
      <form class="input-line" onSubmit={submit}>
        <label for="message-input" class="visually-hidden">
          {placeholder}
        </label>
        <input
          id="message-input"
          ref={input}
          autocomplete="off"
          enterKeyHint="send"
          spellcheck
          placeholder={placeholder}
          value={text}
          onInput={(e) => edit(e.currentTarget.value)}
          onKeyDown={onKeyDown}
          onPaste={onPaste}
        />
        <button type="submit">{t('web.input.send')}</button>
      </form>
    </>
  );
}
