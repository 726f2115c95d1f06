// What the checker's clients do: random commands drawn from a seeded PRNG, aimed at a few rooms
// and a small pool of nicks so that they collide — racing JOINs against +l/+k/+i, NICKs on one
// name from two nodes, KICKs racing PRIVMSGs, REDACTs racing a MODE -o — plus QUITs and node
// kills and restarts. A choice depends only on the PRNG and on what the run did before (never on
// answers or timing), so a seed replays the same commands (a REDACT's msgid alone is filled in
// when sent, from what its actor was sent: LAST_SEEN).
import { LAST_SEEN, type Actor } from './actor.ts';

export const ROOMS = ['#r0', '#r1', '#r2', '#r3'];
/** Names NICK may take; no actor registers under one. */
export const NICK_POOL = ['n0', 'n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7'];

const keyOf = (room: string): string => `key${room.slice(2)}`;

export type Op =
  /** Lines sent at once, each by its actor; `afterMs`: a pause first (the previous step under way). */
  | { kind: 'send'; sends: (readonly [Actor, string])[]; afterMs?: number }
  | { kind: 'quit'; actor: Actor }
  | { kind: 'kill'; nodeId: string }
  | { kind: 'restart'; nodeId: string };

/** What the generator may choose from at this point of the run. */
export interface Choices {
  /** Actors still connected and sending, in the order they were made. */
  active: readonly Actor[];
  /** Every actor's registered name so far: targets for KICK, INVITE, MODE +o. */
  names: readonly string[];
  liveNodes: readonly string[];
  deadNodes: readonly string[];
}

export interface OpWeights {
  /** Chance per op of a storm: several actors, on several nodes, racing for one thing. */
  storm: number;
  /** Chance per op that a node is killed (while more than two run). */
  kill: number;
  /** Chance per op that a dead node is restarted. */
  restart: number;
  quit: number;
}

export const DEFAULT_WEIGHTS: OpWeights = { storm: 0.08, kill: 0.006, restart: 0.05, quit: 0.02 };

/** Commands by weight: what a client most often does is talk. */
const COMMANDS: readonly [number, (g: OpGenerator) => string][] = [
  [30, (g) => `PRIVMSG ${g.room()} :${g.text()}`],
  [4, (g) => `PRIVMSG ${g.nick()} :${g.text()}`],
  [18, (g) => (g.chance(0.85) ? `JOIN ${g.roomWithKey()}` : `JOIN ${g.room()} wrongkey`)],
  [6, (g) => `PART ${g.room()} :bye`],
  [7, (g) => `KICK ${g.room()} ${g.nick()} :out`],
  [16, (g) => g.mode(g.room())],
  [5, (g) => `INVITE ${g.nick()} ${g.room()}`],
  [7, (g) => `NICK ${g.pick(NICK_POOL)}`],
  // Deleting the newest message seen there: one's own (the sender's right), another's (a room
  // operator's, else refused), racing a KICK or a MODE -o that takes the right away.
  [5, (g) => `REDACT ${g.room()} ${LAST_SEEN}`],
  [1, (g) => `REDACT ${g.nick()} ${LAST_SEEN}`],
];
const TOTAL = COMMANDS.reduce((sum, [w]) => sum + w, 0);

export class OpGenerator {
  private counter = 0;
  private freshRooms = 0;
  /** The next steps of a scenario under way, one per op. */
  private readonly followUps: Op[] = [];
  private choices: Choices | undefined;

  constructor(
    private readonly random: () => number,
    private readonly weights: OpWeights = DEFAULT_WEIGHTS,
  ) {}

  next(choices: Choices): Op {
    this.choices = choices;
    const followUp = this.followUps.shift();
    // Actors of a scenario may have gone meanwhile (their node killed): their lines are left out.
    if (followUp?.kind === 'send') return { ...followUp, sends: followUp.sends.filter(([actor]) => actor.active) };
    if (choices.liveNodes.length > 2 && this.chance(this.weights.kill)) return { kind: 'kill', nodeId: this.pick(choices.liveNodes) };
    if (choices.deadNodes.length > 0 && this.chance(this.weights.restart)) return { kind: 'restart', nodeId: this.pick(choices.deadNodes) };
    if (this.chance(this.weights.storm)) return { kind: 'send', sends: this.storm(choices.active) };
    const actor = this.pick(choices.active);
    if (this.chance(this.weights.quit)) return { kind: 'quit', actor };
    let draw = this.random() * TOTAL;
    for (const [weight, make] of COMMANDS) {
      draw -= weight;
      if (draw < 0) return { kind: 'send', sends: [[actor, make(this)]] };
    }
    return { kind: 'send', sends: [[actor, `PRIVMSG ${this.room()} :${this.text()}`]] };
  }

