// The client core against a scripted server (a fake dialer, no sockets): what it sends to
// register, CAP with a server that offers little, local echo and long messages cut to fit,
// PING, and the reconnect backoff. The server's side is played line by line.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { IrcClient, type IrcClientOptions } from '../../src/clients/irc-client.ts';
import { parseServer } from '../../src/cli/chat.ts';
import { FakeServer } from './fake-server.ts';
import { waitForLine, waitUntil } from './helpers.ts';

function makeClient(net: FakeServer, options: Partial<IrcClientOptions> = {}): IrcClient {
  return new IrcClient({ host: 'irc.test', port: 6667, nick: 'zoe', dial: net.dial, reconnectBaseMs: 5, reconnectMaxMs: 40, ...options });
}

async function register(net: FakeServer, client: IrcClient, caps = 'multi-prefix sasl=PLAIN'): Promise<void> {
  client.start();
  await waitUntil(client, () => client.model.status === 'registering', 'the connection');
  net.say(`:irc.test CAP * LS :${caps}`);
  net.say(':irc.test CAP zoe ACK :multi-prefix');
  net.say(':irc.test 001 zoe :Welcome zoe', ':irc.test 005 zoe PREFIX=(ov)@+ NETWORK=Test :are supported', ':irc.test 376 zoe :End of MOTD');
}

describe('registration against a scripted server', () => {
  test('sends CAP LS 302, PASS before NICK and USER, requests only what is offered', async () => {
    const net = new FakeServer();
    const client = makeClient(net, { password: 'sekrit pass' });
    await register(net, client);
    assert.deepEqual(net.take(), ['CAP LS 302', 'PASS :sekrit pass', 'NICK zoe', 'USER zoe 0 * :Parlor chat', 'CAP REQ :multi-prefix', 'CAP END']);
    assert.deepEqual([...client.caps], ['multi-prefix']);
    assert.equal(client.model.server.name, 'Test');
    net.say('PING :abc');
    assert.deepEqual(net.take(), ['PONG :abc']);
    await client.quit();
  });

  test('a multi-line CAP LS is read to its end before requesting', async () => {
    const net = new FakeServer();
    const client = makeClient(net);
    client.start();
    await waitUntil(client, () => client.model.status === 'registering', 'the connection');
    net.take();
    net.say(':irc.test CAP * LS * :server-time batch', ':irc.test CAP * LS :echo-message away-notify');
    assert.deepEqual(net.take(), ['CAP REQ :server-time echo-message away-notify batch']);
    await client.quit();
  });

  test('a server without CAP (421) registers without capabilities', async () => {
    const net = new FakeServer();
    const client = makeClient(net);
    client.start();
    await waitUntil(client, () => client.model.status === 'registering', 'the connection');
    net.say(':old.server 421 * CAP :Unknown command', ':old.server 001 zoe :Welcome');
    assert.equal(client.registered, true);
    assert.ok(!net.take().includes('CAP END'));
    await client.quit();
  });

  test('a wrong password stops without reconnecting', async () => {
    const net = new FakeServer();
    const client = makeClient(net, { password: 'bad' });
    client.start();
    await waitUntil(client, () => client.model.status === 'registering', 'the connection');
    const closed = new Promise<void>((resolve) => client.once('closed', resolve));
    net.say(':irc.test 464 * :Password incorrect');
    await closed;
    assert.equal(client.failure, 'Password incorrect');
    assert.equal(net.dials, 1);
  });
});

