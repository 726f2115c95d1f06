// Faults the randomized checker (checker.test.ts) found in a node's following of the log, each
// made into one deterministic scenario on the DelayedLog: a paused node, a dropped delivery, a
// snapshot that lets the log forget what is below it, a killed node.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { NetworkEvent } from '../../src/network/events.ts';
import { snapshotDigest } from '../../src/network/snapshot.ts';
import type { ConfigInput } from '../../src/server/config.ts';
import { DelayedLog, type DelayedLogOptions } from '../helpers/delayed-bus.ts';
import type { RawClient } from '../helpers/raw-client.ts';
import { seedFromEnv } from '../helpers/seed.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { WAIT_MS } from '../helpers/wait.ts';

const CAPS = ['echo-message', 'message-tags'];

function openLog(t: TestContext, options: DelayedLogOptions = {}): DelayedLog<NetworkEvent> {
  const log = new DelayedLog<NetworkEvent>({ seed: seedFromEnv(18), ...options });
  t.diagnostic(`seed ${log.seed} (set PARLOR_SEED to replay)`);
  return log;
}

async function startNode(t: TestContext, log: DelayedLog<NetworkEvent>, nodeId: string, cluster: ConfigInput['cluster'] = {}): Promise<TestServer> {
  const node = await startServer({ server: { name: `${nodeId}.parlor` }, cluster, limits: { closeTimeoutMs: 100 } }, { bus: log.node(nodeId), nodeId });
  t.after(() => node.close());
  return node;
}

/** Waits (a turn of the event loop at a time, bounded) until `done` holds. */
async function until(done: () => boolean, what: string, limitMs = WAIT_MS): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const isText = (text: string) => (r: { msg: { command: string; params: string[] } }) => r.msg.command === 'PRIVMSG' && r.msg.params[1] === text;

/** alice on node a and bob on node b, both in #r (bob its founder), every node caught up. */
async function aliceAndBob(t: TestContext, log: DelayedLog<NetworkEvent>, cluster: ConfigInput['cluster'] = {}) {
  const a = await startNode(t, log, 'a', cluster);
  const b = await startNode(t, log, 'b', cluster);
  const alice = await a.register('alice', CAPS);
  const bob = await b.register('bob', CAPS);
  bob.send('JOIN #r');
  await bob.waitFor('366');
  await log.settled();
  return { a, b, alice, bob };
}

/** `from` says numbered lines in #r, each answered, until the log's last position is `position`. */
async function talkUntil(log: DelayedLog<NetworkEvent>, from: RawClient, position: number): Promise<void> {
  for (let n = 1; log.position < position; n++) {
    from.send(`PRIVMSG #r :fill ${n}`);
    await from.waitFor(isText(`fill ${n}`));
  }
  assert.equal(log.position, position);
  await log.settled();
}

test('a JOIN answered asynchronously is written before the entries after it, even when they arrive in the same delivery', async (t) => {
  const log = openLog(t);
  t.after(() => log.close());
  const { alice, bob } = await aliceAndBob(t, log);
  const handleA = log.node('a');
  handleA.pause();
  const before = log.position;
  alice.send('JOIN #r');
  await until(() => log.position === before + 1, "alice's JOIN is appended");
  bob.send('PRIVMSG #r :after your join');
  await bob.waitFor(isText('after your join'));
  handleA.resume(); // node a is delivered the JOIN and the PRIVMSG in one go
  await alice.waitFor(isText('after your join'));
  const seen = alice.received.map((r) => r.msg);
  const join = seen.findIndex((m) => m.command === 'JOIN' && m.params[0] === '#r');
  const names = seen.findIndex((m) => m.command === '353');
  const message = seen.findIndex((m) => m.command === 'PRIVMSG');
  assert.ok(join !== -1 && join < message, 'her JOIN comes before the first line of the room');
  assert.equal(seen[names]?.params.at(-1), '@bob alice', 'NAMES as the room was at her JOIN');
  assert.ok(names < message);
});

