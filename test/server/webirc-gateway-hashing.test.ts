// A gateway brings all its users back at once after a restart: their WEBIRC lines arrive
// together, before the first scrypt has proved the password. The same password is hashed once,
// and the others wait for that verdict instead of each taking a turn on the hash queue.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword } from '../../src/server/passwords.ts';
import { ScryptQueue } from '../../src/server/scrypt-queue.ts';
import { WebircGateways, type WebircGateway } from '../../src/server/webirc-gateways.ts';

test('WEBIRC: concurrent lines with one password cost one hash; a wrong one is still refused', async () => {
  const entries: WebircGateway[] = [{ name: 'kiwi', password: await hashPassword('secret', 4), hosts: ['127.0.0.1/32'] }];
  const gateways = new WebircGateways(() => entries);
  const hashing = new ScryptQueue(() => ({ hashConcurrency: 1, hashQueue: 100 }));
  const results = await Promise.all(Array.from({ length: 20 }, () => gateways.authenticate('127.0.0.1', 'secret', hashing)));
  assert.ok(results.every((r) => r === entries[0]));
  assert.equal(hashing.started, 1);
  // Concurrent wrong passwords share no verdict with the right one.
  const mixed = await Promise.all([gateways.authenticate('127.0.0.1', 'wrong', hashing), gateways.authenticate('127.0.0.1', 'secret', hashing)]);
  assert.deepEqual(mixed, [undefined, entries[0]]);
});

test('WEBIRC: a wrong password tried concurrently before any proof is not taken for the right one', async () => {
  const entries: WebircGateway[] = [{ name: 'kiwi', password: await hashPassword('secret', 4), hosts: ['127.0.0.1/32'] }];
  const gateways = new WebircGateways(() => entries);
  const hashing = new ScryptQueue(() => ({ hashConcurrency: 1, hashQueue: 100 }));
  const results = await Promise.all([
    gateways.authenticate('127.0.0.1', 'wrong', hashing),
    gateways.authenticate('127.0.0.1', 'secret', hashing),
    gateways.authenticate('127.0.0.1', 'wrong', hashing),
    gateways.authenticate('127.0.0.1', 'secret', hashing),
  ]);
  assert.deepEqual(results, [undefined, entries[0], undefined, entries[0]]);
});
