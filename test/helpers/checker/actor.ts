// One client of the checker: a real connection to one node, registered under a name no other
// actor uses (so that the log's user.introduce names it), sending whatever the op generator
// chooses without waiting for answers. Everything it receives is kept and read at the end.
import { foldCase } from '../../../src/protocol/casemapping.ts';
import type { RawClient, Received } from '../raw-client.ts';
import type { TestServer } from '../server.ts';

/**
 * echo-message: a sender sees what took effect; message-tags: every line's msgid places it in
 * the log; message-redaction: REDACTs are checked like messages.
 */
export const ACTOR_CAPS = ['echo-message', 'message-tags', 'server-time', 'draft/message-redaction'];

/**
 * In a line the op generator chose: the msgid of the newest message the actor has seen in the
 * conversation named before it (REDACT <target> LAST_SEEN). Replaced when sent: the command is
 * the seed's, the msgid whatever the run gave (`none` when it saw none there).
 */
export const LAST_SEEN = '<last-seen>';

export type ActorState =
  /** Connected and sending. */
  | 'active'
  /** Sent QUIT. */
  | 'quit'
  /** Its node was killed: the connection was cut. */
  | 'cut';

export class Actor {
  state: ActorState = 'active';
  /** Lines sent, for a failure's report. */
  readonly sent: string[] = [];

  private constructor(
    /** The nick it registered with: unique among actors, never in the NICK pool. */
    readonly name: string,
    readonly nodeId: string,
    /** The node's incarnation it connected to (1 for the first start). */
    readonly incarnation: number,
    /** The node's epoch when it registered: a node that starts again under a new one drops its sessions. */
    readonly epoch: string,
    readonly client: RawClient,
  ) {}

  static async register(server: TestServer, name: string, nodeId: string, incarnation: number): Promise<Actor> {
    const client = await server.register(name, ACTOR_CAPS);
    return new Actor(name, nodeId, incarnation, server.server.replica.epoch, client);
  }

  /** Sending: the op generator's view, which timing never changes (a seed replays the same commands). */
  get active(): boolean {
    return this.state === 'active';
  }

  /** Active and still connected: its node has not closed the connection (as it does when it rejoins). */
  get connected(): boolean {
    return this.active && !this.client.closed;
  }

  send(line: string): void {
    if (!this.active) throw new Error(`${this.name} is ${this.state}: it sends nothing more`);
    if (line.endsWith(` ${LAST_SEEN}`)) line = this.withLastSeen(line);
    this.sent.push(line);
    // Closed by its node meanwhile: the line goes nowhere, as a real client's would.
    if (!this.client.closed) this.client.send(line);
  }

  quit(): void {
    this.send('QUIT :leaving');
    this.state = 'quit';
  }

  /** Its node died: the connection goes, as a process's sockets do when it is killed. */
  cut(): void {
    this.state = 'cut';
    this.client.close();
  }

  /** `REDACT <target> LAST_SEEN` with the msgid of the newest message of that conversation it was sent. */
  private withLastSeen(line: string): string {
    const target = foldCase(line.split(' ')[1] ?? '');
    const lines = this.lines();
    for (let i = lines.length - 1; i >= 0; i--) {
      const { msg } = lines[i]!;
      const msgid = msg.tags['msgid'];
      if (msgid === undefined || (msg.command !== 'PRIVMSG' && msg.command !== 'NOTICE')) continue;
      // A room's by its name; a private one is named by the other side (our echo) or comes from it.
      if (foldCase(msg.params[0] ?? '') === target || (!target.startsWith('#') && foldCase(sourceNick(msg.source) ?? '') === target)) {
        return `${line.slice(0, -LAST_SEEN.length)}${msgid}`;
      }
    }
    return `${line.slice(0, -LAST_SEEN.length)}none`;
  }

  /** Every line received, the checker's own sync PONGs left out. */
  lines(): Received[] {
    return this.client.since(0);
  }

  /** The nick the client believes it holds: the one 001 gave, then each NICK of its own. */
  nick(): string {
    let nick = this.name;
    for (const { msg } of this.lines()) {
      if (msg.command === '001') nick = msg.params[0] ?? nick;
      else if (msg.command === 'NICK' && sourceNick(msg.source) === nick) nick = msg.params[0] ?? nick;
    }
    return nick;
  }
}

export function sourceNick(source: string | undefined): string | undefined {
  if (source === undefined) return undefined;
  const bang = source.indexOf('!');
  return bang === -1 ? source : source.slice(0, bang);
}
