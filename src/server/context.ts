// What a command handler gets: its session, the server, and a response buffer.
import type { IrcMessage } from '../protocol/message.ts';
import { ERR_NOTREGISTERED } from '../protocol/numerics.ts';
import { IrcError } from './irc-error.ts';
import type { ResponseBuffer } from './response.ts';
import type { ParlorServer } from './server.ts';
import type { Session } from './session.ts';
import type { Verdict } from '../network/effects.ts';
import type { NetworkEvent } from '../network/events.ts';
import type { User } from '../network/state.ts';
import type { Committed } from '../node/log-follower.ts';

export class Context {
  constructor(
    readonly server: ParlorServer,
    readonly session: Session,
    readonly msg: IrcMessage,
    readonly rb: ResponseBuffer,
  ) {}

  /** The registered user behind this session (handlers run only after registration). */
  get user(): User {
    const u = this.session.user;
    if (!u) throw new IrcError(ERR_NOTREGISTERED, [], 'You have not registered');
    return u;
  }

  now(): number {
    return this.server.now();
  }

  /** Appends an event to the network's log; the verdict comes when it has been applied. */
  commit(event: NetworkEvent): Committed {
    return this.server.commit(event);
  }

  /** Answers a refused event with the reducer's numeric (a silent refusal says nothing). */
  replyRefusal(verdict: Verdict): void {
    const r = verdict.refusal;
    if (r) this.reply(r.numeric, ...r.params, r.text);
  }

  /** A numeric reply to this client: `:server <numeric> <nick> ...params`. */
  reply(numeric: string, ...params: string[]): void {
    this.rb.server(numeric, [this.session.nickOrStar, ...params]);
  }
}

export interface CommandSpec {
  /** Parameters the command needs; fewer gets ERR_NEEDMOREPARAMS. */
  minParams: number;
  /** May be sent before registration completes. */
  preRegistration?: boolean;
  /** Needs IRC operator status. */
  oper?: boolean;
  handler(ctx: Context, params: string[]): void | Promise<void>;
}

export type CommandGroup = Record<string, CommandSpec>;
