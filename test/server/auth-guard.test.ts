// The login limiter and the hashing queue as objects: IPv6 addresses counted per /64,
// memory bounded by auth.trackedEntries, entries forgotten once quiet, and the queue's
// bounds on running and waiting work (the socket tests are in password-guessing.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { AuthGuard, accountKey, type AuthAttempt } from '../../src/server/auth-guard.ts';
import { parseConfig, type ConfigInput } from '../../src/server/config.ts';
import { HashQueueFullError, ScryptQueue } from '../../src/server/scrypt-queue.ts';
import { ManualClock } from '../helpers/clock.ts';

function guard(auth: ConfigInput['auth']): { g: AuthGuard; clock: ManualClock } {
  const config = parseConfig({ auth });
  const clock = new ManualClock();
  return { g: new AuthGuard(() => config, clock, pino({ level: 'silent' })), clock };
}

const fail = (g: AuthGuard, attempt: AuthAttempt): void => g.failed(attempt, 'failed', {});

test('IPv6 addresses are counted per /64; IPv4 per address', () => {
  const { g } = guard({ maxFailuresPerAddress: 2 });
  fail(g, { kind: 'sasl', address: '2001:db8:1:2::1' });
  fail(g, { kind: 'sasl', address: '2001:db8:1:2:ffff::9' });
  assert.equal(g.lockout({ kind: 'sasl', address: '2001:db8:1:2::abcd' })?.scope, 'address');
  assert.equal(g.lockout({ kind: 'sasl', address: '2001:db8:1:3::1' }), undefined);
  fail(g, { kind: 'sasl', address: '192.0.2.1' });
  fail(g, { kind: 'sasl', address: '192.0.2.2' });
  assert.equal(g.lockout({ kind: 'sasl', address: '192.0.2.1' }), undefined);
  assert.equal(g.lockout({ kind: 'sasl', address: '::ffff:192.0.2.1' }), undefined, 'a mapped IPv4 address is that address');
  fail(g, { kind: 'sasl', address: '::ffff:192.0.2.1' });
  assert.equal(g.lockout({ kind: 'sasl', address: '192.0.2.1' })?.scope, 'address');
});

test('memory is bounded: at most trackedEntries addresses and names, the least recently failed forgotten first', () => {
  const { g } = guard({ trackedEntries: 100, maxFailuresPerAddress: 1000 });
  for (let i = 0; i < 5000; i++) fail(g, { kind: 'sasl', address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, account: accountKey(`name${i}`) });
  assert.deepEqual(g.size, { addresses: 100, accounts: 100 });
});

test('failures outside the window start over; quiet entries are forgotten by the sweep', () => {
  const { g, clock } = guard({ maxFailuresPerAddress: 3, failureWindowMs: 10_000, lockoutMs: 5_000 });
  const a: AuthAttempt = { kind: 'pass', address: '192.0.2.7' };
  fail(g, a);
  fail(g, a);
  clock.advance(10_000);
  fail(g, a);
  assert.equal(g.lockout(a), undefined, 'the first two fell out of the window');
  fail(g, a);
  fail(g, a);
  assert.deepEqual(g.lockout(a), { scope: 'address', retryAfterMs: 5_000 });
  clock.advance(5_000);
  assert.equal(g.lockout(a), undefined);
  g.sweep();
  assert.equal(g.size.addresses, 1, 'kept until its window and its lockout have passed quietly');
  clock.advance(10_000);
  g.sweep();
  assert.equal(g.size.addresses, 0);
});

test('the queue runs at most hashConcurrency jobs, lets hashQueue wait, and refuses the rest at once', async () => {
  const q = new ScryptQueue(() => ({ hashConcurrency: 2, hashQueue: 1 }));
  const releases: (() => void)[] = [];
  let running = 0;
  let most = 0;
  const job = (): Promise<void> =>
    new Promise<void>((resolve) => {
      running++;
      most = Math.max(most, running);
      releases.push(() => {
        running--;
        resolve();
      });
    });
  const jobs = [q.run(job), q.run(job), q.run(job)];
  await assert.rejects(q.run(job), HashQueueFullError);
  await Promise.resolve();
  assert.deepEqual(q.load, { running: 2, waiting: 1 });
  releases.shift()!();
  await jobs[0];
  await new Promise<void>((resolve) => setImmediate(resolve));
  assert.deepEqual(q.load, { running: 2, waiting: 0 });
  while (releases.length > 0) {
    releases.shift()!();
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  await Promise.all(jobs);
  assert.equal(most, 2);
  assert.equal(q.started, 3);
  assert.deepEqual(q.load, { running: 0, waiting: 0 });
});

test('defaults: 10 failures per address and per name in 5 minutes, a 1-minute lockout doubling up to an hour, 2 hashes at once and 16 waiting', () => {
  assert.deepEqual(parseConfig({}).auth, {
    maxFailuresPerAddress: 10,
    maxFailuresPerAccount: 10,
    failureWindowMs: 300_000,
    lockoutMs: 60_000,
    maxLockoutMs: 3_600_000,
    trackedEntries: 10_000,
    hashConcurrency: 2,
    hashQueue: 16,
    logIntervalMs: 60_000,
  });
  assert.throws(() => parseConfig({ auth: { lockoutMs: 60_000, maxLockoutMs: 1_000 } }), /auth\.maxLockoutMs must be at least auth\.lockoutMs/);
  assert.throws(() => parseConfig({ auth: { hashConcurrency: 0 } }), /auth\.hashConcurrency/);
});
