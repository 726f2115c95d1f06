// A message on its way to clients. It is serialized at most once per tag variant (which
// capabilities the recipient has), however many recipients it has. A message whose parts hold
// CR, LF or NUL fails to serialize with UnsafeLineError, once: the failure is kept and thrown
// again to every other recipient without scanning anew, and the sessions drop the line.
//
// A safety net keeps every line within Modern IRC's 512 bytes without tags (CR LF included):
// a body that would pass it has its last parameter cut, at a character boundary. What people
// say is cut to fit where it is said (messaging.ts); the net catches the rest (a topic set by
// a long mask in a long room name, a reply with a long list) so that no client is handed a
// line it may drop or cut in its own way.
import { clipToBytes } from '../protocol/clip-text.ts';
import { safeMiddleParam, serializeParams, serializeTags, type Tags } from '../protocol/message.ts';
import { assertLineSafe, UnsafeLineError, utf8ByteLength } from '../protocol/wire-text.ts';

/**
 * Bytes of a line without tags and CR LF that every client takes (Modern IRC: 512 with CR LF).
 * The default of the limit sessions pass (limits.lineBytes - 2, what LINELEN advertises): a
 * message has one limit on a server, so its body is cut and cached once for all recipients.
 */
export const SAFE_BODY_BYTES = 510;
/** The longest nick a FixedNumeric may be given (the config's nickLength is at most 64). */
const LONGEST_NICK = 64;

/** Bits of a session's tag variant. */
export const TAGS_SERVER_TIME = 1;
export const TAGS_MESSAGE_TAGS = 2;
/** account-tag: the sender's account on what a logged-in user sends. */
export const TAGS_ACCOUNT = 4;
const VARIANTS = 8;

export function formatTime(ms: number): string {
  return new Date(ms).toISOString();
}

const NO_PARAMS: readonly string[] = [];

export class Outgoing {
  /** Wire bytes per variant; made on the first bytes() call, as most replies have one reader. */
  private cache: (Buffer | undefined)[] | undefined;
  private body: string | undefined;
  /** Set when serializing failed: the message is never sent, to anyone. */
  private unsafe: UnsafeLineError | undefined;
  /** Sent by a user in bot mode (+B): the `bot` tag goes to recipients with message-tags. */
  private fromBot = false;

  constructor(
    private readonly source: string | undefined,
    private readonly command: string,
    private readonly params: readonly string[],
    readonly time: number,
    readonly msgid?: string,
    /** Client-only tags (`+typing`, …), relayed to recipients with message-tags. */
    readonly clientTags?: Tags,
    /** The sender's account (account-tag), when a logged-in user sent it. */
    readonly account?: string,
  ) {}

  /** A message whose text without tags (`:source COMMAND params`) is already serialized. */
  static fromText(text: string, time: number): Outgoing {
    const out = new Outgoing(undefined, '', NO_PARAMS, time);
    out.body = text;
    return out;
  }

  /** `:source COMMAND params` without tags. */
  private bodyText(maxBodyBytes: number): string {
    if (this.body === undefined) {
      if (this.source) assertLineSafe(this.source, 'source');
      const head = (this.source ? `:${this.source} ` : '') + this.command;
      this.body = fitBody(head, this.params, head + serializeParams(this.params), maxBodyBytes);
    }
    return this.body;
  }

  /** Whether `source` is this message's source (the bot tag marks what a bot itself sent). */
  isFrom(source: string): boolean {
    return this.source === source;
  }

  /**
   * Marks the message as sent by a bot (IRCv3 bot-mode). A flag of the message, not of the
   * recipient: it adds no tag variant. Called before the message is first serialized.
   */
  markFromBot(): this {
    this.fromBot = true;
    this.cache = undefined;
    return this;
  }

  tags(variant: number, extra?: Tags): Tags {
    const tags: Tags = {};
    if (variant & TAGS_SERVER_TIME) tags.time = formatTime(this.time);
    if (variant & TAGS_MESSAGE_TAGS) {
      if (this.msgid) tags.msgid = this.msgid;
      if (this.clientTags) Object.assign(tags, this.clientTags);
      if (this.fromBot) tags.bot = '';
    }
    if (variant & TAGS_ACCOUNT && this.account !== undefined) tags.account = this.account;
    if (extra) Object.assign(tags, extra);
    return tags;
  }

