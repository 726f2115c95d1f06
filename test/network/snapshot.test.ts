// Snapshots of the network state (src/network/snapshot.ts): deterministic data, a digest that
// tells nodes apart exactly when their states differ, and a loaded state that goes on applying
// the log exactly like the state it was taken from.
import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import type { LogEntry } from '../../src/cluster/log-cursor.ts';
import type { NetworkEvent } from '../../src/network/events.ts';
import { ADMIN_UID, NetworkState } from '../../src/network/network-state.ts';
import { Reducer } from '../../src/network/reducer.ts';
import { loadSnapshot, SnapshotError, snapshotDigest, takeSnapshot } from '../../src/network/snapshot.ts';
import type { UserInit } from '../../src/network/state.ts';
import { mulberry32, seedFromEnv } from '../helpers/seed.ts';

const T0 = 1_700_000_000_000;

/** One node's replica: its own admin pseudo-user (hostnames differ per node) and reducer. */
class Replica {
  readonly state: NetworkState;
  readonly reducer: Reducer;
  constructor(serverName = 'a.test') {
    this.state = new NetworkState({ nick: 'Admin', hostname: serverName });
    this.reducer = new Reducer(this.state, { serverName });
  }
  applyAll(entries: readonly LogEntry<NetworkEvent>[]): this {
    for (const e of entries) this.reducer.apply(e);
    return this;
  }
}

/** A log under construction: positions from 1, the time moving on by `dt` per entry. */
class Log {
  readonly entries: LogEntry<NetworkEvent>[] = [];
  time = T0;
  add(event: NetworkEvent, epoch = 'e1', dt = 1000): LogEntry<NetworkEvent> {
    this.time += dt;
    const entry = { position: this.entries.length + 1, epoch, time: this.time, ref: 0, event };
    this.entries.push(entry);
    return entry;
  }
}

let msgids = 0;
const msgid = (): string => `m${++msgids}`;

function introduce(uid: string, nick: string, nodeId: string, more: Partial<UserInit> = {}): NetworkEvent {
  return { type: 'user.introduce', uid, nodeId, nick, username: `u-${nick}`, hostname: `${nick}.example`, realname: `Real ${nick}`, secure: false, address: '10.0.0.1', modes: '', ...more };
}
const join = (uid: string, channel: string, key?: string): NetworkEvent => ({ type: 'channel.join', uid, channel, key, msgid: msgid() });
const mode = (uid: string | undefined, channel: string, changes: { add: boolean; mode: string; arg?: string }[]): NetworkEvent => ({ type: 'channel.mode', uid, setBy: 'srv', channel, changes, msgid: msgid() });