  /**
   * The races of issue 18, started on purpose: JOINs into one room (a new one: who founds it?
   * a full one: who gets the last place?), two NICKs to one name, a KICK and the victim's
   * PRIVMSG, a MODE and a JOIN.
   */
  private storm(active: readonly Actor[]): (readonly [Actor, string])[] {
    const some = (n: number): Actor[] => Array.from({ length: n }, () => this.pick(active));
    switch (this.below(7)) {
      case 6:
        return this.deletions(some(3) as [Actor, Actor, Actor]);
      case 5:
        return this.limitedRoom(some(1)[0]!, some(2 + this.below(3)));
      case 0: {
        const room = `#new${++this.freshRooms}`;
        return some(2 + this.below(3)).map((a) => [a, `JOIN ${room}`] as const);
      }
      case 1: {
        const room = this.room();
        return some(2 + this.below(4)).map((a) => [a, `JOIN ${room} ${keyOf(room)}`] as const);
      }
      case 2: {
        const nick = this.pick(NICK_POOL);
        return some(2 + this.below(2)).map((a) => [a, `NICK ${nick}`] as const);
      }
      case 3: {
        const [kicker, victim] = some(2) as [Actor, Actor];
        const room = this.room();
        return [
          [kicker, `KICK ${room} ${victim.name} :race`],
          [victim, `PRIVMSG ${room} :${this.text()}`],
        ];
      }
      default: {
        const [op, joiner] = some(2) as [Actor, Actor];
        const room = this.room();
        return [
          [op, this.mode(room)],
          [joiner, `JOIN ${room} ${keyOf(room)}`],
        ];
      }
    }
  }

  /**
   * A room with one place left, raced for: its founder sets +l 2 (and perhaps a key); a moment
   * later several actors JOIN at once; then the founder KICKs one of them while that one and
   * another talk, and makes another an operator.
   */
  private limitedRoom(founder: Actor, joiners: Actor[]): (readonly [Actor, string])[] {
    const room = `#lim${++this.freshRooms}`;
    const keyed = this.chance(0.3);
    const join = keyed ? `JOIN ${room} ${keyOf(room)}` : `JOIN ${room}`;
    this.followUps.push({ kind: 'send', afterMs: 20, sends: joiners.map((a) => [a, join] as const) });
    const [first, second] = [joiners[0]!, joiners.at(-1)!];
    this.followUps.push({
      kind: 'send',
      afterMs: 20,
      sends: [
        [founder, `KICK ${room} ${first.name} :race`],
        [first, `PRIVMSG ${room} :${this.text()}`],
        [second, `PRIVMSG ${room} :${this.text()}`],
        [founder, `MODE ${room} +o ${second.name}`],
        [founder, `PRIVMSG ${room} :${this.text()}`],
      ],
    });
    return [
      [founder, `JOIN ${room}`],
      [founder, keyed ? `MODE ${room} +lk 2 ${keyOf(room)}` : `MODE ${room} +l 2`],
    ];
  }

  /**
   * Deletions raced: a founder makes a second operator; a member and the founder talk; then the
   * second operator deletes the newest message (another's: a room operator's right) while the
   * founder takes +o from them, and the member deletes the newest it saw (its own, or refused).
   */
  private deletions([founder, second, member]: [Actor, Actor, Actor]): (readonly [Actor, string])[] {
    const room = `#del${++this.freshRooms}`;
    this.followUps.push({
      kind: 'send',
      afterMs: 20,
      sends: [
        [second, `JOIN ${room}`],
        [member, `JOIN ${room}`],
        [founder, `MODE ${room} +o ${second.name}`],
      ],
    });
    this.followUps.push({
      kind: 'send',
      afterMs: 20,
      sends: [
        [member, `PRIVMSG ${room} :${this.text()}`],
        [founder, `PRIVMSG ${room} :${this.text()}`],
        [member, `PRIVMSG ${room} :${this.text()}`],
      ],
    });
    this.followUps.push({
      kind: 'send',
      afterMs: 20,
      sends: [
        [second, `REDACT ${room} ${LAST_SEEN}`],
        [founder, `MODE ${room} -o ${second.name}`],
        [member, `REDACT ${room} ${LAST_SEEN}`],
        [founder, `REDACT ${room} ${LAST_SEEN}`],
      ],
    });
    return [[founder, `JOIN ${room}`]];
  }

  chance(p: number): boolean {
    return this.random() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('nothing to pick from');
    return items[Math.floor(this.random() * items.length)]!;
  }

  /** An integer from 0 to n - 1. */
  below(n: number): number {
    return Math.floor(this.random() * n);
  }

  room(): string {
    return this.pick(ROOMS);
  }

  roomWithKey(): string {
    const room = this.room();
    return `${room} ${keyOf(room)}`;
  }

  /** An actor's name or a pool nick: often someone there, sometimes nobody. */
  nick(): string {
    return this.chance(0.7) ? this.pick(this.choices!.names) : this.pick(NICK_POOL);
  }

  text(): string {
    return `m${++this.counter}`;
  }

  /** A MODE line for `room`: limits of 1 to 4 (full rooms), its key, +i, operators and voices. */
  mode(room: string): string {
    switch (this.below(9)) {
      case 0:
      case 1:
        return `MODE ${room} +l ${1 + this.below(4)}`;
      case 2:
        return `MODE ${room} -l`;
      case 3:
        return `MODE ${room} +k ${keyOf(room)}`;
      case 4:
        return `MODE ${room} -k ${keyOf(room)}`;
      case 5:
        return `MODE ${room} ${this.chance(0.5) ? '+i' : '-i'}`;
      case 6:
      case 7:
        return `MODE ${room} ${this.chance(0.7) ? '+' : '-'}o ${this.nick()}`;
      default:
        return `MODE ${room} +v ${this.nick()}`;
    }
  }
}
