// The network's state at one log position: users, nicks, rooms, server bans, the nodes that
// are up. Only the reducer (reducer.ts) changes it; everything else reads it.
import { foldCase, type Casemapping } from '../protocol/casemapping.ts';
import { BanList } from './bans.ts';
import { LookalikeNicks } from './lookalike-nicks.ts';
import { Channel, User, type UserInit } from './state.ts';

/** The uid of the admin pseudo-user, present on every node without being introduced. */
export const ADMIN_UID = '0admin';

export interface WhowasEntry {
  nick: string;
  username: string;
  hostname: string;
  realname: string;
  time: number;
}

export class NetworkState {
  readonly users = new Map<string, User>();
  readonly nicks = new Map<string, User>();
  /** Nicks in use by what they look like: kept with `nicks`. */
  readonly lookalikes = new LookalikeNicks(() => this.users.values());
  readonly channels = new Map<string, Channel>();
  /** Users with +i and +o, kept current so LUSERS does not walk every user. */
  invisibleCount = 0;
  operCount = 0;
  /** Server bans (K-lines) and mutes, network-wide. */
  readonly bans = new BanList();
  readonly mutes = new BanList();
  /** Nodes up: node id → the epoch it runs under. */
  readonly nodes = new Map<string, string>();
  /** Nodes up that announced a server name (node.up): node id → server.name, shown by WHOIS and LINKS. */
  readonly nodeNames = new Map<string, string>();
  /** The admin pseudo-user's nick every node runs with (null: none), set by the first node up. */
  adminNick: string | null | undefined = undefined;
  /** server.casemapping every node runs with, set by the first node up that says (undefined: none yet). */
  casemapping: Casemapping | undefined = undefined;
  /** The Unicode version (process.versions.unicode) every node folds with, set like casemapping. */
  unicode: string | undefined = undefined;
  /** Epochs declared dead: their later entries are passed over. */
  readonly deadEpochs = new Set<string>();
  /** The last log position applied, and its time. */
  position = 0;
  time = 0;
  /** Users who are not people (the admin pseudo-user), left out of user counts. */
  serviceCount = 0;
  readonly admin: User | undefined;

  constructor(admin?: { nick: string; hostname: string }) {
    if (admin) {
      this.admin = this.addService({
        uid: ADMIN_UID,
        nodeId: '*',
        nick: admin.nick,
        username: 'admin',
        hostname: admin.hostname,
        realname: 'Server administrator: messages to this nick reach the console',
        signonAt: 0,
        secure: false,
        address: '0.0.0.0',
        modes: '',
      });
    }
  }

  private addService(init: UserInit): User {
    const user = new User(init);
    this.users.set(user.uid, user);
    this.nicks.set(user.foldedNick, user);
    this.lookalikes.add(user);
    this.serviceCount++;
    return user;
  }

  /** People on the network, services not counted. */
  get userCount(): number {
    return this.users.size - this.serviceCount;
  }

  userByNick(nick: string): User | undefined {
    return this.nicks.get(foldCase(nick));
  }

  channel(name: string): Channel | undefined {
    return this.channels.get(foldCase(name));
  }

  /** The server name a node goes by (WHOIS 312, LINKS): the one it announced, else its id. */
  serverNameOf(nodeId: string): string {
    return this.nodeNames.get(nodeId) ?? nodeId;
  }

  /** Whether `nodeId` runs under `epoch` now. */
  isUp(nodeId: string, epoch: string): boolean {
    return this.nodes.get(nodeId) === epoch;
  }
}

/** What readers of the network may see: the state, not the means to change it (only the reducer writes). */
export type NetworkView = Readonly<NetworkState>;
