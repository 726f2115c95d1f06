// The network state as a snapshot (docs/architecture.md, "Snapshots"): a node that starts
// loads the newest one and applies the log after it. The data is deterministic — two nodes
// at one position write the same bytes — so tests compare nodes by its digest. Sets and maps
// whose order nothing reads are written sorted; lists whose order counts are kept in order.
// Left out: the admin pseudo-user (every node makes its own) and counters derived from users.
import { createHash } from 'node:crypto';
import type { Snapshot } from '../cluster/bus.ts';
import type { BanList, ServerBan } from './bans.ts';
import { ADMIN_UID, type NetworkState } from './network-state.ts';
import { SNAPSHOT_VERSION, snapshotDataSchema, type SnapshotChannel, type SnapshotData, type SnapshotServerBan, type SnapshotUser } from './snapshot-schema.ts';
import { Channel, Membership, User, type StatusMode } from './state.ts';

/** A snapshot that cannot be loaded: the state it was to replace is left as it was. */
export class SnapshotError extends Error {
  override name = 'SnapshotError';
}

export function takeSnapshot(state: NetworkState): Snapshot {
  const data: SnapshotData = {
    version: SNAPSHOT_VERSION,
    position: state.position,
    time: state.time,
    // In the map's order, not sorted: only the reducer adds users (user.introduce, in log
    // order), so every node holds them in the same order, and node.down quits a node's users
    // in that order (their QUIT msgids). A loaded state must keep it.
    users: [...state.users.values()].filter((u) => u.uid !== ADMIN_UID).map(userData),
    // Rooms, members and server bans in the order the reducer made them (the log's order, the
    // same on every node): LIST, NAMES and which ban matches first read that order.
    channels: [...state.channels.values()].map(channelData),
    bans: serverBans(state.bans, state.time),
    mutes: serverBans(state.mutes, state.time),
    nodes: sortedBy([...state.nodes], ([nodeId]) => nodeId),
    // Left out while no node announced a name (snapshots from before names were announced).
    nodeNames: state.nodeNames.size > 0 ? sortedBy([...state.nodeNames], ([nodeId]) => nodeId) : undefined,
    deadEpochs: [...state.deadEpochs].sort(),
    // Left out (undefined) until a node announced it.
    adminNick: state.adminNick,
    casemapping: state.casemapping,
    unicode: state.unicode,
  };
  return { position: state.position, data: JSON.stringify(data) };
}

/** sha256 (hex) of the snapshot data: equal on two nodes exactly when their states are. */
export function snapshotDigest(state: NetworkState): string {
  return createHash('sha256').update(takeSnapshot(state).data).digest('hex');
}

/**
 * Replaces what `state` holds with the snapshot's network, in place (its maps are shared
 * with the reducer and readers). The admin pseudo-user stays. Throws a SnapshotError, with
 * `state` untouched, when the snapshot is damaged or of another version.
 */
export function loadSnapshot(state: NetworkState, snapshot: Snapshot): void {
  const data = parseSnapshot(snapshot);
  const users = buildUsers(data.users, state.admin);
  const channels = new Map<string, Channel>();
  for (const d of data.channels) {
    const ch = buildChannel(d, users.byUid);
    if (channels.has(ch.folded)) throw new SnapshotError(`Snapshot lists channel ${d.name} twice`);
    channels.set(ch.folded, ch);
  }
  const nodes = new Map<string, string>();
  for (const [nodeId, epoch] of data.nodes) {
    if (nodes.has(nodeId)) throw new SnapshotError(`Snapshot lists node ${nodeId} twice`);
    nodes.set(nodeId, epoch);
  }

  // Everything is built and checked: only now is the state changed.
  const admin = state.admin;
  state.users.clear();
  state.nicks.clear();
  if (admin) {
    if (admin.joined.size > 0) admin.channels.clear();
    state.users.set(admin.uid, admin);
  }
  for (const user of users.byUid.values()) state.users.set(user.uid, user);
  for (const [folded, user] of users.byNick) state.nicks.set(folded, user);
  state.lookalikes.clear();
  for (const user of state.users.values()) state.lookalikes.add(user);
  state.channels.clear();
  for (const [folded, ch] of channels) state.channels.set(folded, ch);
  refill(state.bans, data.bans);
  refill(state.mutes, data.mutes);
  state.nodes.clear();
  for (const [nodeId, epoch] of nodes) state.nodes.set(nodeId, epoch);
  state.nodeNames.clear();
  for (const [nodeId, name] of data.nodeNames ?? []) if (nodes.has(nodeId)) state.nodeNames.set(nodeId, name);
  state.adminNick = data.adminNick;
  state.casemapping = data.casemapping;
  state.unicode = data.unicode;
  state.deadEpochs.clear();
  for (const epoch of data.deadEpochs) state.deadEpochs.add(epoch);
  state.invisibleCount = 0;
  state.operCount = 0;
  for (const u of state.users.values()) {
    if (u.hasMode('i')) state.invisibleCount++;
    if (u.hasMode('o')) state.operCount++;
  }
  state.position = data.position;
  state.time = data.time;
}

