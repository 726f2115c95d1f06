// What command handlers, and the helpers they call, may use: the network as a read-only view,
// its log (commit, publish), ids, the clock, the config, and the few node services listed in
// CommandServices. Context (context.ts) is one CommandHost; ParlorServer is another, for the
// helpers it calls itself (a nick guard after a logout, the console's account actions).
import type { WhowasEntry } from '../network/network-state.ts';
import type { Logger } from 'pino';
import type { ServerBan } from '../network/bans.ts';
import type { NetworkEvent } from '../network/events.ts';
import type { NetworkView } from '../network/network-state.ts';
import type { LocalSession } from '../node/delivery.ts';
import type { Committed } from '../node/log-follower.ts';
import type { Store } from '../storage/store.ts';
import type { AdminActions } from './admin.ts';
import type { ConnectionGate, Refusal } from './admission.ts';
import type { AuditLog } from './audit.ts';
import type { AuthGuard } from './auth-guard.ts';
import type { Timer } from './clock.ts';
import type { Config } from './config.ts';
import type { RateMeter } from './rate-meter.ts';
import type { RegistrationThrottle } from './registration-throttle.ts';
import type { ScramSaltSecret } from './scram-secret.ts';
import type { ScryptQueue } from './scrypt-queue.ts';
import type { ServerTexts } from './server-texts.ts';
import type { Session } from './session.ts';
import type { WebircGateways } from './webirc-gateways.ts';

/** Ids made by this node: unique on the network. */
export interface IdSource {
  newMsgid(): string;
  newUid(): string;
}

/** The figures commands read or count in. */
export interface CommandStats {
  readonly maxLocalUsers: number;
  /** PRIVMSG/NOTICE/TAGMSG accepted from clients. */
  readonly messages: RateMeter;
  readonly refused: { banned: number };
}

/** What commands still need from the node itself, beyond the network and its log. */
export interface CommandServices {
  readonly serverName: string;
  readonly nodeId: string;
  readonly createdAt: number;
  readonly store: Store;
  /** History is written from the log by the cluster's history writer, not by the handler. */
  readonly historyFromLog: boolean;
  readonly audit: AuditLog;
  readonly admin: AdminActions;
  readonly authGuard: AuthGuard;
  readonly hashing: ScryptQueue;
  /** The key of SCRAM's made-up salts for unknown accounts, read from the store once. */
  readonly scramSaltSecret: ScramSaltSecret;
  readonly registrations: RegistrationThrottle;
  readonly stats: CommandStats;
  readonly logger: Logger;
  /** ISUPPORT, welcome and MOTD lines, made again on reload. */
  readonly texts: ServerTexts;
  readonly gate: Pick<ConnectionGate, 'maxConnections' | 'maxPerIp'>;
  /** Every local connection, registered or not. */
  readonly sessions: ReadonlySet<Session>;
  readonly localUserCount: number;
  /** folded nick → this node's sessions that MONITOR it. */
  readonly monitors: Map<string, Set<LocalSession>>;
  /** Nicks no longer in use that this node remembers (WHOWAS), newest last. */
  readonly whowas: readonly WhowasEntry[];
  /** This node's session of a user, if the user is connected here. */
  local(uid: string): Session | undefined;
  /** The IRCv3 STS policy to advertise on a connection, if any. */
  stsPolicy(secure: boolean): string | undefined;
  /** ERR_YOUREBANNEDCREEP and the closing ERROR for a banned client. */
  bannedLines(ban: ServerBan, nick: string, address: string): string[];
  /** The web gateways that may send WEBIRC (config proxy.webirc). */
  readonly webircGateways: WebircGateways;
  /**
   * A connection now speaks for another address (WEBIRC): that address's per-address limit and
   * throttle are applied, and on admission its place moves there from the old address.
   */
  readmit(session: Session, address: string): Refusal | undefined;
  /** Before its user.introduce is committed: deliveries to the uid reach the session from then on. */
  claimUid(session: Session, uid: string): void;
  /** The introduce was refused. */
  releaseUid(uid: string): void;
  /** Registration is complete and the user introduced on the network. */
  registered(session: Session): void;
  setTimeout(fn: () => void, ms: number): Timer;
  logError(err: unknown, context: string): void;
}

/** The narrow world of a command: the network and its log, ids, clock, config and services. */
export interface CommandHost {
  /** The network as the log has made it so far: read it, change it only by committing events. */
  readonly network: NetworkView;
  /** The config in force (a reload replaces it: read it when needed, do not keep it). */
  readonly config: Config;
  readonly services: CommandServices;
  readonly ids: IdSource;
  /** Bound: may be handed on as it is. */
  readonly now: () => number;
  /** Appends an event to the network's log; the verdict comes when it has been applied. */
  commit(event: NetworkEvent): Committed;
  /** Appends an event whose verdict nobody waits for. */
  publish(event: NetworkEvent): void;
}