/** Two nodes, users whose uids do not sort in the order they came, rooms, bans: most of what a state holds. */
function richLog(): Log {
  const log = new Log();
  log.add({ type: 'node.up', nodeId: 'n1' }, 'e1');
  log.add({ type: 'node.up', nodeId: 'n3' }, 'e0');
  log.add({ type: 'node.down', nodeId: 'n3', epoch: 'e0', reason: 'gone' }, 'e1');
  log.add({ type: 'node.up', nodeId: 'n2' }, 'e2');
  log.add(introduce('n1-10', 'alice', 'n1', { modes: 'wi', account: 'alice', secure: true }), 'e1');
  log.add(introduce('n1-9', 'Bob', 'n1', { modes: 'o' }), 'e1');
  log.add(introduce('n1-b', 'carol', 'n1'), 'e1');
  for (const [uid, nick] of [['n2-10', 'dave'], ['n2-9', 'erin'], ['n2-b', 'frank'], ['n2-a', 'gina']] as const) log.add(introduce(uid, nick, 'n2'), 'e2');
  log.add(join('n1-10', '#Parlor'), 'e1');
  log.add(join('n1-9', '#parlor'), 'e1');
  log.add(join('n2-10', '#PARLOR'), 'e2');
  log.add(join('n2-9', '#parlor'), 'e2');
  log.add(join('n2-a', '#other'), 'e2');
  log.add(join('n2-b', '#other'), 'e2');
  log.add(join('n1-b', '#other'), 'e1');
  log.add(
    mode('n1-10', '#parlor', [
      { add: true, mode: 'v', arg: 'n1-9' },
      { add: true, mode: 'o', arg: 'n2-10' },
      { add: true, mode: 'b', arg: '*!*@worse.example' },
      { add: true, mode: 'b', arg: '*!*@bad.example' },
      { add: true, mode: 'l', arg: '10' },
      { add: true, mode: 'k', arg: 'secret' },
      { add: true, mode: 's' },
      { add: true, mode: 'i' },
    ]),
    'e1',
  );
  log.add({ type: 'channel.invite', uid: 'n1-10', channel: '#parlor', targetUid: 'n2-b', msgid: msgid() }, 'e1');
  log.add({ type: 'channel.invite', uid: 'n1-10', channel: '#parlor', targetUid: 'n1-b', msgid: msgid() }, 'e1');
  log.add({ type: 'channel.topic', uid: 'n1-10', channel: '#parlor', topic: 'Welcome', msgid: msgid() }, 'e1');
  log.add({ type: 'channel.register', channel: '#parlor', founder: 'alice', operators: ['Zed', 'Bob'], registeredAt: T0 }, 'e1');
  log.add({ type: 'user.away', uid: 'n1-9', away: 'lunch' }, 'e1');
  log.add({ type: 'user.nick', uid: 'n1-b', nick: 'Carol2', msgid: msgid() }, 'e1');
  log.add({ type: 'user.mode', uid: 'n2-10', changes: [{ add: true, mode: 'i' }] }, 'e2');
  log.add({ type: 'ban.add', list: 'ban', ban: { kind: 'mask', mask: '*!*@spam.example', reason: 'spam', setBy: 'oper', setAt: T0, expiresAt: undefined } }, 'e1');
  log.add({ type: 'ban.add', list: 'mute', ban: { kind: 'cidr', mask: '10.9.0.0/16', reason: 'noise', setBy: 'oper', setAt: T0, expiresAt: T0 + 3_600_000 } }, 'e1');
  log.add({ type: 'ban.add', list: 'ban', ban: { kind: 'cidr', mask: '192.0.2.7', reason: 'abuse', setBy: 'oper', setAt: T0, expiresAt: T0 + 7_200_000 } }, 'e1');
  return log;
}

/** What comes after the snapshot: node n2 dies (its users quit in the state's user order), and more. */
function furtherEntries(log: Log): LogEntry<NetworkEvent>[] {
  const from = log.entries.length;
  log.add({ type: 'node.down', nodeId: 'n2', epoch: 'e2', reason: '*.net *.split' }, 'e1');
  log.add({ type: 'node.up', nodeId: 'n2' }, 'e4');
  log.add(introduce('n2-c', 'dave', 'n2'), 'e4');
  log.add(join('n2-c', '#parlor', 'secret'), 'e4'); // +i and not invited: refused
  log.add(join('n1-b', '#parlor', 'secret'), 'e1'); // invited
  log.add(mode('n1-10', '#parlor', [{ add: false, mode: 'v', arg: 'n1-9' }, { add: false, mode: 'b', arg: '*!*@worse.example' }, { add: false, mode: 'i' }]), 'e1');
  log.add(join('n2-c', '#parlor', 'secret'), 'e4');
  log.add({ type: 'channel.kick', uid: 'n1-10', channel: '#parlor', targetUid: 'n1-9', reason: 'bye', override: false, msgid: msgid() }, 'e1');
  log.add({ type: 'ban.remove', list: 'ban', mask: '*!*@spam.example' }, 'e1');
  log.add({ type: 'account.logout', account: 'ALICE' }, 'e1');
  log.add({ type: 'channel.part', uid: 'n1-b', channel: '#other', reason: 'done', msgid: msgid() }, 'e1');
  log.add({ type: 'user.quit', uid: 'n1-9', reason: 'later', msgid: msgid() }, 'e1', 4_000_000); // the mute and a ban expire
  log.add({ type: 'channel.unregister', channel: '#parlor' }, 'e1');
  return log.entries.slice(from);
}

