// IRCv3 extended-monitor: a client that MONITORs a nick and has extended-monitor also gets
// that user's AWAY (with away-notify), ACCOUNT (with account-notify) and SETNAME (with
// setname), sharing a room or not, once each; without the cap only 730/731 as before. Across
// two nodes (in-process and delayed log) too: each node tells its own watchers.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { InProcessBus } from '../../src/cluster/in-process-bus.ts';
import type { NetworkEvent } from '../../src/network/events.ts';
import type { ConfigInput } from '../../src/server/config.ts';
import { TEST_PASSWORD_COST } from '../helpers/accounts.ts';
import { DelayedLog } from '../helpers/delayed-bus.ts';
import { is, joinAll, mask, settle } from '../helpers/irc.ts';
import type { RawClient, Received } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const CONFIG: ConfigInput = { accounts: { passwordCost: TEST_PASSWORD_COST } };
const ALL = ['extended-monitor', 'away-notify', 'account-notify', 'setname'];
const NOTIFICATIONS = new Set(['AWAY', 'ACCOUNT', 'SETNAME']);

/** The AWAY/ACCOUNT/SETNAME lines `c` was sent from `mark` on, once `actor` and `c` are synced. */
async function notifications(actor: RawClient, c: RawClient, mark: number, settled?: () => Promise<void>): Promise<string[]> {
  await actor.sync();
  await settled?.();
  await c.sync();
  return c.since(mark).filter((r: Received) => NOTIFICATIONS.has(r.msg.command)).map((r) => [r.msg.source, r.msg.command, ...r.msg.params].join(' '));
}

async function monitor(c: RawClient, nick: string): Promise<void> {
  c.send(`MONITOR + ${nick}`);
  await c.waitFor((r) => r.msg.command === '730' || r.msg.command === '731');
  await settle(c);
}

describe('extended-monitor on one node', () => {
  let t: TestServer;
  after(() => t.close());

  test('CAP LS offers extended-monitor', async () => {
    t = await startServer(CONFIG);
    const c = await t.connect();
    c.send('CAP LS 302');
    const ls = await c.waitFor((r) => r.msg.command === 'CAP' && r.msg.params[1] === 'LS');
    assert.ok(ls.msg.params.at(-1)!.split(' ').includes('extended-monitor'));
  });

  test("a watcher with the caps gets AWAY, SETNAME and ACCOUNT of a nick it shares no room with; others do not", async () => {
    const target = await t.register('target');
    const watcher = await t.register('watcher', ALL);
    const plain = await t.register('plain', ['away-notify', 'account-notify', 'setname']);
    const awayOnly = await t.register('awayonly', ['extended-monitor', 'away-notify']);
    const stranger = await t.register('stranger', ALL);
    for (const c of [watcher, plain, awayOnly]) await monitor(c, 'target');
    const marks = [watcher, plain, awayOnly, stranger].map((c) => c.received.length);

    target.send('AWAY :lunch', 'AWAY', 'SETNAME :Tar Get', 'REGISTER target * pa55word-long');
    await target.waitFor((r) => r.msg.command === 'REGISTER' && r.msg.params[0] === 'SUCCESS');
    const from = mask('target');
    assert.deepEqual(await notifications(target, watcher, marks[0]!), [
      `${from} AWAY lunch`,
      `${from} AWAY`,
      `${from} SETNAME Tar Get`,
      `${from} ACCOUNT target`,
    ]);
    // Without extended-monitor: MONITOR says online/offline only, as before.
    assert.deepEqual(await notifications(target, plain, marks[1]!), []);
    // extended-monitor gives only what the client's other caps ask for.
    assert.deepEqual(await notifications(target, awayOnly, marks[2]!), [`${from} AWAY lunch`, `${from} AWAY`]);
    // Not monitoring: nothing.
    assert.deepEqual(await notifications(target, stranger, marks[3]!), []);
  });

  test('a watcher that also shares a room gets each notification once', async () => {
    const target = await t.register('roomy');
    const watcher = await t.register('roomwatch', ALL);
    await joinAll('#both', target, watcher);
    await monitor(watcher, 'roomy');
    const mark = watcher.received.length;
    target.send('AWAY :brb');
    await target.waitFor('306');
    assert.deepEqual(await notifications(target, watcher, mark), [`${mask('roomy')} AWAY brb`]);
  });

  test('monitoring oneself gives no copy of one\'s own change; MONITOR - stops them', async () => {
    const self = await t.register('selfie', ALL);
    await monitor(self, 'selfie');
    const target = await t.register('leaver');
    const watcher = await t.register('unwatch', ALL);
    await monitor(watcher, 'leaver');
    watcher.send('MONITOR - leaver');
    await watcher.sync();
    const marks = [self.received.length, watcher.received.length];
    self.send('AWAY :me');
    target.send('AWAY :gone');
    await self.waitFor('306');
    assert.deepEqual(await notifications(self, self, marks[0]!), []);
    assert.deepEqual(await notifications(target, watcher, marks[1]!), []);
  });

  test('a plain IRC client without the cap still gets 730/731 and nothing else', async () => {
    const raw = await t.register('rawwatch');
    raw.send('MONITOR + lateuser');
    assert.deepEqual((await raw.waitFor('731')).msg.params, ['rawwatch', 'lateuser']);
    const late = await t.register('lateuser');
    assert.deepEqual((await raw.waitFor('730')).msg.params, ['rawwatch', mask('lateuser')]);
    const mark = raw.received.length;
    late.send('AWAY :x', 'SETNAME :Late User');
    assert.deepEqual(await notifications(late, raw, mark), []);
    late.send('QUIT');
    assert.deepEqual((await raw.waitFor('731')).msg.params, ['rawwatch', 'lateuser']);
  });
});

