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

/**
 * A ring of the last REMEMBERED sends. remember() runs for every message sent, so it allocates
 * nothing (a Map with a delete per insert cost a private message about 0.3 µs and garbage);
 * get() runs only for a REDACT and scans the ring.
 */
export class RecentSends {
  private readonly msgids: string[] = new Array<string>(REMEMBERED).fill('');
  /** A room's folded name, or for a private message the recipient's uid (see `toUser`). */
  private readonly places: string[] = new Array<string>(REMEMBERED).fill('');
  private readonly toUser = new Uint8Array(REMEMBERED);
  private readonly times = new Float64Array(REMEMBERED);
  private next = 0;

  /** `place`: the room's folded name, or with `privateMessage` the recipient's uid. */
  remember(msgid: string, place: string, privateMessage: boolean, time: number): void {
    const i = this.next;
    this.msgids[i] = msgid;
    this.places[i] = place;
    this.toUser[i] = privateMessage ? 1 : 0;
    this.times[i] = time;
    this.next = i + 1 === REMEMBERED ? 0 : i + 1;
  }

  get(msgid: string): SentRecord | undefined {
    const i = this.msgids.indexOf(msgid);
    if (i === -1 || msgid === '') return undefined;
    return { where: this.toUser[i] === 1 ? privateWhere(this.places[i]!) : this.places[i]!, time: this.times[i]! };
  }

  forget(msgid: string): void {
    const i = this.msgids.indexOf(msgid);
    if (i !== -1) this.msgids[i] = '';
  }
}

/** The `where` of a private message to the user `uid`. */
export function privateWhere(uid: string): string {
  return `uid:${uid}`;
}
