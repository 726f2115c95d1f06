// IRC message model, parser and serializer (Modern IRC "Message format" + IRCv3 message-tags).
// Pure: no I/O. Lines given to parseLine have their CR LF already removed. The serializer
// refuses (UnsafeLineError) any part that holds CR, LF or NUL: it could not be one line.
import { assertLineSafe, toWireText, utf8ByteLength } from './wire-text.ts';

export type Tags = Record<string, string>;

/** No tags: one shared, frozen object rather than a new `{}` for every message without any. */
export const NO_TAGS: Tags = Object.freeze({});

/** Whether `tags` holds any tag (without making an array of its keys). */
export function hasTags(tags: Tags): boolean {
  for (const _ in tags) return true;
  return false;
}

export interface IrcMessage {
  tags: Tags;
  /** Source (prefix) without the leading ':' — absent on most client messages. */
  source?: string | undefined;
  /** Upper-cased command, or a three-digit numeric. */
  command: string;
  params: string[];
}

export type ProtocolErrorCode = 'EMPTY_LINE' | 'NO_COMMAND' | 'INVALID_COMMAND' | 'INVALID_TAGS';

/** A line that cannot be read as an IRC message. Stable `code` for tests and logs. */
export class ProtocolError extends Error {
  constructor(
    readonly code: ProtocolErrorCode,
    message: string,
    /** INVALID_COMMAND: the word that stood where the command goes, as sent. */
    readonly command?: string,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}

const TAG_UNESCAPES: Record<string, string> = { ':': ';', s: ' ', '\\': '\\', r: '\r', n: '\n' };

export function unescapeTagValue(value: string): string {
  if (!value.includes('\\')) return value;
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = value[++i];
    if (next === undefined) break; // a trailing lone backslash is dropped
    out += TAG_UNESCAPES[next] ?? next;
  }
  return out;
}

export function escapeTagValue(value: string): string {
  // Fast path: most values need no escaping.
  if (!/[;\s\\]/.test(value)) return value;
  return value.replace(/[;\s\\]/g, (ch) => {
    switch (ch) {
      case ';':
        return '\\:';
      case ' ':
        return '\\s';
      case '\\':
        return '\\\\';
      case '\r':
        return '\\r';
      case '\n':
        return '\\n';
      default:
        return ch; // other whitespace (tab, …) is legal in a value
    }
  });
}

// A command is any word (as in ergo and InspIRCd: an unknown one then gets 421 like any
// other), except a word of digits that is not a three-digit numeric, and one starting with
// ':' (a second source, or a trailing parameter with nothing before it).
const DIGITS_RE = /^[0-9]+$/;
const ASCII_LETTERS_RE = /^[A-Za-z]+$/;
const ASCII_LOWER_RE = /[a-z]/g;
const TAG_KEY_RE = /^\+?(?:[A-Za-z0-9.-]+\/)?[A-Za-z0-9-]+$/;

export function parseTags(raw: string): Tags {
  const tags: Tags = {};
  if (raw === '') return tags;
  for (const part of raw.split(';')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = eq === -1 ? part : part.slice(0, eq);
    if (!TAG_KEY_RE.test(key)) throw new ProtocolError('INVALID_TAGS', `Invalid tag key: ${key.slice(0, 64)}`);
    // When a key repeats, the last one wins (IRCv3 message-tags).
    tags[key] = eq === -1 ? '' : unescapeTagValue(part.slice(eq + 1));
  }
  return tags;
}

/** Parse one line (without CR LF). Throws ProtocolError on a line that is not a message. */
export function parseLine(line: string): IrcMessage {
  let pos = 0;
  const len = line.length;
  // Most client lines carry no tags: they share one empty, frozen object.
  let tags: Tags = NO_TAGS;
  let source: string | undefined;

  while (pos < len && line.charCodeAt(pos) === 0x20) pos++;
  if (pos >= len) throw new ProtocolError('EMPTY_LINE', 'Empty line');

  if (line.charCodeAt(pos) === 0x40 /* @ */) {
    let end = line.indexOf(' ', pos);
    if (end === -1) end = len;
    tags = parseTags(line.slice(pos + 1, end));
    pos = end;
    while (pos < len && line.charCodeAt(pos) === 0x20) pos++;
  }

  if (pos < len && line.charCodeAt(pos) === 0x3a /* : */) {
    let end = line.indexOf(' ', pos);
    if (end === -1) end = len;
    source = line.slice(pos + 1, end);
    pos = end;
    while (pos < len && line.charCodeAt(pos) === 0x20) pos++;
  }

  if (pos >= len) throw new ProtocolError('NO_COMMAND', 'Message has no command');
  let end = line.indexOf(' ', pos);
  if (end === -1) end = len;
  const command = line.slice(pos, end);
  const first = command.charCodeAt(0);
  // A word starting with ':' or '@' would be read back as a source or tags once serialized.
  if (first === 0x3a || first === 0x40 || (command.length !== 3 && first >= 0x30 && first <= 0x39 && DIGITS_RE.test(command))) {
    throw new ProtocolError('INVALID_COMMAND', `Invalid command: ${command.slice(0, 32)}`, command);
  }
  pos = end;

  const params: string[] = [];
  while (pos < len) {
    while (pos < len && line.charCodeAt(pos) === 0x20) pos++;
    if (pos >= len) break;
    if (line.charCodeAt(pos) === 0x3a) {
      params.push(line.slice(pos + 1));
      break;
    }
    let next = line.indexOf(' ', pos);
    if (next === -1) next = len;
    params.push(line.slice(pos, next));
    pos = next;
  }

  return { tags, source, command: upperCaseCommand(command), params };
}

