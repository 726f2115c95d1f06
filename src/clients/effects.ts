// What a typed line does, for the client core (irc-session.ts), which both the terminal and
// the browser client use: it gives the small host below; nothing here touches Node or the DOM.
import { foldCase } from '../protocol/casemapping.ts';
import type { Effect } from './commands.ts';
import type { InboundState } from './inbound.ts';
import type { ChatModel } from './model.ts';
import { deleteOwn } from './redaction.ts';
import { ACTION_BYTES, messageTextBytes, splitMessage } from './split-message.ts';
import { canSendMultiline, inputLines, multilineBatch } from './multiline.ts';
import { MULTILINE_CAP } from '../protocol/multiline.ts';

const SASL_CHUNK = 400;

export interface EffectHost {
  readonly model: ChatModel;
  readonly inbound: InboundState;
  /** Effects typed before the welcome, carried out after it. */
  readonly pending: Effect[];
  readonly registered: boolean;
  hasCap(name: string): boolean;
  /** A capability's value as the server offered it (`draft/multiline` → `max-bytes=4096,…`). */
  capValue?(name: string): string | undefined;
  send(line: string): void;
  quit(reason: string): void;
  /** A room left for good, not to be rejoined after a reconnect. */
  forgetRoom(name: string): void;
  /** A room key given with /join, for rejoining. */
  rememberKey?(room: string, key: string): void;
}

export function applyEffect(host: EffectHost, e: Effect): void {
  const m = host.model;
  switch (e.type) {
    case 'note':
      m.note(e.text, e.kind);
      return;
    case 'window':
      if (!m.selectNumber(e.n)) m.note(m.t('client.noBufferNumber', { n: e.n }), 'error');
      return;
    case 'query':
      m.select(m.ensure(e.nick).key);
      return;
    case 'close': {
      const buffer = m.find(e.name);
      if (!buffer || buffer.kind === 'server') {
        m.note(m.t('client.noBufferNamed', { name: e.name }), 'error');
        return;
      }
      if (buffer.kind === 'room' && buffer.joined) host.send(`PART ${buffer.name}`);
      host.forgetRoom(buffer.name);
      m.remove(buffer.name);
      return;
    }
    case 'quit':
      host.quit(e.reason);
      return;
  }
  if (!host.registered) {
    if (m.status !== 'closed' && m.status !== 'quitting') {
      if (host.pending.length === 0) m.note(m.t('client.notConnectedYet'));
      host.pending.push(e);
    }
    return;
  }
  switch (e.type) {
    case 'send':
      host.send(e.line);
      return;
    case 'join':
      e.rooms.forEach((room, i) => {
        const key = e.keys[i];
        if (key) host.rememberKey?.(room, key);
      });
      host.send(`JOIN ${e.rooms.join(',')}${e.keys.length ? ` ${e.keys.join(',')}` : ''}`);
      return;
    case 'names':
      // Each room's 366 is then shown where the user asked, not taken for a member-list refresh.
      for (const room of e.room.split(',')) if (room !== '') host.inbound.namesRequested.set(foldCase(room), e.shownIn ?? m.current.key);
      host.send(`NAMES ${e.room}`);
      return;
    case 'say':
      say(host, e.target, e.text, e.style);
      return;
    case 'delete':
      deleteOwn(host, e.target, e.back, e.reason);
      return;
  }
}

/** PRIVMSG/NOTICE, cut to fit a line, shown locally unless the server echoes it (echo-message). */
export function say(host: EffectHost, target: string, text: string, style: 'message' | 'action' | 'notice' = 'message'): void {
  if (text.includes('\n') || text.includes('\r')) return sayLines(host, target, text, style);
  const command = style === 'notice' ? 'NOTICE' : 'PRIVMSG';
  // Pieces that fit a line once the server puts our `:nick!user@host ` in front.
  const maxBytes = messageTextBytes(command, target, host.model.nick, host.inbound.ownUserHost) - (style === 'action' ? ACTION_BYTES : 0);
  // With echo-message the server's echo shows the message (and opens the query): an error
  // such as 401 then shows where the user typed, not in a new, empty query.
  // A message to oneself comes back from the server anyway, as its delivery.
  const echo = !host.hasCap('echo-message') && !target.startsWith('$') && foldCase(target) !== foldCase(host.model.nick);
  for (const piece of splitMessage(text, maxBytes)) {
    host.send(style === 'action' ? `${command} ${target} :\x01ACTION ${piece}\x01` : `${command} ${target} :${piece}`);
    if (echo) host.model.add(host.model.ensure(target), { kind: style, from: host.model.nick, text: piece, self: true });
  }
}

/**
 * Several lines (a paste): one message in a multiline batch when the server takes it within its
 * limits (IRCv3 draft/multiline), else each line a message of its own, blank ones left out.
 */
function sayLines(host: EffectHost, target: string, text: string, style: 'message' | 'action' | 'notice'): void {
  const lines = inputLines(text);
  const command = style === 'notice' ? 'NOTICE' : 'PRIVMSG';
  const maxBytes = messageTextBytes(command, target, host.model.nick, host.inbound.ownUserHost);
  const ref = `ml${Math.random().toString(36).slice(2, 10)}`;
  const batch = style !== 'action' && canSendMultiline((name) => host.hasCap(name)) ? multilineBatch(command, target, lines, host.capValue?.(MULTILINE_CAP), maxBytes, ref) : undefined;
  if (batch === undefined) {
    for (const line of lines) if (line.trim() !== '') say(host, target, line, style);
    return;
  }
  for (const line of batch) host.send(line);
  // Shown as one message; with echo-message the server's echo shows it.
  if (!host.hasCap('echo-message') && foldCase(target) !== foldCase(host.model.nick)) {
    host.model.add(host.model.ensure(target), { kind: style, from: host.model.nick, text: lines.join('\n'), self: true });
  }
}

/** SASL PLAIN: `AUTHENTICATE` lines carrying `\0account\0password` in base64, 400 bytes each. */
export function saslPlainLines(account: string, password: string): string[] {
  let binary = '';
  for (const b of new TextEncoder().encode(`\0${account}\0${password}`)) binary += String.fromCharCode(b);
  const encoded = btoa(binary);
  const lines: string[] = [];
  for (let i = 0; i < encoded.length; i += SASL_CHUNK) lines.push(`AUTHENTICATE ${encoded.slice(i, i + SASL_CHUNK)}`);
  if (encoded.length % SASL_CHUNK === 0) lines.push('AUTHENTICATE +');
  return lines;
}
