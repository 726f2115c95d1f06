// The messages one connection sent lately, for REDACT (commands/redact.ts): a user without an
// account can delete only what this very connection sent, since nick!user@host can be taken by
// someone else once they leave, and a TAGMSG or a message history does not keep (history off,
// `@#room`, a private one without both accounts) is found nowhere else.

/** Where a message went: a room's folded name, or `uid:` and the recipient's uid. */
export interface SentRecord {
  where: string;
  time: number;
}

/** Sent messages remembered per connection: a bound, the oldest forgotten first. */
const REMEMBERED = 50;

export class RecentSends {
  private readonly sent = new Map<string, SentRecord>();

  remember(msgid: string, record: SentRecord): void {
    this.sent.set(msgid, record);
    if (this.sent.size > REMEMBERED) this.sent.delete(this.sent.keys().next().value!);
  }

  get(msgid: string): SentRecord | undefined {
    return this.sent.get(msgid);
  }

  forget(msgid: string): void {
    this.sent.delete(msgid);
  }
}

/** The `where` of a private message to the user `uid`. */
export function privateWhere(uid: string): string {
  return `uid:${uid}`;
}
