import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, mergeConfigInput, parseConfig } from '../src/server/config.ts';

test('defaults: 127.0.0.1:6666 and a limit for everything', () => {
  const c = parseConfig({});
  assert.equal(c.server.host, '127.0.0.1');
  assert.equal(c.server.port, 6666);
  assert.equal(c.server.name, 'parlor.local');
  assert.equal(c.server.password, undefined);
  assert.equal(c.limits.lineBytes, 512);
  assert.equal(c.limits.tagBytes, 8191);
  assert.equal(c.limits.nickLength, 30);
  assert.equal(c.limits.sendQueueBytes, 512 * 1024);
  assert.equal(c.limits.registrationTimeoutMs, 60_000);
  assert.equal(c.limits.pingIntervalMs, 120_000);
  assert.equal(c.limits.pingTimeoutMs, 60_000);
  assert.equal(c.limits.targetsPerMessage, 4);
  assert.equal(c.limits.channelsPerUser, 50);
});

test('unknown keys and wrong types are refused, naming the path', () => {
  assert.throws(() => parseConfig({ server: { prot: 1 } }), (e: Error) => e instanceof ConfigError && /prot/.test(e.message));
  assert.throws(() => parseConfig({ limits: { nickLength: 'long' } }), /limits\.nickLength/);
  assert.throws(() => parseConfig({ server: { port: 70000 } }), /server\.port/);
  assert.throws(() => parseConfig({ server: { name: 'has space' } }), /server\.name/);
  assert.throws(() => parseConfig({ extra: true }), /extra/);
});

test('merge: the override wins per key, sections merge', () => {
  const merged = mergeConfigInput({ server: { name: 'a.b', port: 1 }, limits: { nickLength: 9 } }, { server: { port: 0 } });
  const c = parseConfig(merged);
  assert.equal(c.server.name, 'a.b');
  assert.equal(c.server.port, 0);
  assert.equal(c.limits.nickLength, 9);
});
