// The line the user types in: text or /commands (the shared command table), Tab completes
// nicks of the room, Up/Down go through what was sent before.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ChatBuffer } from '../../src/clients/model.ts';
import type { WebClient } from './connection.ts';
import { completeNick } from './text.ts';

interface Completion {
  /** Where the completed word starts, the text typed there, and the nick last offered. */
  start: number;
  prefix: string;
  nick: string;
}

const SENT_KEPT = 50;

export function InputLine({ client, buffer }: { client: WebClient; buffer: ChatBuffer }) {
  const input = useRef<HTMLInputElement>(null);
  const [text, setText] = useState('');
  const completion = useRef<Completion | undefined>(undefined);
  const sent = useRef<string[]>([]);
  const recall = useRef(-1);

  // Typing goes on in the conversation just picked.
  useEffect(() => input.current?.focus(), [buffer.key]);

  const submit = (e: Event) => {
    e.preventDefault();
    if (text.trim() === '') return;
    client.input(text);
    sent.current = [text, ...sent.current.filter((s) => s !== text)].slice(0, SENT_KEPT);
    recall.current = -1;
    setText('');
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
    setText(next);
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
    if ((e.key === 'ArrowUp' || e.key === 'ArrowDown') && !e.shiftKey) {
      const next = recall.current + (e.key === 'ArrowUp' ? 1 : -1);
      if (next < -1 || next >= sent.current.length) return;
      e.preventDefault();
      recall.current = next;
      setText(next === -1 ? '' : sent.current[next]!);
    }
  };

  const placeholder = buffer.kind === 'server' ? '/join #room, /msg nick text, /help' : `Message ${buffer.name}`;
  return (
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
        onInput={(e) => setText(e.currentTarget.value)}
        onKeyDown={onKeyDown}
      />
      <button type="submit">Send</button>
    </form>
  );
}
