// IRCv3 typing notifications (the +typing client tag): who is typing where, each entry
// trusted for a few seconds, and when our own `active`/`done` should go out.

/** `active` is repeated at most this often, and trusted for this long. */
const SEND_EVERY_MS = 3000;
const SHOW_MS = 6000;

interface Typist {
  nick: string;
  timer: ReturnType<typeof setTimeout>;
}

export class TypingTracker {
  /** By buffer key, then by folded nick, in the order they started. */
  private readonly typists = new Map<string, Map<string, Typist>>();
  /** When `active` last went to each buffer. */
  private readonly sent = new Map<string, number>();
  /** Buffers where the server refused our typing notifications (a mute, +m…): none go there. */
  private readonly refused = new Set<string>();

  constructor(
    private readonly fold: (nick: string) => string,
    /** An entry expired on its own: the view should redraw. */
    private readonly onExpire: () => void,
  ) {}

  /** A received `+typing=<state>` from `nick` in the buffer `key`. */
  received(key: string, nick: string, state: string): void {
    this.stop(key, nick);
    if (state !== 'active') return;
    let typists = this.typists.get(key);
    if (!typists) this.typists.set(key, (typists = new Map()));
    const timer = setTimeout(() => {
      this.stop(key, nick);
      this.onExpire();
    }, SHOW_MS);
    typists.set(this.fold(nick), { nick, timer });
  }

  /** `nick` stopped typing in `key` (said something, or sent done). */
  stop(key: string, nick: string): void {
    const typists = this.typists.get(key);
    const typist = typists?.get(this.fold(nick));
    if (!typists || !typist) return;
    clearTimeout(typist.timer);
    typists.delete(this.fold(nick));
    if (typists.size === 0) this.typists.delete(key);
  }

  nicksIn(key: string): string[] {
    return [...(this.typists.get(key)?.values() ?? [])].map((t) => t.nick);
  }

  /** What our own input line should announce now, if anything: commands are not typing. */
  toSend(key: string, text: string, now: number): 'active' | 'done' | undefined {
    if (this.refused.has(key)) return undefined;
    const last = this.sent.get(key);
    if (text !== '' && !text.startsWith('/')) {
      if (last !== undefined && now - last < SEND_EVERY_MS) return undefined;
      this.sent.set(key, now);
      return 'active';
    }
    if (last === undefined) return undefined;
    this.sent.delete(key);
    return 'done';
  }

  /** The server refused a typing notification to `key`: no more go there, not even `done`. */
  refuse(key: string): void {
    this.refused.add(key);
    this.sent.delete(key);
  }

  /** A message of ours got through to `key`: typing notifications may go there again. */
  allow(key: string): void {
    this.refused.delete(key);
  }

  /** A new connection: nobody is typing and nothing was announced. */
  clear(): void {
    this.refused.clear();
    for (const typists of this.typists.values()) for (const t of typists.values()) clearTimeout(t.timer);
    this.typists.clear();
    this.sent.clear();
  }
}
