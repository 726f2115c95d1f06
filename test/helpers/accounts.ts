// Accounts for tests: created straight in the server's store, and users logged in to them with
// SASL PLAIN before registration, as a real client does.
import assert from 'node:assert/strict';
import { hashPassword } from '../../src/server/passwords.ts';
import type { RawClient } from './raw-client.ts';
import type { TestServer } from './server.ts';

/** scrypt log2(N) for test accounts: fast. */
export const TEST_PASSWORD_COST = 4;

/** A verified account `name` with `password`. */
export async function addAccount(t: TestServer, name: string, password: string): Promise<void> {
  const passwordHash = await hashPassword(password, TEST_PASSWORD_COST);
  const created = await t.server.store.createAccount({ name, passwordHash, createdAt: t.server.now(), verified: true, suspended: false });
  assert.ok(created, `account ${name} created`);
}

/** Connects as `nick`, logs in to `account` with SASL PLAIN, asks for `caps`; at the end of the MOTD. */
export async function loginUser(t: TestServer, nick: string, account: string, password: string, caps: string[] = []): Promise<RawClient> {
  const c = await t.connect();
  c.send('CAP LS 302', `NICK ${nick}`, `USER ${nick} 0 * :${nick} Test`, `CAP REQ :${['sasl', ...caps].join(' ')}`);
  await c.waitFor((r) => r.msg.command === 'CAP' && r.msg.params[1] === 'ACK');
  c.send('AUTHENTICATE PLAIN');
  await c.waitFor((r) => r.msg.command === 'AUTHENTICATE' && r.msg.params[0] === '+');
  c.send(`AUTHENTICATE ${Buffer.from(`\0${account}\0${password}`, 'utf8').toString('base64')}`);
  await c.waitFor('903');
  c.send('CAP END');
  await c.waitFor('376');
  return c;
}