test('entries read back are merged with those already queued: a catch-up racing a snapshot does not wedge the node', async (t) => {
  // A read takes 50 ms, during which node b is delivered what it had missed while paused.
  const log = openLog(t, { readDelayMs: 50, maxDelayMs: 2 });
  t.after(() => log.close());
  const { b, alice, bob } = await aliceAndBob(t, log, { snapshotEvery: 100, catchUpMs: 3_600_000 });
  alice.send('JOIN #r');
  await alice.waitFor('366');
  await talkUntil(log, alice, 98);
  log.node('b').pause();
  for (const text of ['ninety-nine', 'hundred', 'hundred and one']) {
    alice.send(`PRIVMSG #r :${text}`);
    await alice.waitFor(isText(text));
  }
  // Node a wrote a snapshot at 100: the log holds only 101 now. Node b reads back from 98…
  b.server.replica.catchUp();
  log.node('b').resume(); // …and meanwhile is delivered 99, 100 and 101.
  for (const text of ['ninety-nine', 'hundred', 'hundred and one']) await bob.waitFor(isText(text), 10_000);
  await until(() => b.server.replica.position === log.position, 'node b reaches the end of the log');
});

test('a node that lost the entry a snapshot was taken at gets back on the log, from that snapshot', async (t) => {
  const log = openLog(t, { maxDelayMs: 2 });
  t.after(() => log.close());
  const { a, b, alice } = await aliceAndBob(t, log, { snapshotEvery: 100, catchUpMs: 3_600_000 });
  alice.send('JOIN #r');
  await alice.waitFor('366');
  await talkUntil(log, alice, 99);
  log.node('b').dropNext(1);
  alice.send('PRIVMSG #r :the hundredth, lost by node b');
  await alice.waitFor(isText('the hundredth, lost by node b'));
  await log.settled(); // node a has written its snapshot at 100; the log let 1..100 go
  alice.send('PRIVMSG #r :the hundred and first'); // node b sees the gap, and cannot fill it from the log
  // Whether node b keeps its sessions or starts again under a new epoch is its choice; stuck it may not be.
  await until(() => b.server.replica.position === log.position && a.server.replica.position === log.position, 'node b reaches the end of the log');
  await log.settled();
  assert.equal(snapshotDigest(b.server.network), snapshotDigest(a.server.network), 'both nodes hold the same network');
});

test('a node that starts while a newer snapshot is written catches up from that one', async (t) => {
  // A read takes 50 ms: long enough for node a to apply position 200 and write its snapshot.
  const log = openLog(t, { readDelayMs: 50, maxDelayMs: 2 });
  t.after(() => log.close());
  const { alice, bob } = await aliceAndBob(t, log, { snapshotEvery: 100, catchUpMs: 3_600_000 });
  alice.send('JOIN #r');
  await alice.waitFor('366');
  await talkUntil(log, alice, 199); // the newest snapshot is at 100
  log.node('a').pause();
  alice.send('PRIVMSG #r :the two hundredth');
  await bob.waitFor(isText('the two hundredth'));
  // Node c loads the snapshot at 100 and reads the log after it; meanwhile node a applies 200,
  // writes a snapshot there, and the log lets 101..200 go.
  const handleC = log.node('c');
  const read = handleC.readAfter.bind(handleC);
  handleC.readAfter = (position) => {
    const entries = read(position);
    log.node('a').resume();
    return entries;
  };
  const c = await startNode(t, log, 'c', { snapshotEvery: 100, catchUpMs: 3_600_000 });
  const carol = await c.register('carol', CAPS);
  carol.send('JOIN #r');
  const names = await carol.waitFor('353');
  assert.equal(names.msg.params.at(-1), '@bob alice carol');
});

test("a node whose own node.up delivery is lost still finishes joining (the catch-up runs from the start)", async (t) => {
  const log = openLog(t);
  t.after(() => log.close());
  log.node('a').dropNext(1);
  let timer: NodeJS.Timeout | undefined;
  const stuck = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error('node a never finished joining')), 3000);
  });
  const a = await Promise.race([startNode(t, log, 'a', { catchUpMs: 100 }), stuck]).finally(() => clearTimeout(timer));
  await a.register('alice');
  assert.equal(a.server.network.userByNick('alice')?.nodeId, 'a');
});

test("a killed node's closing sessions do not throw the log's refusal out of the socket's close handler", async (t) => {
  const log = openLog(t);
  t.after(() => log.close());
  const { a, alice, bob } = await aliceAndBob(t, log);
  alice.send('JOIN #r');
  await bob.waitFor('JOIN');
  log.node('a').kill();
  alice.close(); // node a's session closes, and its user.quit goes to a log that refuses it
  await until(() => a.server.sessions.size === 0, "node a's session has closed");
  const quit = await bob.waitFor('QUIT');
  assert.equal(quit.msg.params[0], '*.net *.split', 'the others declared node a down');
});
