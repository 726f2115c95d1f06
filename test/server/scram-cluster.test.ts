// SCRAM-SHA-256 across two nodes sharing one store, on an in-process log and on a delayed one:
// an account registered on one node logs in with SCRAM on the other; one from before SCRAM
// gets its verifier by a PLAIN login on one node and uses it on the other; with the same
// accounts.scramSecret, both nodes answer an unknown account with the same made-up salt;
// clients that only know PLAIN keep working beside it.
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Bus } from '../../src/cluster/bus.ts';
import { InProcessBus } from '../../src/cluster/in-process-bus.ts';
import type { NetworkEvent } from '../../src/network/events.ts';
import { MemoryStore } from '../../src/storage/memory-store.ts';
import { addAccount, TEST_PASSWORD_COST } from '../helpers/accounts.ts';
import { DelayedLog } from '../helpers/delayed-bus.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { connectSasl, eventually, plainLogin, scramLogin, scramUpToFinal } from './scram-exchange.ts';

const SECRET = 'the same secret on every node';

async function startPair(t: TestContext, busFor: (nodeId: string) => Bus<NetworkEvent>, closeLog = async (): Promise<void> => {}): Promise<[TestServer, TestServer]> {
  const store = new MemoryStore();
  const servers: TestServer[] = [];
  t.after(async () => {
    for (const s of servers) await s.close();
    await closeLog();
  });
  for (const nodeId of ['a', 'b']) {
    servers.push(await startServer({ server: { name: `${nodeId}.parlor` }, accounts: { passwordCost: TEST_PASSWORD_COST, scramSecret: SECRET } }, { bus: busFor(nodeId), nodeId, store }));
  }
  return [servers[0]!, servers[1]!];
}

async function scramAcrossNodes(a: TestServer, b: TestServer): Promise<void> {
  // Registered on a…
  const owner = await a.register('nodeuser', ['draft/account-registration']);
  owner.send('REGISTER * * :across the nodes');
  await owner.waitFor((r) => r.msg.command === 'REGISTER' && r.msg.params[0] === 'SUCCESS');
  owner.send('QUIT');
  await owner.waitClose();

  // …logged in with SCRAM on b, and seen logged in on a by a client without sasl.
  const watcher = await a.register('watcher');
  const c = await connectSasl(b, 'nodeuser');
  assert.equal(await scramLogin(c, 'nodeuser', 'across the nodes'), 'nodeuser');
  c.send('CAP END');
  await c.waitFor('001');
  watcher.send('WHOIS nodeuser');
  assert.equal((await watcher.waitFor('330')).msg.params[2], 'nodeuser');
  c.send('PRIVMSG watcher :logged in with SCRAM on the other node');
  assert.equal((await watcher.waitFor('PRIVMSG')).msg.params[1], 'logged in with SCRAM on the other node');

  // A client that only knows PLAIN logs in to the same account, on either node.
  const plainOnly = await connectSasl(a, 'plainonly');
  assert.equal(await plainLogin(plainOnly, 'nodeuser', 'across the nodes'), '903');

  // An account from before SCRAM: PLAIN on a gives it a verifier that b uses.
  await addAccount(a, 'oldnode', 'before scram');
  const d = await connectSasl(b, 'oldnode');
  assert.equal((await scramUpToFinal(d, 'oldnode', 'before scram')).afterFinal, 'numeric:904 SASL authentication failed');
  const e = await connectSasl(a, 'oldnode');
  assert.equal(await plainLogin(e, 'oldnode', 'before scram'), '903');
  await eventually(async () => (await b.server.store.getAccount('oldnode'))?.scram !== undefined, 'the verifier saved');
  assert.equal(await scramLogin(d, 'oldnode', 'before scram'), 'oldnode');

  // Salts, real and made up, are the same whichever node answers.
  const salt = async (server: TestServer, account: string): Promise<string> => {
    const probe = await connectSasl(server, 'prober');
    const run = await scramUpToFinal(probe, account, 'a guess');
    probe.close();
    return run.serverFirst!.split(',')[1]!;
  };
  assert.equal(await salt(a, 'nodeuser'), await salt(b, 'nodeuser'));
  assert.equal(await salt(a, 'ghostaccount'), await salt(b, 'ghostaccount'));
  assert.notEqual(await salt(a, 'ghostaccount'), await salt(a, 'nodeuser'));
}

describe('SCRAM across two nodes', () => {
  test('on an in-process log', async (t) => {
    const bus = new InProcessBus<NetworkEvent>();
    const [a, b] = await startPair(t, () => bus);
    await scramAcrossNodes(a, b);
  });

  test('on a delayed log', async (t) => {
    const log = new DelayedLog<NetworkEvent>({ seed: 5, minDelayMs: 0, maxDelayMs: 20 });
    const [a, b] = await startPair(t, (nodeId) => log.node(nodeId), () => log.close());
    await scramAcrossNodes(a, b);
  });
});