  /**
   * The line for one variant, with extra tags (label, batch) that are never cached; its body
   * (without tags and CR LF) cut to `maxBodyBytes`.
   */
  line(variant: number, extra?: Tags, maxBodyBytes = SAFE_BODY_BYTES): string {
    // Variant 0 carries no tags: the common case needs no tag object at all.
    if (variant === 0 && extra === undefined && this.body !== undefined) return this.body;
    if (this.unsafe) throw this.unsafe;
    try {
      return this.serialize(variant, extra, maxBodyBytes);
    } catch (err) {
      // Kept, so that every later recipient gets the same error without a new scan.
      if (err instanceof UnsafeLineError) this.unsafe = err;
      throw err;
    }
  }

  private serialize(variant: number, extra: Tags | undefined, maxBodyBytes: number): string {
    if (variant === 0 && extra === undefined) return this.bodyText(maxBodyBytes);
    const tagText = serializeTags(this.tags(variant, extra));
    return tagText === '' ? this.bodyText(maxBodyBytes) : `@${tagText} ${this.bodyText(maxBodyBytes)}`;
  }

  /** Wire bytes (CR LF included), shared by all recipients of the same variant. */
  bytes(variant: number, maxBodyBytes = SAFE_BODY_BYTES): Buffer {
    const cache = (this.cache ??= new Array<Buffer | undefined>(VARIANTS));
    let b = cache[variant];
    if (b === undefined) {
      b = Buffer.from(this.line(variant, undefined, maxBodyBytes) + '\r\n', 'utf8');
      cache[variant] = b;
    }
    return b;
  }
}

/**
 * A numeric from the server whose parameters after the client's nick are the same for every
 * client (ISUPPORT, MOTD, the welcome lines): serialized once, then only the nick is joined in.
 */
export class FixedNumeric {
  private readonly head: string;
  private readonly tail: string;

  constructor(serverName: string, numeric: string, params: readonly string[]) {
    if (params.length === 0) throw new Error('a fixed numeric needs parameters after the nick');
    assertLineSafe(serverName, 'source');
    this.head = `:${serverName} ${numeric} `;
    // Cut once here (a long MOTD line, a long network name) with room for the longest nick.
    const tailBytes = SAFE_BODY_BYTES - utf8ByteLength(this.head) - LONGEST_NICK;
    this.tail = fitBody('', params, serializeParams(params), tailBytes);
  }

  /** The line for the client `nick`, as an Outgoing with all its parameters would serialize. */
  text(nick: string): string {
    return this.head + middleParam(nick) + this.tail;
  }
}

/** A parameter that is not the last one, as serializeParams writes it. */
export function middleParam(p: string): string {
  return p !== '' && p.charCodeAt(0) !== 0x3a && !p.includes(' ') ? p : safeMiddleParam(p);
}

/**
 * `body` (`head` and the serialized `params`), or when it passes `maxBytes` of UTF-8, the
 * same with its longest parameter cut to fit: the text of a message, or the over-long word a
 * reply echoes back (`401 nick <504 bytes> :No such nick`), never the short ones around it.
 * Most bodies are short enough to need no count.
 */
function fitBody(head: string, params: readonly string[], body: string, maxBytes: number): string {
  if (body.length * 3 <= maxBytes || params.length === 0) return body;
  let bytes = utf8ByteLength(body);
  if (bytes <= maxBytes) return body;
  const parts = [...params];
  // Each round cuts one parameter; a few rounds at most, when several are long.
  for (let round = 0; round < parts.length && bytes > maxBytes; round++) {
    let longest = 0;
    let longestBytes = -1;
    for (let i = 0; i < parts.length; i++) {
      const size = utf8ByteLength(parts[i]!);
      if (size > longestBytes) [longest, longestBytes] = [i, size];
    }
    // One byte more than the excess: a cut parameter may need a ':' it had not.
    const keep = Math.max(longest === parts.length - 1 ? 0 : 1, longestBytes - (bytes - maxBytes) - 1);
    parts[longest] = clipToBytes(parts[longest]!, keep);
    body = head + serializeParams(parts);
    bytes = utf8ByteLength(body);
  }
  return body;
}