function parseSnapshot(snapshot: Snapshot): SnapshotData {
  let json: unknown;
  try {
    json = JSON.parse(snapshot.data);
  } catch (err) {
    throw new SnapshotError(`Snapshot at position ${snapshot.position} is not JSON: ${(err as Error).message}`);
  }
  const version = (json as { version?: unknown } | null)?.version;
  if (version !== SNAPSHOT_VERSION) {
    throw new SnapshotError(`Snapshot at position ${snapshot.position} has version ${JSON.stringify(version)}; this node reads version ${SNAPSHOT_VERSION}`);
  }
  const parsed = snapshotDataSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new SnapshotError(`Snapshot at position ${snapshot.position} is malformed: ${problems.join('; ')}`);
  }
  if (parsed.data.position !== snapshot.position) {
    throw new SnapshotError(`Snapshot says position ${snapshot.position} but its data is at ${parsed.data.position}`);
  }
  return parsed.data;
}

function userData(u: User): SnapshotUser {
  return {
    uid: u.uid,
    nodeId: u.nodeId,
    nick: u.nick,
    username: u.username,
    hostname: u.hostname,
    realname: u.realname,
    signonAt: u.signonAt,
    secure: u.secure,
    address: u.address,
    account: u.account ?? null,
    away: u.away ?? null,
    modes: [...u.modes].sort().join(''),
  };
}

function channelData(ch: Channel): SnapshotChannel {
  const reg = ch.registration;
  return {
    name: ch.name,
    createdAt: ch.createdAt,
    flags: [...ch.flags].sort(),
    key: ch.key ?? null,
    limit: ch.limit ?? null,
    topic: ch.topic,
    topicSetBy: ch.topicSetBy,
    topicSetAt: ch.topicSetAt,
    bans: ch.bans.map((b) => ({ mask: b.mask, setBy: b.setBy, setAt: b.setAt })),
    exceptions: ch.exceptions.map((b) => ({ mask: b.mask, setBy: b.setBy, setAt: b.setAt })),
    invites: ch.invites.map((b) => ({ mask: b.mask, setBy: b.setBy, setAt: b.setAt })),
    invited: [...ch.invited].sort(),
    registration: reg ? { founder: reg.founder, registeredAt: reg.registeredAt, operators: sortedBy([...reg.operators], ([folded]) => folded) } : null,
    members: [...ch.members].map(([u, m]) => [u.uid, m.modes as SnapshotChannel['members'][number][1]]),
  };
}

/** In force at `now`, in the list's order: an entry already expired is gone on every node at the next entry. */
function serverBans(list: BanList, now: number): SnapshotServerBan[] {
  return list.inForceAt(now).map((b) => ({
    kind: b.kind,
    mask: b.mask,
    reason: b.reason,
    setBy: b.setBy,
    setAt: b.setAt,
    expiresAt: b.expiresAt ?? null,
  }));
}

function refill(list: BanList, bans: SnapshotServerBan[]): void {
  list.clear();
  for (const b of bans) list.add({ ...b, expiresAt: b.expiresAt ?? undefined } satisfies ServerBan);
}

function buildUsers(data: SnapshotUser[], admin: User | undefined): { byUid: Map<string, User>; byNick: Map<string, User> } {
  const byUid = new Map<string, User>();
  const byNick = new Map<string, User>();
  if (admin) byNick.set(admin.foldedNick, admin);
  for (const d of data) {
    if (d.uid === ADMIN_UID) throw new SnapshotError('Snapshot lists the admin pseudo-user, which every node makes itself');
    if (byUid.has(d.uid)) throw new SnapshotError(`Snapshot lists user ${d.uid} twice`);
    const { away, account, ...init } = d;
    const user = new User({ ...init, account: account ?? undefined });
    user.away = away ?? undefined;
    if (byNick.has(user.foldedNick)) throw new SnapshotError(`Snapshot gives nick ${d.nick} to two users`);
    byUid.set(user.uid, user);
    byNick.set(user.foldedNick, user);
  }
  return { byUid, byNick };
}

function buildChannel(d: SnapshotChannel, users: ReadonlyMap<string, User>): Channel {
  const ch = new Channel(d.name, d.createdAt);
  ch.flags.clear();
  for (const f of d.flags) ch.flags.add(f);
  ch.key = d.key ?? undefined;
  ch.limit = d.limit ?? undefined;
  ch.topic = d.topic;
  ch.topicSetBy = d.topicSetBy;
  ch.topicSetAt = d.topicSetAt;
  ch.bans = d.bans.map((b) => ({ ...b }));
  ch.exceptions = d.exceptions.map((b) => ({ ...b }));
  ch.invites = d.invites.map((b) => ({ ...b }));
  // Not checked against users: an invitation outlives its invitee's QUIT.
  for (const uid of d.invited) ch.invited.add(uid);
  if (d.registration) {
    const { founder, registeredAt, operators } = d.registration;
    ch.registration = { founder, registeredAt, operators: new Map(operators) };
  }
  for (const [uid, modes] of d.members) {
    const user = users.get(uid);
    if (!user) throw new SnapshotError(`Snapshot lists ${uid} in ${d.name} but no such user`);
    if (ch.members.has(user)) throw new SnapshotError(`Snapshot lists ${uid} in ${d.name} twice`);
    const membership = new Membership();
    for (const mode of modes) membership.set(mode as StatusMode, true);
    ch.members.set(user, membership);
    user.channels.add(ch);
  }
  // The reducer drops a room when its last member leaves, unless it is registered.
  if (ch.members.size === 0 && !ch.registration) throw new SnapshotError(`Snapshot lists ${d.name} with no members and no registration`);
  return ch;
}

/** Sorted by a string key, by code unit (never by locale: every node must agree). */
function sortedBy<T>(items: T[], key: (item: T) => string): T[] {
  return items
    .map((item) => ({ item, k: key(item) }))
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
    .map((x) => x.item);
}
