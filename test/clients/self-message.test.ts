// A message to oneself in the client core (issue 13, item 4): with echo-message the server
// sends it twice, as the echo and as the delivery, with one msgid; the client shows it once.
// Without echo-message the client does not echo it locally, since the delivery comes anyway.
// Against a scripted server, then against a real Parlor server.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { IrcClient } from '../../src/clients/irc-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { FakeServer } from './fake-server.ts';
import { startClient, waitForLine, waitUntil } from './helpers.ts';

async function registered(net: FakeServer, caps: string): Promise<IrcClient> {
  const client = new IrcClient({ host: 'irc.test', port: 6667, nick: 'zoe', dial: net.dial, reconnectBaseMs: 5, reconnectMaxMs: 40 });
  client.start();
  await waitUntil(client, () => client.model.status === 'registering', 'the connection');
  net.say(`:irc.test CAP * LS :${caps}`, `:irc.test CAP zoe ACK :${caps}`);
  net.say(':irc.test 001 zoe :Welcome zoe', ':irc.test 376 zoe :End of MOTD');
  await waitUntil(client, () => client.registered, 'registration');
  net.take();
  return client;
}

const texts = (client: IrcClient, name: string): string[] => client.model.find(name)?.lines.filter((l) => l.kind === 'message').map((l) => l.text) ?? [];

describe('a message to oneself, scripted', () => {
  test('the echo and the delivery (one msgid) show once; other msgids and other people are not merged', async () => {
    const net = new FakeServer();
    const client = await registered(net, 'echo-message message-tags');
    client.input('/msg zoe note to self');
    assert.deepEqual(net.take(), ['PRIVMSG zoe :note to self']);
    assert.deepEqual(texts(client, 'zoe'), [], 'with echo-message nothing is shown before the server says so');
    net.say('@msgid=m1 :zoe!z@h PRIVMSG zoe :note to self', '@msgid=m1 :zoe!z@h PRIVMSG zoe :note to self');
    assert.deepEqual(texts(client, 'zoe'), ['note to self']);
    // The same words sent again are a new message (a new msgid).
    net.say('@msgid=m2 :zoe!z@h PRIVMSG zoe :note to self', '@msgid=m2 :zoe!z@h PRIVMSG zoe :note to self');
    assert.deepEqual(texts(client, 'zoe'), ['note to self', 'note to self']);
    // Someone else's message is never taken for a repeat.
    net.say('@msgid=m3 :bob!b@h PRIVMSG zoe :hi', '@msgid=m3 :bob!b@h PRIVMSG zoe :hi');
    assert.deepEqual(texts(client, 'bob'), ['hi', 'hi']);
    await client.quit();
  });

  test('without echo-message: no local echo for oneself, the delivery shows it once', async () => {
    const net = new FakeServer();
    const client = await registered(net, 'message-tags');
    client.input('/msg zoe local?');
    assert.deepEqual(net.take(), ['PRIVMSG zoe :local?']);
    assert.deepEqual(texts(client, 'zoe'), []);
    net.say(':zoe!z@h PRIVMSG zoe :local?');
    assert.deepEqual(texts(client, 'zoe'), ['local?']);
    // Messages to others are still echoed locally.
    client.input('/msg bob hello bob');
    assert.deepEqual(texts(client, 'bob'), ['hello bob']);
    await client.quit();
  });
});

describe('a message to oneself, against Parlor', () => {
  let t: TestServer;
  const clients: IrcClient[] = [];
  before(async () => {
    t = await startServer();
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.quit()));
    await t.close();
  });

  test('shown once in the query with oneself', async () => {
    const c = await startClient(t.port, 'narcissus');
    clients.push(c);
    assert.ok(c.caps.has('echo-message') && c.caps.has('message-tags'));
    c.input('/msg narcissus first note');
    c.input('/msg narcissus second note');
    // Lines come in order: once the second shows, both copies of the first have been read.
    await waitForLine(c, (s) => s.line.text === 'second note');
    assert.equal(texts(c, 'narcissus').filter((x) => x === 'first note').length, 1);
  });
});
