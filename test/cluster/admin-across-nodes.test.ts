// Admin actions go through the network's log (issue 18): a kick, kill, ban, mute, connection
// limit or account suspension/deletion issued on node A takes effect for users on node B —
// on one shared in-process log and on a delayed one. On the delayed log, an action whose
// target changed meanwhile is answered from the verdict, as a single node answers it.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runConsoleLine } from '../../src/admin/console-commands.ts';
import type { Bus } from '../../src/cluster/bus.ts';
import { InProcessBus } from '../../src/cluster/in-process-bus.ts';
import type { NetworkEvent } from '../../src/network/events.ts';
import { parseConfig, type ConfigInput } from '../../src/server/config.ts';
import { hashPassword } from '../../src/server/passwords.ts';
import { MemoryStore } from '../../src/storage/memory-store.ts';
import { addAccount, loginUser } from '../helpers/accounts.ts';
import { DelayedLog } from '../helpers/delayed-bus.ts';
import { is, joinAll, mask, settle } from '../helpers/irc.ts';
import type { RawClient } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const HASH = await hashPassword('s3cret', 4);
/**
 * Every node: an operator; no loopback exemption, so that the per-IP limit applies to
 * 127.0.0.1; and no periodic read-back of the log, which would pass over a paused node's hold.
 */
const BASE: ConfigInput = { opers: [{ name: 'root', password: HASH }], connections: { exempt: [] }, cluster: { catchUpMs: 3_600_000 } };

type LogKind = 'in-process' | 'delayed';

interface Pair {
  a: TestServer;
  b: TestServer;
  /** Every node has applied every entry. */
  settled(): Promise<void>;
  /** The delayed log (undefined on the in-process one). */
  log: DelayedLog<NetworkEvent> | undefined;
  /** Resolves when node `nodeId` next appends an event of this type (to know a command was read before resuming). */
  appended(nodeId: string, type: NetworkEvent['type']): Promise<void>;
  /** Starts one more node on the same log. */
  startNode(name: string): Promise<TestServer>;
  close(): Promise<void>;
}

