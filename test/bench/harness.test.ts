// The bench harness (bench/): clients that log in so that Parlor stores every private
// message, the stored count checked against what was sent, the generator as threads or as
// child processes, and issue 17's targets marked from one run's results.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { checkGoals } from '../../bench/goals.ts';
import { countMarkers } from '../../bench/load/marker-count.ts';
import type { ClientSpec, SenderSpec } from '../../bench/load/protocol.ts';
import { runWorkload, type Result } from '../../bench/runner.ts';
import { parlorTarget } from '../../bench/targets.ts';
import type { Workload } from '../../bench/workloads.ts';

const CONFIG = fileURLToPath(new URL('../../bench/parlor-bench.yaml', import.meta.url));

/** 4 clients in 2 private pairs, each sending `count` messages to its partner. */
function tinyPairs(count: number, login: boolean, sampleEvery?: number): Workload {
  const clients: ClientSpec[] = [];
  const senders: SenderSpec[] = [];
  for (let k = 0; k < 4; k++) {
    clients.push({ id: k, nick: `c${k}`, rooms: [] });
    senders.push({ id: k, clientId: k, target: `c${k ^ 1}`, count, witness: k ^ 1 });
  }
  return { name: 'pairs-4', title: 'tiny pairs', measure: 'throughput', clients, senders, expected: 4 * count, workerOf: (k) => Math.floor(k / 2) % 2, window: 5, concurrency: 4, login, ...(sampleEvery !== undefined && { sampleEvery }) };
}

async function runOnce(generator: 'thread' | 'process', login: boolean, sampleEvery?: number): Promise<Result> {
  const dir = await mkdtemp(join(os.tmpdir(), 'bench-harness-'));
  try {
    const w = tinyPairs(25, login, sampleEvery);
    const server = await parlorTarget(CONFIG).start(dir, login ? { accounts: w.clients.map((c) => c.nick) } : {});
    try {
      return await runWorkload('parlor', server, w, { generator });
    } finally {
      await server.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('pairs that log in have every private message stored, counted against what was sent (worker threads)', async () => {
  const r = await runOnce('thread', true);
  assert.deepEqual(r.errors, []);
  assert.equal(r.received, 100);
  assert.equal(r.sent, 100);
  assert.equal(r.stored, 100);
  assert.equal(r.lost, 0);
  assert.equal(r.generator, 'thread');
});

test('the load generator runs as child processes too, and witnesses that count instead of parsing still pace their senders', async () => {
  const r = await runOnce('process', true, 2);
  assert.deepEqual(r.errors, []);
  assert.equal(r.received, 100);
  assert.equal(r.stored, 100);
  assert.equal(r.generator, 'process');
  assert.ok(r.loadCpuSeconds > 0, 'the child processes’ CPU time is read');
});

test('without accounts nothing is stored and no stored count is reported', async () => {
  const r = await runOnce('thread', false);
  assert.equal(r.received, 100);
  assert.equal(r.stored, undefined);
  assert.equal(r.lost, 0);
});

function result(server: string, workload: string, fields: Partial<Result>): Result {
  return { server, workload, measure: 'throughput', clients: 1, registered: 1, lost: 0, disconnects: 0, sent: 0, ...fields } as Result;
}

test('issue 17 targets: pairs-200 is met only ahead of the best peer with every message stored', () => {
  const peers = [result('ngircd', 'pairs-200', { deliveriesPerSec: 100, cpuPerDeliveryUs: 4 }), result('inspircd', 'pairs-200', { deliveriesPerSec: 150, cpuPerDeliveryUs: 4.5 })];
  const fast = (stored: number): Result => result('parlor', 'pairs-200', { deliveriesPerSec: 200, sent: 1000, stored, cpuPerDeliveryUs: 3 });
  const met = checkGoals([fast(1000), ...peers]);
  assert.equal(met[0]!.met, true);
  assert.match(met[0]!.result, /1\.33× inspircd.*3\.00 vs 4\.00 µs ngircd: 1\.33×.*stored 1,000\/1,000/);
  assert.equal(met[1]!.met, true);
  const short = checkGoals([fast(999), ...peers]);
  assert.equal(short[0]!.met, false, 'a message not stored fails the target');
  assert.equal(short[1]!.met, false);
  const slow = checkGoals([result('parlor', 'pairs-200', { deliveriesPerSec: 170, sent: 10, stored: 10, cpuPerDeliveryUs: 5 }), ...peers]);
  assert.equal(slow[0]!.met, false, '1.13× is under 1.2×');
  assert.equal(slow[1]!.met, false, '5 µs is over 4 µs');
  assert.equal(checkGoals([fast(1000)])[0]!.met, undefined, 'no peer in the run: not measured');
});

test('issue 17 targets: registration, join against InspIRCd in the same run, idle bytes', () => {
  const checks = checkGoals([
    result('parlor', 'register-500', { measure: 'registration', regPerSec: 3100, regP99Ms: 149, clients: 500, registered: 500 }),
    result('parlor', 'join-2000', { measure: 'join', joinTotalMs: 1200 }),
    result('inspircd', 'join-2000', { measure: 'join', joinTotalMs: 1100 }),
    result('parlor', 'idle-2000', { measure: 'idle', bytesPerConnection: 3.4 * 1024, clients: 2000, registered: 2000 }),
  ]);
  const byGoal = (text: string): boolean | undefined => checks.find((c) => c.goal.includes(text))!.met;
  assert.equal(byGoal('register-500'), true);
  assert.equal(byGoal('join-2000'), false);
  assert.equal(byGoal('idle'), true);
});

test('the generator counts every marker, also one split across reads, without joining chunks', () => {
  const text = Buffer.from(':a PRIVMSG c1 :~1,2,3 xx\r\n:a PRIVMSG c1 :~1,3,4 xx\r\n:a PRIVMSG c1 : ~no\r\n');
  for (let a = 0; a <= text.length; a++) {
    for (let b = a; b <= text.length; b++) {
      let tail = 0;
      let total = 0;
      for (const part of [text.subarray(0, a), text.subarray(a, b), text.subarray(b)]) {
        const r = countMarkers(part, tail);
        total += r.count;
        tail = r.tail;
      }
      assert.equal(total, 2, `split at ${a} and ${b}`);
    }
  }
});