/**
 * ASCII letters only are upper-cased: Unicode case mapping would turn `pıng` (dotless ı) into
 * PING, a command smuggled past anything that looked at the word as sent.
 */
function upperCaseCommand(command: string): string {
  if (isUpperCaseWord(command)) return command; // as clients send most commands
  if (ASCII_LETTERS_RE.test(command)) return command.toUpperCase();
  return command.replace(ASCII_LOWER_RE, (ch) => ch.toUpperCase());
}

/** Only the letters A–Z (and not empty). */
function isUpperCaseWord(word: string): boolean {
  if (word.length === 0) return false;
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (c < 0x41 || c > 0x5a) return false;
  }
  return true;
}

/** Longest command echoed back in a reply (421): a client's word can be as long as its line. */
const SHOWN_COMMAND_CHARS = 32;

/**
 * A client's command as a reply may show it: cut to a few characters (whole code points, no
 * half of a surrogate pair) and holding no CR, LF or NUL.
 */
export function shownCommand(command: string): string {
  const cut = command.length <= SHOWN_COMMAND_CHARS ? command : Array.from(command).slice(0, SHOWN_COMMAND_CHARS).join('');
  return toWireText(cut);
}

/** The IRCv3 labeled-response limit on a label's value. */
export const MAX_LABEL_BYTES = 64;

/**
 * The `label` tag of a line that could not be parsed, read leniently from its tag section
 * alone (whatever follows may be broken). Undefined when there is none or it is not usable.
 */
export function findLabel(line: string): string | undefined {
  const label = lastLabelValue(line);
  return label !== undefined && isUsableLabel(label) ? label : undefined;
}

/** The unescaped value of the last `label=` in a line's tag section (the last wins, as in parseTags), unchecked. */
export function lastLabelValue(line: string): string | undefined {
  return lastTagValue(line, 'label');
}

/** The unescaped value of the last `key=` in an unparsed line's tag section (the last wins, as in parseTags). */
export function lastTagValue(line: string, key: string): string | undefined {
  let start = 0;
  while (start < line.length && line.charCodeAt(start) === 0x20) start++;
  if (line.charCodeAt(start) !== 0x40 /* @ */) return undefined;
  let end = line.indexOf(' ', start);
  if (end === -1) end = line.length;
  const prefix = `${key}=`;
  let value: string | undefined;
  for (const part of line.slice(start + 1, end).split(';')) {
    if (part.startsWith(prefix)) value = unescapeTagValue(part.slice(prefix.length));
  }
  return value;
}

/** A label that can go back on a reply: not empty, within the labeled-response limit, no NUL. */
export function isUsableLabel(label: string): boolean {
  return label !== '' && !label.includes('\0') && utf8ByteLength(label) <= MAX_LABEL_BYTES;
}

export function serializeTags(tags: Tags): string {
  let out = '';
  for (const key in tags) {
    const value = tags[key]!;
    if (out !== '') out += ';';
    out += value === '' ? key : `${key}=${escapeTagValue(value)}`;
  }
  // CR and LF in values are escaped by now; NUL cannot be, and keys are not escaped at all.
  assertLineSafe(out, 'tag');
  return out;
}

/**
 * Serialize without the trailing CR LF. The last parameter is written as a trailing
 * parameter when it must be (empty, contains a space, starts with ':'). Throws
 * UnsafeLineError when a part holds CR, LF or NUL (tag values excepted: CR and LF are escaped).
 */
export function serializeMessage(msg: IrcMessage): string {
  let line = '';
  const tagText = serializeTags(msg.tags);
  if (tagText !== '') line = `@${tagText} `;
  if (msg.source) {
    assertLineSafe(msg.source, 'source');
    line += `:${msg.source} `;
  }
  assertLineSafe(msg.command, 'command');
  line += msg.command;
  return line + serializeParams(msg.params);
}

/** The " p1 p2 :trailing" part of a line (with its leading space), shared by fan-out code. */
export function serializeParams(params: readonly string[]): string {
  let out = '';
  const last = params.length - 1;
  for (let i = 0; i <= last; i++) {
    const p = params[i]!;
    // Checked one by one: each parameter is already a flat string, the joined line is not yet.
    assertLineSafe(p, 'parameter');
    const plain = p !== '' && p.charCodeAt(0) !== 0x3a && !p.includes(' ');
    if (plain) out += ` ${p}`;
    else if (i === last) out += ` :${p}`;
    else out += ` ${safeMiddleParam(p)}`;
  }
  return out;
}

/**
 * A middle parameter cannot be empty, hold a space or start with ':'. Such values only
 * come from echoing bad input back (e.g. `JOIN :#a b` → 476), so they are made readable
 * rather than allowed to shift the parameters that follow.
 */
export function safeMiddleParam(p: string): string {
  if (p === '') return '*';
  return p.replace(/ /g, '_').replace(/^:/, '_');
}

/** Byte length of a string in UTF-8, without allocating. */
export function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}