describe('sending without echo-message', () => {
  test('messages are echoed locally; long ones are cut into lines that fit', async () => {
    const net = new FakeServer();
    const client = makeClient(net);
    await register(net, client);
    net.say(':zoe!z@h JOIN #room');
    net.take();
    client.input('short one');
    assert.deepEqual(net.take(), ['PRIVMSG #room :short one']);
    const room = client.model.find('#room')!;
    assert.equal(room.lines.at(-1)!.text, 'short one');
    assert.equal(room.lines.at(-1)!.self, true);

    const long = '你好世界 '.repeat(100);
    client.input(long);
    const sent = net.take();
    assert.ok(sent.length > 1);
    // Relayed with our own source in front (`zoe!z@h`, seen in our JOIN), each still fits 512 bytes.
    for (const line of sent) assert.ok(Buffer.byteLength(`:zoe!z@h ${line}\r\n`) <= 512, `${Buffer.byteLength(line)} bytes`);
    assert.equal(sent.map((l) => l.slice('PRIVMSG #room :'.length)).join(''), long);
    assert.equal(room.lines.filter((l) => l.self && l.kind === 'message').length, 1 + sent.length);

    client.input('/me stretches');
    assert.deepEqual(net.take(), ['PRIVMSG #room :\x01ACTION stretches\x01']);
    assert.equal(room.lines.at(-1)!.kind, 'action');
    await client.quit();
  });

  test('what is typed before the welcome is sent after it', async () => {
    const net = new FakeServer();
    const client = makeClient(net);
    client.start();
    client.input('/join #early');
    await waitUntil(client, () => client.model.status === 'registering', 'the connection');
    assert.ok(!net.sent.some((l) => l.startsWith('JOIN')));
    net.say(':irc.test 001 zoe :Welcome');
    assert.ok(net.take().includes('JOIN #early'));
    await client.quit();
  });
});

describe('reconnecting', () => {
  test('failed attempts back off exponentially up to the maximum', async () => {
    const net = new FakeServer();
    net.accept = false;
    const client = makeClient(net);
    client.start();
    const notes = () => client.model.server.lines.filter((l) => /^Reconnecting in/.test(l.text)).map((l) => l.text);
    await waitUntil(client, () => notes().length >= 5, 'five attempts');
    assert.deepEqual(notes().slice(0, 5), ['Reconnecting in 5 ms…', 'Reconnecting in 10 ms…', 'Reconnecting in 20 ms…', 'Reconnecting in 40 ms…', 'Reconnecting in 40 ms…']);
    await client.quit();
    assert.equal(client.model.status, 'closed');
  });

  test('after a working connection drops, the first retry is quick again and rooms are rejoined with their keys', async () => {
    const net = new FakeServer();
    const client = makeClient(net);
    await register(net, client);
    client.input('/join #locked sesame');
    net.say(':zoe!z@h JOIN #locked', ':zoe!z@h JOIN #open');
    net.take();
    net.handler!.onClose('Connection reset by peer');
    await waitForLine(client, (s) => s.line.text === 'Reconnecting in 5 ms…');
    assert.equal(client.model.find('#locked')!.joined, false);
    await waitUntil(client, () => client.model.status === 'registering', 'the reconnection');
    net.say(':irc.test 001 zoe :Welcome back');
    const sent = net.take();
    assert.ok(sent.includes('JOIN #locked sesame'), sent.join('\n'));
    assert.ok(sent.includes('JOIN #open'), sent.join('\n'));
    await client.quit();
  });
});

describe('parlor chat arguments', () => {
  test('host, host:port, [IPv6]:port and --port', () => {
    assert.deepEqual(parseServer(undefined, undefined), { host: '127.0.0.1', port: 6666 });
    assert.deepEqual(parseServer('irc.example.net', undefined), { host: 'irc.example.net', port: 6666 });
    assert.deepEqual(parseServer('irc.example.net:7000', undefined), { host: 'irc.example.net', port: 7000 });
    assert.deepEqual(parseServer('irc.example.net:7000', '7001'), { host: 'irc.example.net', port: 7001 });
    assert.deepEqual(parseServer('[::1]:6697', undefined), { host: '::1', port: 6697 });
    assert.deepEqual(parseServer('::1', undefined), { host: '::1', port: 6666 });
    assert.throws(() => parseServer('host:99999', undefined), /port must be a number/);
    assert.throws(() => parseServer(undefined, 'abc'), /port must be a number/);
  });
});