/** The indexes a loaded state must rebuild agree with its users and rooms. */
function assertConsistent(state: NetworkState): void {
  assert.equal(state.nicks.size, state.users.size);
  let invisible = 0;
  let opers = 0;
  for (const u of state.users.values()) {
    assert.equal(state.nicks.get(u.foldedNick), u, `nick index of ${u.uid}`);
    assert.equal(u.mask, `${u.nick}!${u.username}@${u.hostname}`);
    for (const ch of u.joined) assert.ok(ch.members.has(u) && state.channels.get(ch.folded) === ch, `${u.uid} in ${ch.name}`);
    if (u.hasMode('i')) invisible++;
    if (u.hasMode('o')) opers++;
  }
  for (const ch of state.channels.values()) for (const u of ch.members.keys()) assert.ok(u.joined.has(ch) && state.users.get(u.uid) === u);
  assert.equal(state.invisibleCount, invisible);
  assert.equal(state.operCount, opers);
}

describe('network snapshots', () => {
  test('round trip: loading gives the same data, and the loaded state then applies the log like the original', () => {
    const log = richLog();
    const original = new Replica('a.test').applyAll(log.entries);
    const snapshot = takeSnapshot(original.state);
    assert.equal(snapshot.position, log.entries.length);
    assert.equal(JSON.parse(snapshot.data).version, 1);

    const loaded = new Replica('b.test');
    loadSnapshot(loaded.state, snapshot);
    assert.equal(takeSnapshot(loaded.state).data, snapshot.data);
    assertConsistent(loaded.state);
    assert.equal(loaded.state.admin?.hostname, 'b.test', 'the admin pseudo-user is the loading node’s own');
    assert.equal(loaded.state.users.get(ADMIN_UID), loaded.state.admin);
    assert.equal(loaded.state.userCount, original.state.userCount);
    assert.equal(loaded.state.invisibleCount, original.state.invisibleCount);
    assert.equal(loaded.state.operCount, original.state.operCount);
    assert.deepEqual([...loaded.state.users.keys()], [...original.state.users.keys()], 'users stay in log order');
    assert.equal(loaded.state.userByNick('CAROL2')?.uid, 'n1-b');
    assert.equal(loaded.state.channel('#PARLOR')?.members.get(loaded.state.users.get('n1-9')!)?.modes, 'v');
    assert.equal(loaded.state.bans.match(log.time, '192.0.2.7')?.reason, 'abuse');

    for (const entry of furtherEntries(log)) {
      const a = original.reducer.apply(entry).verdict;
      const b = loaded.reducer.apply(entry).verdict;
      assert.deepEqual(b, a, `verdict at ${entry.position}`);
      assert.equal(snapshotDigest(loaded.state), snapshotDigest(original.state), `digest after ${entry.position} (${entry.event.type})`);
    }
    assertConsistent(loaded.state);
  });

  test('loading replaces whatever the state held, in place', () => {
    const log = richLog();
    const source = new Replica().applyAll(log.entries).state;
    const snapshot = takeSnapshot(source);
    const other = new Log();
    other.add({ type: 'node.up', nodeId: 'n9' }, 'x');
    other.add(introduce('n9-1', 'zoe', 'n9', { modes: 'io' }), 'x');
    other.add(join('n9-1', '#zoe'), 'x');
    const target = new Replica('c.test').applyAll(other.entries);
    const { users, channels, nicks } = target.state;
    const zoe = target.state.users.get('n9-1')!;
    loadSnapshot(target.state, snapshot);
    assert.equal(takeSnapshot(target.state).data, snapshot.data);
    assert.ok(target.state.users === users && target.state.channels === channels && target.state.nicks === nicks);
    assert.equal(target.state.userByNick('zoe'), undefined);
    assert.equal(target.state.channel('#zoe'), undefined);
    assert.ok(!target.state.nodes.has('n9'));
    assert.ok(![...users.values()].includes(zoe), 'the old users are let go');
    // zoe (+io) no longer counts.
    assert.deepEqual([target.state.invisibleCount, target.state.operCount, target.state.userCount], [source.invisibleCount, source.operCount, source.userCount]);
    assertConsistent(target.state);
  });

  test('equal states give equal data, however their maps and sets were filled', () => {
    const log = richLog();
    const a = new Replica('a.test').applyAll(log.entries).state;
    const b = new Replica('b.test').applyAll(log.entries).state;
    // Refill every map and set whose order nothing reads, the other way round.
    const refill = <K, V>(m: Map<K, V>): void => {
      const items = [...m].reverse();
      m.clear();
      for (const [k, v] of items) m.set(k, v);
    };
    const refillSet = <T>(s: Set<T>): void => {
      const items = [...s].reverse();
      s.clear();
      for (const x of items) s.add(x);
    };
    // Rooms, members and server bans keep the log's order (NAMES, LIST and ban matching read
    // it), so they are left as they are; the rest may be filled in any order.
    refill(b.nicks);
    refill(b.nodes);
    refillSet(b.deadEpochs);
    for (const ch of b.channels.values()) {
      refillSet(ch.flags);
      refillSet(ch.invited);
      if (ch.registration) refill(ch.registration.operators);
    }
    for (const u of b.users.values()) {
      refillSet(u.modes);
      refillSet(u.channels);
    }
    assert.notDeepEqual([...b.nicks.keys()], [...a.nicks.keys()], 'the refill changed an order');
    assert.equal(snapshotDigest(b), snapshotDigest(a));
    // …and a member order that differs is a different state.
    const c = new Replica('c.test').applyAll(log.entries).state;
    const room = [...c.channels.values()].find((ch) => ch.members.size > 1)!;
    refill(room.members);
    assert.notEqual(snapshotDigest(c), snapshotDigest(a));

    // Mode letters given in another order are the same modes.
    const other = new Log();
    other.add({ type: 'node.up', nodeId: 'n1' });
    const iw = other.add(introduce('n1-1', 'x', 'n1', { modes: 'iw' }));
    const wi = { ...iw, event: introduce('n1-1', 'x', 'n1', { modes: 'wi' }) };
    assert.equal(snapshotDigest(new Replica().applyAll(other.entries).state), snapshotDigest(new Replica().applyAll([other.entries[0]!, wi]).state));
  });

  test('different states give different digests', () => {
    const base = richLog();
    const at = (events: NetworkEvent[]): string => {
      const log = new Log();
      for (const e of base.entries) log.add(e.event, e.epoch);
      for (const e of events) log.add(e, 'e1');
      return snapshotDigest(new Replica().applyAll(log.entries).state);
    };
    const notice: NetworkEvent = { type: 'server.notice', command: 'NOTICE', source: 'srv', text: 'hi', msgid: 'n' };
    const variants: Record<string, NetworkEvent[]> = {
      'no change': [notice, notice],
      'topic': [notice, { type: 'channel.topic', uid: 'n1-10', channel: '#parlor', topic: 'Other', msgid: 't' }],
      'away': [notice, { type: 'user.away', uid: 'n1-10', away: 'out' }],
      'another away': [notice, { type: 'user.away', uid: 'n1-10', away: 'OUT' }],
      'voice': [notice, mode('n1-10', '#parlor', [{ add: true, mode: 'v', arg: 'n2-9' }])],
      'bans x then y': [mode('n2-a', '#other', [{ add: true, mode: 'b', arg: 'x!*@*' }]), mode('n2-a', '#other', [{ add: true, mode: 'b', arg: 'y!*@*' }])],
      'bans y then x': [mode('n2-a', '#other', [{ add: true, mode: 'b', arg: 'y!*@*' }]), mode('n2-a', '#other', [{ add: true, mode: 'b', arg: 'x!*@*' }])],
      'mute': [notice, { type: 'ban.add', list: 'mute', ban: { kind: 'mask', mask: 'q!*@*', reason: 'r', setBy: 'o', setAt: 1, expiresAt: undefined } }],
      'same mask as a ban': [notice, { type: 'ban.add', list: 'ban', ban: { kind: 'mask', mask: 'q!*@*', reason: 'r', setBy: 'o', setAt: 1, expiresAt: undefined } }],
    };
    const digests = Object.entries(variants).map(([name, events]) => [name, at(events)] as const);
    assert.equal(new Set(digests.map(([, d]) => d)).size, digests.length, JSON.stringify(digests));
    assert.equal(at([notice, notice]), at([notice, { ...notice, text: 'other' }]), 'what changes no state changes no digest');
  });

  test('bans and mutes expired at the state’s time are left out', () => {
    const withBans = new Log();
    const without = new Log();
    for (const log of [withBans, without]) log.add({ type: 'node.up', nodeId: 'n1' });
    const notice: NetworkEvent = { type: 'server.notice', command: 'NOTICE', source: 'srv', text: 'hi', msgid: 'n' };
    const ban = (mask: string, expiresAt: number | undefined, list: 'ban' | 'mute' = 'ban'): NetworkEvent => ({
      type: 'ban.add',
      list,
      ban: { kind: 'mask', mask, reason: 'r', setBy: 'o', setAt: T0, expiresAt },
    });
    withBans.add(ban('later!*@*', T0 + 2500)); // at T0+2000; gone once the time passes T0+2500
    without.add(notice);
    withBans.add(ban('never!*@*', undefined));
    without.add(ban('never!*@*', undefined));
    withBans.add(notice); // T0+4000: later!*@* has expired
    without.add(notice);
    const t = withBans.time + 1000;
    // Added already expired (at the entry's time, or before it): in the list until the next entry, not in the snapshot.
    withBans.add(ban('now!*@*', t, 'mute'));
    without.add(notice);
    const a = new Replica().applyAll(withBans.entries).state;
    const b = new Replica().applyAll(without.entries).state;
    assert.ok(a.mutes.size === 1, 'the reducer still holds the expired mute');
    const data = takeSnapshot(a).data;
    assert.ok(data.includes('never!*@*') && !data.includes('later!*@*') && !data.includes('now!*@*'), data);
    assert.equal(snapshotDigest(a), snapshotDigest(b));
  });

  test('a damaged snapshot throws a clear error and leaves the state as it was', () => {
    const good = takeSnapshot(new Replica().applyAll(richLog().entries).state);
    const data = JSON.parse(good.data);
    const edit = (f: (d: typeof data) => void): string => {
      const copy = structuredClone(data);
      f(copy);
      return JSON.stringify(copy);
    };
    const cases: [string, string, RegExp][] = [
      ['not JSON', good.data.slice(0, 40), /not JSON/],
      ['another version', edit((d) => (d.version = 2)), /version 2.*reads version 1/],
      ['no version', edit((d) => delete d.version), /version undefined/],
      ['a field missing', edit((d) => delete d.users[0].nick), /malformed: users\.0\.nick/],
      ['a field of the wrong type', edit((d) => (d.channels[0].limit = 'ten')), /malformed: channels\.0\.limit/],
      ['an unknown field', edit((d) => (d.extra = true)), /malformed/],
      ['a member who is no user', edit((d) => d.channels[0].members.push(['ghost', ''])), /ghost.*no such user/],
      ['a nick held twice', edit((d) => (d.users[1].nick = d.users[0].nick.toUpperCase())), /two users/],
      ['the admin pseudo-user', edit((d) => (d.users[0].uid = ADMIN_UID)), /admin/],
      ['an empty unregistered room', edit((d) => (d.channels[0].members = [])), /no members/],
      ['another position', edit((d) => (d.position = 3)), /position/],
    ];
    const target = new Replica().applyAll(richLog().entries.slice(0, 12));
    const before = takeSnapshot(target.state).data;
    for (const [name, text, message] of cases) {
      assert.throws(() => loadSnapshot(target.state, { position: good.position, data: text }), (err: unknown) => err instanceof SnapshotError && message.test(err.message), name);
      assert.equal(takeSnapshot(target.state).data, before, `${name}: state untouched`);
    }
  });

  test('seeded random log: a snapshot at any point, loaded, follows the rest of the log like the original', (t) => {
    const seed = seedFromEnv(0x5eed18);
    t.diagnostic(`seed ${seed} (PARLOR_SEED=${seed} replays it)`);
    const { entries, digests, snapshots, applied } = randomLog(seed, 400, 37);
    t.diagnostic(`applied: ${JSON.stringify(Object.fromEntries(applied))}`);
    for (const type of ['node.down', 'user.introduce', 'channel.join', 'channel.mode', 'ban.add']) assert.ok(applied.has(type), `the run applied a ${type}`);
    const original = new Replica('a.test').applyAll(entries).state;
    assert.equal(snapshotDigest(original), digests[entries.length]);
    for (const snapshot of snapshots) {
      const loaded = new Replica('b.test');
      loadSnapshot(loaded.state, snapshot);
      assert.equal(takeSnapshot(loaded.state).data, snapshot.data, `round trip at ${snapshot.position}`);
      assertConsistent(loaded.state);
      for (const entry of entries.slice(snapshot.position)) {
        loaded.reducer.apply(entry);
        assert.equal(snapshotDigest(loaded.state), digests[entry.position], `seed ${seed}: loaded at ${snapshot.position}, diverged at ${entry.position} (${entry.event.type})`);
      }
      assertConsistent(loaded.state);
    }
  });
});

