// parlor chat logs in with SASL PLAIN (--sasl-password) before registering.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../helpers/server.ts';
import { startClient, transcript, waitUntil } from './helpers.ts';

let t: TestServer;
before(async () => {
  t = await startServer({ accounts: { passwordCost: 4 } });
  const owner = await t.register('saslchat');
  owner.send('REGISTER * * right-password');
  await owner.waitFor((r) => r.msg.command === 'REGISTER' && r.msg.params[0] === 'SUCCESS');
  owner.send('QUIT');
  await owner.waitClose();
});
after(() => t.close());

test('with the right password the client is logged in to its account when it registers', async () => {
  const c = await startClient(t.port, 'saslchat', { sasl: { account: 'saslchat', password: 'right-password' } });
  await waitUntil(c, () => t.server.network.userByNick('saslchat')?.account === 'saslchat', 'the account on the server');
  await c.quit();
});

test('a wrong password leaves the client connected but not logged in, and says so', async () => {
  const c = await startClient(t.port, 'saslwrong', { sasl: { account: 'saslchat', password: 'nope' } });
  assert.equal(t.server.network.userByNick('saslwrong')?.account, undefined);
  await waitUntil(c, () => /Not logged in/.test(transcript(c)) || undefined, 'the failure shown');
  await c.quit();
});
