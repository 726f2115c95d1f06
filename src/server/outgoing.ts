// A message on its way to clients. It is serialized at most once per tag variant (which
// capabilities the recipient has), however many recipients it has.
import { serializeParams, serializeTags, type Tags } from '../protocol/message.ts';

/** Bits of a session's tag variant. */
export const TAGS_SERVER_TIME = 1;
export const TAGS_MESSAGE_TAGS = 2;
const VARIANTS = 4;

export function formatTime(ms: number): string {
  return new Date(ms).toISOString();
}

export class Outgoing {
  private readonly cache: (Buffer | undefined)[] = new Array(VARIANTS);
  private body: string | undefined;

  constructor(
    readonly source: string | undefined,
    readonly command: string,
    readonly params: readonly string[],
    readonly time: number,
    readonly msgid?: string,
    /** Client-only tags (`+typing`, …), relayed to recipients with message-tags. */
    readonly clientTags?: Tags,
  ) {}

  /** `:source COMMAND params` without tags. */
  private bodyText(): string {
    if (this.body === undefined) {
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
    if (extra) Object.assign(tags, extra);
    return tags;
  }

  /** The line for one variant, with extra tags (label, batch) that are never cached. */
  line(variant: number, extra?: Tags): string {
    const tagText = serializeTags(this.tags(variant, extra));
    return tagText === '' ? this.bodyText() : `@${tagText} ${this.bodyText()}`;
  }

  /** Wire bytes (CR LF included), shared by all recipients of the same variant. */
  bytes(variant: number): Buffer {
    let b = this.cache[variant];
    if (b === undefined) {
      b = Buffer.from(this.line(variant) + '\r\n', 'utf8');
      this.cache[variant] = b;
    }
    return b;
  }
}
