// What a command handler gets: its session, the message, a response buffer, and a narrow view
// of the node (command-services.ts): the network read-only, its log, ids, clock, config and
// the services commands need. Not the server itself.
import type { IrcMessage } from '../protocol/message.ts';
import { ERR_NOTREGISTERED } from '../protocol/numerics.ts';
import type { CommandHost, CommandServices, IdSource } from './command-services.ts';
import type { Config } from './config.ts';
import { IrcError } from './irc-error.ts';
import type { ResponseBuffer } from './response.ts';
import type { Session } from './session.ts';
import type { Verdict } from '../network/effects.ts';
import type { NetworkEvent } from '../network/events.ts';
import type { NetworkView } from '../network/network-state.ts';
import type { User } from '../network/state.ts';
import type { Committed } from '../node/log-follower.ts';

export class Context implements CommandHost {
  readonly network: NetworkView;
  readonly services: CommandServices;
  readonly ids: IdSource;
  readonly now: () => number;
  /** This server's name, the source of its replies. */
  readonly serverName: string;

  constructor(
    private readonly host: CommandHost,
    readonly session: Session,
    readonly msg: IrcMessage,
    readonly rb: ResponseBuffer,
  ) {
    this.network = host.network;
    this.services = host.services;
    this.ids = host.ids;
    this.now = host.now;
    this.serverName = host.services.serverName;
  }

  /** The config in force (a reload replaces it). */
  get config(): Config {
    return this.host.config;
  }

  get limits(): Config['limits'] {
    return this.host.config.limits;
  }

  /** The registered user behind this session (handlers run only after registration). */
  get user(): User {
    const u = this.session.user;
    if (!u) throw new IrcError(ERR_NOTREGISTERED, [], 'You have not registered');
    return u;
  }

  /** Appends an event to the network's log; the verdict comes when it has been applied. */
  commit(event: NetworkEvent): Committed {
    return this.host.commit(event);
  }

  /** Appends an event whose verdict nobody waits for. */
  publish(event: NetworkEvent): void {
    this.host.publish(event);
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