async function startPair(kind: LogKind): Promise<Pair> {
  const store = new MemoryStore();
  const inProcess = kind === 'in-process' ? new InProcessBus<NetworkEvent>() : undefined;
  const log = kind === 'delayed' ? new DelayedLog<NetworkEvent>() : undefined;
  const servers: TestServer[] = [];
  const appendWaiters: { nodeId: string; type: NetworkEvent['type']; resolve: () => void }[] = [];
  /** The node's bus, telling appendWaiters of what it appends. */
  const watched = (nodeId: string, bus: Bus<NetworkEvent>): Bus<NetworkEvent> =>
    new Proxy(bus, {
      get(target, prop) {
        if (prop === 'append') {
          return (epoch: string, ref: number, event: NetworkEvent) => {
            const result = target.append(epoch, ref, event);
            for (const w of appendWaiters.filter((w) => w.nodeId === nodeId && w.type === event.type)) {
              appendWaiters.splice(appendWaiters.indexOf(w), 1);
              w.resolve();
            }
            return result;
          };
        }
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  const startNode = async (name: string): Promise<TestServer> => {
    const input: ConfigInput = { ...BASE, server: { name: `${name}.parlor` } };
    const bus = watched(name, inProcess ?? log!.node(name));
    // A reload reads the same config again (so the live limits give way to it).
    const t = await startServer(input, { bus, nodeId: name, store, reloadConfig: async () => parseConfig({ ...input, server: { ...input.server, port: 0 } }) });
    servers.push(t);
    return t;
  };
  const a = await startNode('a');
  const b = await startNode('b');
  return {
    a,
    b,
    log,
    startNode,
    appended: (nodeId, type) => new Promise((resolve) => appendWaiters.push({ nodeId, type, resolve })),
    settled: async () => {
      await log?.settled();
    },
    async close() {
      for (const t of servers) await t.close();
      await log?.close();
    },
  };
}

const console_ = (t: TestServer, line: string): Promise<string[]> => runConsoleLine(t.server, line);

async function operUp(t: TestServer, nick: string): Promise<RawClient> {
  const c = await t.register(nick);
  c.send('OPER root s3cret');
  await c.waitFor('381');
  await settle(c);
  return c;
}

/** A connection turned away at once: its ERROR line. */
async function refusedBy(t: TestServer): Promise<string> {
  const c = await t.connect();
  const error = await c.waitFor('ERROR');
  await c.waitClose();
  return error.raw;
}

const open: Pair[] = [];
after(async () => {
  for (const p of open) await p.close();
});

async function pair(kind: LogKind): Promise<Pair> {
  const p = await startPair(kind);
  open.push(p);
  return p;
}

for (const kind of ['in-process', 'delayed'] as const) {
  describe(`admin actions on node A reach node B (${kind} log)`, () => {
    test('console kick <nick> and an operator KILL on A disconnect users on B', async () => {
      const { a, b } = await pair(kind);
      const victim = await b.register('victim');
      const other = await b.register('other');
      assert.deepEqual(await console_(a, 'kick victim go away'), ['disconnected victim (go away)']);
      const kill = await victim.waitFor('KILL');
      assert.deepEqual(kill.msg.params, ['victim', 'Killed (admin (go away))']);
      await victim.waitClose();

      const op = await operUp(a, 'op');
      op.send('KILL other :enough');
      assert.deepEqual((await op.waitFor('NOTICE')).msg.params, ['op', '*** Killed other (enough)']);
      assert.deepEqual((await other.waitFor('KILL')).msg.params, ['other', 'Killed (op (enough))']);
      await other.waitClose();
    });

    test('console kick <#room> <nick> on A removes a user on B from the room', async () => {
      const { a, b, settled } = await pair(kind);
      const bob = await b.register('bob');
      const carol = await a.register('carol');
      await joinAll('#room', bob, carol);
      await settled();
      assert.deepEqual(await console_(a, 'kick #room bob out'), ['removed bob from #room']);
      assert.deepEqual((await bob.waitFor('KICK')).msg.params, ['#room', 'bob', 'out']);
      assert.deepEqual((await carol.waitFor('KICK')).msg.params, ['#room', 'bob', 'out']);
      await settled();
      assert.equal(b.server.network.channel('#room')?.members.size, 1);
    });

    test('console ban on A disconnects a matching user on B, and B refuses them until unbanned', async () => {
      const { a, b, settled } = await pair(kind);
      const spammer = await b.register('spammer');
      assert.deepEqual(await console_(a, 'ban 127.0.0.1 1h spam'), ['banned 127.0.0.1 for 1h (spam); 0 client(s) disconnected']);
      await spammer.waitFor(is('465', 'spammer'));
      await spammer.waitClose();
      await settled();
      assert.match(await refusedBy(b), /^ERROR :Closing Link: 127\.0\.0\.1 \(Banned: spam\)$/);
      assert.deepEqual(await console_(a, 'unban 127.0.0.1'), ['unbanned 127.0.0.1']);
      await settled();
      await b.register('back');
    });

    test('console mute on A: a user on B can read but not speak; unmute lets them speak', async () => {
      const { a, b, settled } = await pair(kind);
      const loud = await b.register('loud');
      const ear = await a.register('ear');
      await joinAll('#talk', loud, ear);
      await settled();
      assert.deepEqual(await console_(a, 'mute loud 10m calm down'), ['muted loud!*@* for 10m (calm down); 0 client(s) silenced']);
      assert.match((await loud.waitFor('NOTICE')).msg.params[1]!, /^You have been muted by the server operators for 10m: calm down/);
      loud.send('PRIVMSG #talk :still here?');
      const refused = (await loud.waitFor('404')).msg.params;
      assert.deepEqual(refused.slice(0, 2), ['loud', '#talk']);
      assert.match(refused[2]!, /^Cannot send to channel \(you are muted until .+ UTC: calm down\)$/);
      assert.deepEqual(await console_(a, 'unmute loud'), ['unmuted loud!*@*']);
      await loud.waitFor((r) => r.msg.command === 'NOTICE' && r.msg.params[1] === 'You are no longer muted: you can speak again.');
      loud.send('PRIVMSG #talk :back');
      assert.deepEqual((await ear.waitFor('PRIVMSG')).msg.params, ['#talk', 'back']);
    });

    test('limit and limit-ip set on A (console, LIMIT) refuse connections over them on B', async () => {
      const { a, b, settled } = await pair(kind);
      await b.register('one');
      await b.register('two');
      assert.deepEqual(await console_(a, 'limit 2'), ['connection limit: 2 (0 connected now, peak 0)']);
      await settled();
      assert.equal(b.server.gate.maxConnections, 2);
      assert.equal(await refusedBy(b), 'ERROR :Server is full (2 connections); try again later');
      assert.deepEqual(await console_(a, 'limit 100'), ['connection limit: 100 (0 connected now, peak 0)']);

      const op = await operUp(a, 'op');
      op.send('LIMIT IP 2');
      assert.deepEqual((await op.waitFor('NOTICE')).msg.params, ['op', '*** Connections: 1 of at most 100; at most 2 per IP']);
      await settled();
      assert.equal(await refusedBy(b), 'ERROR :Too many connections from your address (2 allowed)');
      op.send('LIMIT 2');
      await op.waitFor((r) => r.msg.command === 'NOTICE' && r.msg.params[1]!.includes('of at most 2;'));
      await settled();
      assert.equal(b.server.gate.maxConnections, 2);
      assert.deepEqual(
        a.server.audit.recent(10).map((e) => `${e.actor} ${e.action} ${e.detail}`),
        ['console limit 2', 'console limit 100', 'oper:root oper undefined', 'oper:root limit-ip 2', 'oper:root limit 2'],
      );
    });

    test('a reload on B gives B its config limits back; A keeps the live one', async () => {
      const { a, b, settled } = await pair(kind);
      await b.register('one');
      await console_(a, 'limit 1');
      await settled();
      assert.equal(await refusedBy(b), 'ERROR :Server is full (1 connections); try again later');
      const notes = await console_(b, 'reload');
      assert.ok(notes.includes('  note: limits set live give way to the config: at most 10000 connections, 16 per IP'), notes.join('\n'));
      await b.register('two');
      assert.equal(a.server.gate.maxConnections, 1);
    });

    test('a node that starts later begins with its config limits, and takes those set after it joined', async () => {
      const p = await pair(kind);
      await console_(p.a, 'limit 5');
      await p.settled();
      const c = await p.startNode('c');
      assert.equal(c.server.gate.maxConnections, 10_000);
      await console_(p.a, 'limit 7');
      await p.settled();
      assert.deepEqual([p.a, p.b, c].map((t) => t.server.gate.maxConnections), [7, 7, 7]);
    });

    test('suspend and delete-account on A log out users on B (ACCOUNT *, 901)', async () => {
      const { a, b, settled } = await pair(kind);
      await addAccount(a, 'Suzy', 'suzy password');
      await addAccount(a, 'Dora', 'dora password');
      const suzy = await loginUser(b, 'suzy', 'Suzy', 'suzy password', ['account-notify']);
      const dora = await loginUser(b, 'dora', 'Dora', 'dora password', ['account-notify']);
      const friend = await a.register('pal', ['account-notify']);
      await joinAll('#acc', suzy, dora, friend);
      await settled();

      assert.deepEqual(await console_(a, 'suspend suzy'), ['suspended Suzy; 1 connection(s) logged out']);
      assert.equal((await suzy.waitFor('ACCOUNT')).raw, `:${mask('suzy')} ACCOUNT *`);
      await suzy.waitFor(is('901', 'suzy', mask('suzy'), 'You are now logged out'));
      assert.equal((await friend.waitFor('ACCOUNT')).raw, `:${mask('suzy')} ACCOUNT *`);

      assert.deepEqual(await console_(a, 'delete-account dora'), ['deleted the account Dora; 1 connection(s) logged out']);
      await dora.waitFor((r) => r.raw === `:${mask('dora')} ACCOUNT *`);
      await dora.waitFor(is('901', 'dora', mask('dora'), 'You are now logged out'));
      await settled();
      assert.equal(b.server.network.userByNick('dora')?.account, undefined);
    });
  });
}

describe('admin actions answered from the verdict (delayed log)', () => {
  test('a kick refused because the user left meanwhile answers as before, and audits nothing', async () => {
    const { a, b, log, settled } = await pair('delayed');
    const bob = await b.register('bob');
    const carol = await b.register('carol');
    await joinAll('#room', bob, carol);
    await settled();
    // A cannot hear the log for a while: it still sees bob in the room when it kicks him.
    log!.node('a').pause();
    bob.send('PART #room');
    await carol.waitFor('PART');
    assert.ok(a.server.network.channel('#room')?.members.has(a.server.network.userByNick('bob')!));
    const answer = console_(a, 'kick #room bob out');
    log!.node('a').resume();
    assert.deepEqual(await answer, ['error: bob is not in #room']);
    assert.equal(a.server.audit.recent(5).filter((e) => e.action === 'kick').length, 0);
  });

  test('a kill of a user who quit meanwhile: no such nick', async () => {
    const { a, b, log, settled } = await pair('delayed');
    const gone = await b.register('gone');
    const watcher = await b.register('watcher');
    await joinAll('#w', gone, watcher);
    await settled();
    log!.node('a').pause();
    gone.send('QUIT :bye');
    await watcher.waitFor('QUIT');
    const answer = console_(a, 'kick gone bye');
    log!.node('a').resume();
    assert.deepEqual(await answer, ['error: No such nick: gone']);
    assert.equal(a.server.audit.recent(5).filter((e) => e.action === 'kill').length, 0);
  });

  test('an operator KILL of a user who quit meanwhile: 401, and no audit entry', async () => {
    const { a, b, log, settled, appended } = await pair('delayed');
    const op = await operUp(a, 'op');
    const gone = await b.register('gone');
    const watcher = await b.register('watcher');
    await joinAll('#w', gone, watcher);
    await settled();
    log!.node('a').pause();
    gone.send('QUIT :bye');
    await watcher.waitFor('QUIT');
    const killAppended = appended('a', 'user.kill');
    op.send('KILL gone :enough');
    await killAppended;
    log!.node('a').resume();
    assert.deepEqual((await op.waitFor('401')).msg.params, ['op', 'gone', 'No such nick']);
    assert.equal(a.server.audit.recent(5).filter((e) => e.action === 'kill').length, 0);
  });

  test('an unban of a ban lifted meanwhile: not found', async () => {
    const { a, b, log, settled } = await pair('delayed');
    assert.deepEqual(await console_(a, 'ban 10.9.9.9 spam'), ['banned 10.9.9.9 permanently (spam); 0 client(s) disconnected']);
    await settled();
    log!.node('a').pause();
    assert.deepEqual(await console_(b, 'unban 10.9.9.9'), ['unbanned 10.9.9.9']);
    const answer = console_(a, 'unban 10.9.9.9');
    log!.node('a').resume();
    assert.deepEqual(await answer, ['error: No ban on 10.9.9.9']);
  });

  test('say to a room emptied meanwhile: no such room', async () => {
    const { a, b, log, settled } = await pair('delayed');
    const only = await b.register('only');
    await joinAll('#brief', only);
    await settled();
    log!.node('a').pause();
    only.send('PART #brief');
    await only.waitFor('PART');
    const answer = console_(a, 'say #brief hello');
    log!.node('a').resume();
    assert.deepEqual(await answer, ['error: No such room: #brief']);
  });
});