/** A random log over three nodes, made by reading the state it builds; snapshots every `every` entries. */
function randomLog(seed: number, count: number, every: number) {
  const rand = mulberry32(seed);
  const int = (n: number): number => Math.floor(rand() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const { state, reducer } = new Replica('gen.test');
  const log = new Log();
  const digests: string[] = [snapshotDigest(state)];
  const snapshots = [];
  const nicks = ['alice', 'Bob', 'bob', 'carol', '[jo]', '{JO}', 'dave', 'erin'];
  const rooms = ['#a', '#A', '#b', '#c[1]', '#C{1}'];
  const masks = ['*!*@h1.example', 'alice!*@*', '*!u-bob@*', 'x!*@*'];
  const letters = (from: string): string => [...from].filter(() => rand() < 0.4).join('');
  const applied = new Map<string, number>();
  let epochs = 0;
  let uids = 0;
  for (let i = 0; i < count; i++) {
    const users = [...state.users.values()].filter((u) => u.uid !== ADMIN_UID);
    const nodes = [...state.nodes];
    const r = rand();
    let event: NetworkEvent;
    let epoch: string;
    if (nodes.length === 0 || r < 0.03) {
      event = { type: 'node.up', nodeId: pick(['n1', 'n2', 'n3']) };
      epoch = `e${++epochs}`;
    } else if (r < 0.05) {
      const [nodeId, dead] = pick(nodes);
      event = { type: 'node.down', nodeId, epoch: dead, reason: '*.net *.split' };
      epoch = pick(nodes)[1];
    } else if (users.length === 0 || r < 0.2) {
      const [nodeId, up] = pick(nodes);
      event = introduce(`${nodeId}-${++uids}`, pick(nicks), nodeId, { modes: letters('wio'), account: rand() < 0.4 ? pick(nicks) : undefined, address: `10.0.0.${int(3)}` });
      epoch = up;
    } else {
      const u = pick(users);
      const room = pick(rooms);
      // Mostly someone in the room, so that kicks and +o/+v find their target.
      const members = [...(state.channel(room)?.members.keys() ?? [])];
      const other = members.length > 0 && rand() < 0.7 ? pick(members).uid : pick(users).uid;
      epoch = state.nodes.get(u.nodeId)!;
      const change = (): { add: boolean; mode: string; arg?: string } => {
        const m = pick(['o', 'v', 'b', 'k', 'l', 'i', 'm', 'n', 's', 't']);
        const arg = m === 'o' || m === 'v' ? other : m === 'b' ? pick(masks) : m === 'k' ? 'key' : m === 'l' ? String(1 + int(4)) : undefined;
        return { add: rand() < 0.6, mode: m, ...(arg === undefined ? {} : { arg }) };
      };
      const events: NetworkEvent[] = [
        { type: 'user.nick', uid: u.uid, nick: pick(nicks), msgid: msgid() },
        { type: 'user.quit', uid: u.uid, reason: 'bye', msgid: msgid() },
        { type: 'user.away', uid: u.uid, away: rand() < 0.5 ? undefined : 'away' },
        { type: 'user.setname', uid: u.uid, realname: `R${int(5)}` },
        { type: 'user.mode', uid: u.uid, changes: [{ add: rand() < 0.5, mode: pick(['i', 'o', 'w']) }] },
        { type: 'user.account', uid: u.uid, account: rand() < 0.3 ? undefined : pick(nicks) },
        { type: 'account.logout', account: pick(nicks) },
        join(u.uid, room, rand() < 0.5 ? 'key' : undefined),
        join(u.uid, room, rand() < 0.5 ? 'key' : undefined),
        { type: 'channel.part', uid: u.uid, channel: room, reason: undefined, msgid: msgid() },
        { type: 'channel.kick', uid: u.uid, channel: room, targetUid: other, reason: 'k', override: rand() < 0.4, msgid: msgid() },
        { type: 'channel.topic', uid: u.uid, channel: room, topic: `topic ${int(9)}`, msgid: msgid() },
        mode(rand() < 0.4 ? undefined : u.uid, room, [change(), change(), change()]),
        mode(rand() < 0.4 ? undefined : u.uid, room, [change(), change(), change()]),
        { type: 'channel.invite', uid: u.uid, channel: room, targetUid: other, msgid: msgid() },
        { type: 'channel.register', channel: room, founder: u.account ?? u.nick, operators: [pick(nicks)], registeredAt: log.time },
        { type: 'channel.unregister', channel: room },
        { type: 'ban.add', list: pick(['ban', 'mute'] as const), ban: { kind: 'mask', mask: pick(masks), reason: `r${int(3)}`, setBy: 'o', setAt: log.time, expiresAt: rand() < 0.5 ? undefined : log.time + int(20_000) - 2_000 } },
        { type: 'ban.add', list: 'mute', ban: { kind: 'cidr', mask: `10.0.0.${int(3)}`, reason: 'r', setBy: 'o', setAt: log.time, expiresAt: log.time + int(20_000) } },
        { type: 'ban.remove', list: pick(['ban', 'mute'] as const), mask: pick(masks) },
        { type: 'message', command: 'PRIVMSG', uid: u.uid, target: { kind: 'channel', name: room }, text: 'hi', clientTags: {}, msgid: msgid() },
        {
          type: 'channel.restore',
          record: { name: room, founder: pick(nicks), registeredAt: log.time, topic: 't', topicSetBy: 's', topicSetAt: log.time, modes: letters('tnsmi'), key: undefined, limit: 3, bans: [{ mask: pick(masks), setBy: 's', setAt: 1 }], operators: [pick(nicks)] },
        },
      ];
      event = pick(events);
    }
    if (reducer.apply(log.add(event, epoch, int(3000))).verdict.ok) applied.set(event.type, (applied.get(event.type) ?? 0) + 1);
    digests.push(snapshotDigest(state));
    if ((i + 1) % every === 0) snapshots.push(takeSnapshot(state));
  }
  return { entries: log.entries, digests, snapshots, applied };
}
