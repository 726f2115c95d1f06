// The client core (parlor chat's, and the browser's) logs in with SCRAM-SHA-256 when the
// server offers it, against the real server: seen on the wire through a recording proxy,
// which can also forge the server's final message. An account without a verifier yet is
// logged in with PLAIN after SCRAM's 904 (and has one next time); a server that cannot prove
// it knows the password is aborted and never sent the password.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { base64ToText, textToBase64 } from '../../src/protocol/scram-messages.ts';
import { MemoryStore } from '../../src/storage/memory-store.ts';
import { addAccount, TEST_PASSWORD_COST } from '../helpers/accounts.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { eventually } from '../server/scram-exchange.ts';
import { startClient, transcript, waitUntil } from './helpers.ts';
import { IrcClient } from '../../src/clients/irc-client.ts';

/** A TCP proxy to the server that records what the client sends and may rewrite what the server sends. */
interface Proxy {
  port: number;
  /** Lines from clients, in order. */
  sent: string[];
  /** Rewrites each line from the server (default: as is). */
  fromServer: (line: string) => string;
  close(): Promise<void>;
}

async function startProxy(serverPort: number): Promise<Proxy> {
  const sockets = new Set<net.Socket>();
  const proxy: Proxy = {
    port: 0,
    sent: [],
    fromServer: (line) => line,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => listener.close(() => resolve()));
    },
  };
  /** Calls `onLine` for each CRLF-ended line of `socket`. */
  const lines = (socket: net.Socket, onLine: (line: string) => void): void => {
    let buffered = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      let end: number;
      while ((end = buffered.indexOf('\r\n')) >= 0) {
        onLine(buffered.slice(0, end));
        buffered = buffered.slice(end + 2);
      }
    });
  };
  const listener = net.createServer((client) => {
    const upstream = net.connect(serverPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => (s === client ? upstream : client).destroy());
    }
    lines(client, (line) => {
      proxy.sent.push(line);
      upstream.write(`${line}\r\n`);
    });
    lines(upstream, (line) => client.write(`${proxy.fromServer(line)}\r\n`));
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  proxy.port = (listener.address() as net.AddressInfo).port;
  return proxy;
}

const authenticateLines = (p: Proxy): string[] => p.sent.filter((l) => l.startsWith('AUTHENTICATE'));

describe('the client core logs in with SCRAM-SHA-256', () => {
  let t: TestServer;
  let proxy: Proxy;
  before(async () => {
    t = await startServer({ accounts: { passwordCost: TEST_PASSWORD_COST } }, { store: new MemoryStore() });
    proxy = await startProxy(t.port);
    const owner = await t.register('scrammer', ['draft/account-registration']);
    owner.send('REGISTER * * :a good password');
    await owner.waitFor((r) => r.msg.command === 'REGISTER' && r.msg.params[0] === 'SUCCESS');
    owner.send('QUIT');
    await owner.waitClose();
  });
  after(async () => {
    await proxy.close();
    await t.close();
  });

  test('an account with a verifier: AUTHENTICATE SCRAM-SHA-256 on the wire, never PLAIN, and logged in', async () => {
    proxy.sent.length = 0;
    const c = await startClient(proxy.port, 'scrammer', { sasl: { account: 'scrammer', password: 'a good password' } });
    assert.equal(c.account, 'scrammer');
    assert.equal(t.server.network.userByNick('scrammer')?.account, 'scrammer');
    const auth = authenticateLines(proxy);
    assert.equal(auth[0], 'AUTHENTICATE SCRAM-SHA-256');
    assert.ok(!auth.includes('AUTHENTICATE PLAIN'), auth.join('\n'));
    assert.ok(!proxy.sent.some((l) => l.includes(textToBase64('\0scrammer\0a good password'))));
    assert.equal(auth.at(-1), 'AUTHENTICATE +', 'the server-final acknowledged');
    await c.quit();
  });

  test('an account from before SCRAM: 904, then PLAIN logs in; the next login is SCRAM alone', async () => {
    await addAccount(t, 'veteran', 'older password');
    proxy.sent.length = 0;
    const c = await startClient(proxy.port, 'veteran', { sasl: { account: 'veteran', password: 'older password' } });
    assert.equal(c.account, 'veteran');
    const mechanisms = authenticateLines(proxy).filter((l) => /^AUTHENTICATE [A-Z]+(-[A-Z0-9]+)*$/.test(l));
    assert.deepEqual(mechanisms, ['AUTHENTICATE SCRAM-SHA-256', 'AUTHENTICATE PLAIN']);
    // SCRAM's failure is the client's business: not shown.
    assert.doesNotMatch(transcript(c), /failed/);
    await c.quit();
    await eventually(async () => (await t.server.store.getAccount('veteran'))?.scram !== undefined, 'the verifier saved');
    proxy.sent.length = 0;
    const again = await startClient(proxy.port, 'veteran', { sasl: { account: 'veteran', password: 'older password' } });
    assert.equal(again.account, 'veteran');
    assert.ok(!authenticateLines(proxy).includes('AUTHENTICATE PLAIN'));
    await again.quit();
  });

  test('a wrong password: SCRAM and then PLAIN fail, the client goes on not logged in and says so', async () => {
    const c = await startClient(proxy.port, 'mistyper', { sasl: { account: 'scrammer', password: 'not the password' } });
    await waitUntil(c, () => /Not logged in: wrong account name or password/.test(transcript(c)) || undefined, 'the failure shown');
    assert.equal(c.account, undefined);
    await c.quit();
  });

  test('a forged server signature: the client aborts (AUTHENTICATE *), never sends PLAIN, and is not logged in', async () => {
    proxy.fromServer = (line) => {
      const m = /^((?:@\S+ )?(?::\S+ )?)AUTHENTICATE (\S+)$/.exec(line);
      const text = m && m[2] !== '+' ? base64ToText(m[2]!) : undefined;
      if (!text?.startsWith('v=')) return line;
      return `${m![1]}AUTHENTICATE ${textToBase64(`v=${Buffer.alloc(32, 7).toString('base64')}`)}`;
    };
    try {
      proxy.sent.length = 0;
      const c = await startClient(proxy.port, 'fooled', { sasl: { account: 'scrammer', password: 'a good password' } });
      await waitUntil(c, () => /could not prove that it knows your password/.test(transcript(c)) || undefined, 'the failure shown');
      assert.equal(c.account, undefined);
      assert.equal(t.server.network.userByNick('fooled')?.account, undefined);
      const auth = authenticateLines(proxy);
      assert.equal(auth.at(-1), 'AUTHENTICATE *');
      assert.ok(!auth.includes('AUTHENTICATE PLAIN'), auth.join('\n'));
      await c.quit();

      // A login that was required (the browser's): the client stops.
      const strict = new IrcClient({ host: '127.0.0.1', port: proxy.port, nick: 'fooled2', reconnect: false, sasl: { account: 'scrammer', password: 'a good password', required: true } });
      strict.start();
      await waitUntil(strict, () => strict.failure, 'the client to give up');
      assert.match(strict.failure!, /^Login failed: the server could not prove/);
    } finally {
      proxy.fromServer = (line) => line;
    }
  });
});