type LogKind = 'in-process' | 'delayed';

async function twoNodes(kind: LogKind): Promise<{ a: TestServer; b: TestServer; settled: () => Promise<void>; close: () => Promise<void> }> {
  const inProcess = kind === 'in-process' ? new InProcessBus<NetworkEvent>() : undefined;
  const log = kind === 'delayed' ? new DelayedLog<NetworkEvent>() : undefined;
  const start = (id: string): Promise<TestServer> =>
    startServer({ ...CONFIG, server: { name: `${id}.parlor` } }, { bus: inProcess ?? log!.node(id), nodeId: id });
  const a = await start('a');
  const b = await start('b');
  return {
    a,
    b,
    settled: async () => {
      await log?.settled();
    },
    async close() {
      await a.close();
      await b.close();
      await log?.close();
    },
  };
}

for (const kind of ['in-process', 'delayed'] as const) {
  describe(`extended-monitor across two nodes (${kind} log)`, () => {
    test('a watcher on node B hears of AWAY and SETNAME of a user on node A', async () => {
      const nodes = await twoNodes(kind);
      try {
        const watcher = await nodes.b.register('watcher', ALL);
        const plain = await nodes.b.register('plain', ['away-notify', 'setname']);
        await monitor(watcher, 'target');
        await monitor(plain, 'target');
        const target = await nodes.a.register('target');
        assert.deepEqual((await watcher.waitFor('730')).msg.params, ['watcher', mask('target')]);
        await plain.waitFor('730');
        const marks = [watcher.received.length, plain.received.length];
        target.send('AWAY :over there', 'SETNAME :Far Away');
        await watcher.waitFor(is('SETNAME', 'Far Away'));
        assert.deepEqual(await notifications(target, watcher, marks[0]!, nodes.settled), [
          `${mask('target')} AWAY over there`,
          `${mask('target')} SETNAME Far Away`,
        ]);
        assert.deepEqual(await notifications(target, plain, marks[1]!, nodes.settled), []);
      } finally {
        await nodes.close();
      }
    });
  });
}
