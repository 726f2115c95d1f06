// What the user tester found in the clients (issue 16), across two nodes on one in-process log,
// both with the default server name: the client core (terminal and web) on node b shows
// `/names #a,#b` of rooms people on node a are in where it was typed, a query partner on node a
// who is away already as away, and /links with the node ids, since the names are the same.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { InProcessBus } from '../../src/cluster/in-process-bus.ts';
import type { IrcClient } from '../../src/clients/irc-client.ts';
import type { NetworkEvent } from '../../src/network/events.ts';
import { MemoryStore } from '../../src/storage/memory-store.ts';
import { lastLineId, startClient, waitForLine, waitUntil } from '../clients/helpers.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const SERVER_NAME = 'parlor.local';
let a: TestServer;
let b: TestServer;
const clients: IrcClient[] = [];

before(async () => {
  const bus = new InProcessBus<NetworkEvent>();
  const store = new MemoryStore();
  a = await startServer({ server: { name: SERVER_NAME } }, { bus, nodeId: 'node1', store });
  b = await startServer({ server: { name: SERVER_NAME } }, { bus, nodeId: 'node2', store });
});

after(async () => {
  await Promise.all(clients.map((c) => c.quit()));
  await b.close();
  await a.close();
});

async function client(t: TestServer, nick: string): Promise<IrcClient> {
  const c = await startClient(t.port, nick);
  clients.push(c);
  return c;
}

test('/names #a,#b of rooms on another node shows where it was typed', async () => {
  const far = await a.register('xn_far');
  far.send('JOIN #xa', 'JOIN #xb');
  await far.waitFor((r) => r.msg.command === '366' && r.msg.params[1] === '#xb');
  const near = await client(b, 'xn_near');
  for (const room of ['#xa', '#xb', '#xhere']) {
    near.input(`/join ${room}`);
    await waitUntil(near, () => near.model.find(room)?.joined && near.model.find(room)!.members.size > 0, `${room} joined`);
  }
  near.select(near.model.find('#xhere')!.key);
  const mark = lastLineId(near);
  near.input('/names #xa,#xb');
  await waitForLine(near, ({ buffer, line }) => buffer.name === '#xhere' && line.text.startsWith('#xb:'), mark);
  assert.deepEqual(
    near.model.find('#xhere')!.lines.filter((l) => l.id > mark).map((l) => l.text),
    ['#xa: 2 people: @xn_far xn_near', '#xb: 2 people: @xn_far xn_near'],
  );
});

test('a query partner on the other node, away already, shows as away on opening', async () => {
  const far = await a.register('xp_far');
  far.send('AWAY :在开会');
  await far.waitFor('306');
  const near = await client(b, 'xp_near');
  near.input('/query xp_far');
  const query = near.model.find('xp_far')!;
  await waitUntil(near, () => query.presence === 'away', 'xp_far away');
  far.send('AWAY');
  await waitUntil(near, () => query.presence === 'online', 'xp_far back');
});

test('/links tells two nodes of the same name apart by node id', async () => {
  const near = await client(b, 'xl_near');
  const mark = lastLineId(near);
  near.input('/links');
  const end = await waitForLine(near, ({ line }) => line.text === 'End of the server list.', mark);
  const lines = near.model.server.lines.filter((l) => l.id > mark && l.id < end.line.id).map((l) => l.text);
  assert.deepEqual(lines, ['Server parlor.local on node node2 (this one): Parlor', 'Server parlor.local on node node1, linked to this one: Parlor']);
});
