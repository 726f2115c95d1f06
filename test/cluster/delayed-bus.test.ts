// The delayed, lossy Bus double's own behaviour (test/helpers/delayed-bus.ts): nodes reading one
// log at their own pace, pause/resume, kill (the others hear the node is lost), targeted and
// seeded drops and duplicates, and settled(). Seeds are printed; PARLOR_SEED replays one.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { LogEntry } from '../../src/cluster/log-cursor.ts';
import { DelayedLog, type DelayedLogOptions, type DelayedNode } from '../helpers/delayed-bus.ts';
import { seedFromEnv } from '../helpers/seed.ts';

const SEED = seedFromEnv(7);

function openLog(t: TestContext, options: DelayedLogOptions = {}): DelayedLog<string> {
  const log = new DelayedLog<string>({ seed: SEED, ...options });
  t.diagnostic(`seed ${log.seed} (set PARLOR_SEED to replay)`);
  t.after(() => log.close());
  return log;
}

/** The positions a node is delivered, in delivery order. */
function record(node: DelayedNode<string>): number[] {
  const seen: number[] = [];
  node.subscribe((entry) => seen.push(entry.position));
  return seen;
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

test('append takes its position at once; every node, the writer too, is delivered it later, in order', async (t) => {
  const log = openLog(t, { maxDelayMs: 8 });
  const [a, b] = [log.node('a'), log.node('b', { minDelayMs: 2, maxDelayMs: 15 })];
  const [seenA, seenB] = [record(a), record(b)];
  for (let n = 1; n <= 50; n++) (n % 2 ? a : b).append(`e-${n % 2 ? 'a' : 'b'}`, n, `event ${n}`);
  assert.equal(log.position, 50, 'positions are assigned synchronously');
  assert.deepEqual([seenA, seenB], [[], []], 'nobody, not even the writer, is delivered during append');
  await log.settled();
  assert.deepEqual(seenA, range(1, 50));
  assert.deepEqual(seenB, range(1, 50), 'jitter never lets a later entry overtake an earlier one');
});

test('each node reads at its own pace', async (t) => {
  const log = openLog(t);
  const fast = log.node('fast', { maxDelayMs: 2 });
  const slow = log.node('slow', { minDelayMs: 40, maxDelayMs: 50 });
  const seenSlow = record(slow);
  const slowHadWhenFastGotIt: number[] = [];
  fast.subscribe(() => slowHadWhenFastGotIt.push(seenSlow.length));
  slow.append('s1', 1, 'from the slow node');
  await log.settled();
  assert.deepEqual(slowHadWhenFastGotIt, [0], 'the fast node had the entry before its own writer');
  assert.deepEqual(seenSlow, [1]);
});

test('pause holds deliveries; resume delivers them in order; settled() does not wait for a paused node', async (t) => {
  const log = openLog(t);
  const [a, b] = [log.node('a'), log.node('b')];
  const [seenA, seenB] = [record(a), record(b)];
  b.pause();
  assert.equal(b.paused, true);
  for (let n = 1; n <= 5; n++) a.append('a1', n, `event ${n}`);
  await log.settled();
  assert.deepEqual(seenA, range(1, 5));
  assert.deepEqual(seenB, [], 'held while paused');
  assert.equal(b.backlog, 5);
  a.append('a1', 6, 'event 6');
  b.resume();
  await log.settled();
  assert.deepEqual(seenB, range(1, 6));
});

test('kill: deliveries stop, calls are refused, and every other live node hears it is lost after lostAfterMs', async (t) => {
  const log = openLog(t, { lostAfterMs: 15 });
  const nodes = ['a', 'b', 'c', 'gone'].map((id) => log.node(id));
  const [a, b, c, gone] = nodes as [DelayedNode<string>, DelayedNode<string>, DelayedNode<string>, DelayedNode<string>];
  const heard = new Map(nodes.map((node) => [node.nodeId, [] as string[]]));
  for (const node of nodes) node.onNodeLost((lost) => heard.get(node.nodeId)!.push(lost));
  const seenC = record(c);
  await gone.close(); // a node that left: not told
  c.append('c1', 1, 'before');
  c.kill();
  assert.equal(c.alive, false);
  assert.throws(() => c.append('c1', 2, 'after'), /append refused: node c is killed/);
  await assert.rejects(c.readAfter(0), /refused/);
  await assert.rejects(c.saveSnapshot({ position: 1, data: '' }), /refused/);
  a.append('a1', 1, 'while c is dead');
  assert.deepEqual([...heard.values()].flat(), [], 'not yet: the liveness watch takes lostAfterMs');
  await log.settled();
  assert.deepEqual(Object.fromEntries(heard), { a: ['c'], b: ['c'], c: [], gone: [] });
  assert.deepEqual(seenC, [], 'a killed node is delivered nothing, not even what it appended before dying');
  assert.equal(b.alive, true);
  assert.equal(log.node('b'), b, 'a live node keeps its handle');

  const restarted = log.node('c');
  assert.notEqual(restarted, c, 'the node comes back as a new handle');
  const seenRestarted = record(restarted);
  restarted.append('c2', 1, 'back');
  await log.settled();
  assert.deepEqual(seenRestarted, [3], 'a restarted node reads on from now; what it missed is for readAfter');
  assert.deepEqual((await restarted.readAfter(0)).map((e) => e.epoch), ['c1', 'a1', 'c2']);
});

test('dropNext and duplicateNext: targeted faults on one node only', async (t) => {
  const log = openLog(t);
  const [a, b] = [log.node('a'), log.node('b')];
  const [seenA, seenB] = [record(a), record(b)];
  b.dropNext(2);
  for (let n = 1; n <= 4; n++) a.append('a1', n, `event ${n}`);
  b.duplicateNext();
  a.append('a1', 5, 'event 5');
  a.append('a1', 6, 'event 6');
  await log.settled();
  assert.deepEqual(seenA, range(1, 6));
  assert.deepEqual(seenB, [3, 4, 5, 5, 6]);
  assert.deepEqual((await b.readAfter(0)).map((e) => e.position), range(1, 6), 'what was dropped is still in the log');
});

/** The delivery schedule of a lossy run: what each node is delivered. */
async function lossyRun(seed: number): Promise<Record<string, number[]>> {
  const log = new DelayedLog<string>({ seed, duplicateRate: 0.3, dropRate: 0.3 });
  try {
    const nodes = ['a', 'b', 'c'].map((id) => log.node(id));
    const seen = nodes.map(record);
    for (let n = 1; n <= 60; n++) nodes[n % 3]!.append(`e${n % 3}`, n, `event ${n}`);
    await log.settled();
    return Object.fromEntries(nodes.map((node, i) => [node.nodeId, seen[i]!]));
  } finally {
    await log.close();
  }
}

test('the same seed gives the same drops and duplicates; another seed, others', async (t) => {
  t.diagnostic(`seed ${SEED} (set PARLOR_SEED to replay)`);
  const first = await lossyRun(SEED);
  assert.deepEqual(await lossyRun(SEED), first);
  assert.notDeepEqual(await lossyRun(SEED + 1), first);
  for (const [node, seen] of Object.entries(first)) {
    assert.ok(seen.every((p, i) => i === 0 || p >= seen[i - 1]!), `${node}: in order`);
    assert.ok(new Set(seen).size < 60, `${node}: some deliveries dropped`);
    assert.ok(new Set(seen).size < seen.length, `${node}: some deliveries repeated`);
  }
  assert.notDeepEqual(first.a, first.b, 'each node has its own faults');
});

test('settled() waits for what deliveries set off: appends from handlers, reads, lost-node reports', async (t) => {
  const log = openLog(t, { lostAfterMs: 5 });
  const [a, b, c] = [log.node('a'), log.node('b'), log.node('c')];
  // b answers every entry of a's with one of its own, after reading the log back.
  b.subscribe((entry) => {
    if (entry.epoch !== 'a1') return;
    void b.readAfter(entry.position - 1).then(([read]) => b.append('b1', entry.position, `re: ${read!.event}`));
  });
  const seenA = record(a);
  const lost: string[] = [];
  a.onNodeLost((id) => lost.push(id));
  for (let n = 1; n <= 10; n++) a.append('a1', n, `event ${n}`);
  c.kill();
  await log.settled();
  assert.equal(log.position, 20);
  assert.deepEqual(seenA, range(1, 20));
  assert.deepEqual(lost, ['c']);
});

test("entries carry the log's time, never going backwards; snapshots trim what is below the one before", async (t) => {
  const times = [500, 400, 600];
  const log = openLog(t, { now: () => times.shift() ?? 700 });
  const a = log.node('a');
  const entries: LogEntry<string>[] = [];
  a.subscribe((entry) => entries.push(entry));
  for (let n = 1; n <= 4; n++) a.append('a1', 0, `event ${n}`);
  await log.settled();
  assert.deepEqual(entries.map((e) => e.time), [500, 500, 600, 700]);
  assert.ok(Object.isFrozen(entries[0]), 'one entry object shared by every node: frozen');
  // Entries are let go up to the snapshot before the newest: one interval of slack.
  await a.saveSnapshot({ position: 2, data: 'at 2' });
  assert.deepEqual((await log.node('b').readAfter(0)).map((e) => e.position), [1, 2, 3, 4]);
  await a.saveSnapshot({ position: 3, data: 'at 3' });
  assert.deepEqual((await log.node('b').readAfter(0)).map((e) => e.position), [3, 4]);
});

test('close: a closed handle is delivered nothing more; log.close() drops pending deliveries and reads', async (t) => {
  const log = openLog(t, { minDelayMs: 30, maxDelayMs: 30 });
  const [a, b] = [log.node('a'), log.node('b')];
  const seenB = record(b);
  a.append('a1', 1, 'event 1');
  await b.close();
  assert.equal(b.alive, false);
  assert.equal(b.backlog, 0);
  assert.throws(() => b.append('b1', 1, 'x'), /refused: node b is closed/);
  const pending = a.readAfter(0);
  await log.close();
  await assert.rejects(pending, /closed/);
  assert.equal(a.backlog, 0, 'no delivery left to fire after close');
  assert.deepEqual(seenB, []);
  await log.settled(); // resolves at once on a closed log
});

test('options are checked; the seed is exposed', () => {
  assert.throws(() => new DelayedLog({ minDelayMs: 5, maxDelayMs: 1 }), RangeError);
  assert.throws(() => new DelayedLog({ dropRate: 1.5 }), RangeError);
  assert.throws(() => new DelayedLog({}).node('a', { duplicateRate: -1 }), RangeError);
  assert.equal(new DelayedLog({ seed: 42 }).seed, 42);
  assert.equal(new DelayedLog().seed, seedFromEnv(1));
});
