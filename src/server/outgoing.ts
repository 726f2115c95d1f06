// A message on its way to clients. It is serialized at most once per tag variant (which
// capabilities the recipient has), however many recipients it has. A message whose parts hold
// CR, LF or NUL fails to serialize with UnsafeLineError, once: the failure is kept and thrown
// again to every other recipient without scanning anew, and the sessions drop the line.
import { safeMiddleParam, serializeParams, serializeTags, type Tags } from '../protocol/message.ts';
import { assertLineSafe, UnsafeLineError } from '../protocol/wire-text.ts';

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
  private bodyText(): string {
    if (this.body === undefined) {
      if (this.source) assertLineSafe(this.source, 'source');
      this.body = (this.source ? `:${this.source} ` : '') + this.command + serializeParams(this.params);
    }
    return this.body;
  }

  tags(variant: number, extra?: Tags): Tags {
    const tags: Tags = {};
    if (variant & TAGS_SERVER_TIME) tags.time = formatTime(this.time);
    if (variant & TAGS_MESSAGE_TAGS) {
      if (this.msgid) tags.msgid = this.msgid;
      if (this.clientTags) Object.assign(tags, this.clientTags);
    }
    if (variant & TAGS_ACCOUNT && this.account !== undefined) tags.account = this.account;
    if (extra) Object.assign(tags, extra);
    return tags;
  }

  /** The line for one variant, with extra tags (label, batch) that are never cached. */
  line(variant: number, extra?: Tags): string {
    // Variant 0 carries no tags: the common case needs no tag object at all.
    if (variant === 0 && extra === undefined && this.body !== undefined) return this.body;
    if (this.unsafe) throw this.unsafe;
    try {
      return this.serialize(variant, extra);
    } catch (err) {
      // Kept, so that every later recipient gets the same error without a new scan.
      if (err instanceof UnsafeLineError) this.unsafe = err;
      throw err;
    }
  }

  private serialize(variant: number, extra: Tags | undefined): string {
    if (variant === 0 && extra === undefined) return this.bodyText();
    const tagText = serializeTags(this.tags(variant, extra));
    return tagText === '' ? this.bodyText() : `@${tagText} ${this.bodyText()}`;
  }

  /** Wire bytes (CR LF included), shared by all recipients of the same variant. */
  bytes(variant: number): Buffer {
    const cache = (this.cache ??= new Array<Buffer | undefined>(VARIANTS));
    let b = cache[variant];
    if (b === undefined) {
      b = Buffer.from(this.line(variant) + '\r\n', 'utf8');
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
    this.tail = serializeParams(params);
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
