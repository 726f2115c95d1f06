// Accounts created per address (accounts.registrationsPerAddress): an address that mints
// accounts could otherwise fill the server's registered-room cap, since each account may
// register rooms that last for ever. Over real sockets from several loopback addresses.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../../src/storage/memory-store.ts';
import { ManualClock } from '../helpers/clock.ts';
import { RawClient } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const servers: TestServer[] = [];
after(async () => {
  for (const t of servers) await t.close();
});

async function serve(accounts: Record<string, unknown>, exempt: string[] = []): Promise<{ t: TestServer; clock: ManualClock }> {
  const clock = new ManualClock();
  const t = await startServer(
    {
      accounts: { passwordCost: 4, ...accounts },
      connections: { exempt, throttleConnections: 0 },
      limits: { registrationTimeoutMs: 86_400_000, pingIntervalMs: 86_400_000 },
    },
    { store: new MemoryStore(), clock },
  );
  servers.push(t);
  return { t, clock };
}

/** Connects from `address` as `nick` and sends REGISTER; the FAIL or SUCCESS line it gets. */
async function register(t: TestServer, address: string, nick: string): Promise<string> {
  const c = await RawClient.connectFrom(address, t.port);
  t.clients.push(c);
  c.send(`NICK ${nick}`, `USER ${nick} 0 * :${nick}`);
  await c.waitFor('376');
  c.send(`REGISTER * * password-of-${nick}`);
  const r = await c.waitFor((m) => m.msg.command === 'REGISTER' || m.msg.command === 'FAIL');
  c.close();
  return r.msg.params.slice(0, 2).join(' ') + ' ' + r.msg.params.at(-1);
}

test('an address creates at most registrationsPerAddress accounts per window; others and a new window may', async () => {
  const { t, clock } = await serve({ registrationsPerAddress: 2, registrationWindowMs: 3_600_000 });
  assert.match(await register(t, '127.0.0.2', 'minta'), /^SUCCESS minta/);
  assert.match(await register(t, '127.0.0.2', 'mintb'), /^SUCCESS mintb/);
  assert.equal(await register(t, '127.0.0.2', 'mintc'), 'REGISTER TEMPORARILY_UNAVAILABLE Too many accounts created from your address; try again in 60 minutes');
  assert.equal(await t.server.store.getAccount('mintc'), undefined);
  // Another address is not held back by that one.
  assert.match(await register(t, '127.0.0.3', 'other'), /^SUCCESS other/);
  clock.advance(3_600_000);
  assert.match(await register(t, '127.0.0.2', 'mintc'), /^SUCCESS mintc/);
});

test('exempt networks (loopback by default) are not counted; 0 turns the limit off', async () => {
  const exempt = await serve({ registrationsPerAddress: 1 }, ['127.0.0.0/8']);
  for (const nick of ['exa', 'exb', 'exc']) assert.match(await register(exempt.t, '127.0.0.2', nick), /^SUCCESS/);
  const off = await serve({ registrationsPerAddress: 0 });
  for (const nick of ['offa', 'offb', 'offc']) assert.match(await register(off.t, '127.0.0.2', nick), /^SUCCESS/);
});
