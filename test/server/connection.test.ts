// Keeping and losing connections over real sockets: QUIT, dropped sockets, registration and
// ping timeouts, and the send queue limit for clients that stop reading.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { joinAll } from '../helpers/irc.ts';
import type { Received } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

describe('QUIT and dropped connections', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer();
  });
  after(() => t.close());

  test('QUIT with a reason: others see it, the quitter gets ERROR and is closed', async () => {
    const stay = await t.register('stay');
    const leave = await t.register('leave');
    await joinAll('#quit', stay, leave);
    leave.send('QUIT :gone fishing');
    const error = await leave.waitFor('ERROR');
    assert.match(error.msg.params[0]!, /^Closing Link: 127\.0\.0\.1 \(Quit: gone fishing\)$/);
    await leave.waitClose();
    const quit = await stay.waitFor('QUIT');
    assert.equal(quit.msg.source, 'leave!leave@127.0.0.1');
    assert.deepEqual(quit.msg.params, ['Quit: gone fishing']);
    // The nick is free again.
    const again = await t.register('leave');
    assert.ok(!again.closed);
  });

  test('QUIT without a reason', async () => {
    const watcher = await t.register('watcher');
    const quiet = await t.register('quiet');
    await joinAll('#quiet', watcher, quiet);
    quiet.send('QUIT');
    await quiet.waitFor('ERROR');
    await quiet.waitClose();
    const quit = await watcher.waitFor('QUIT');
    assert.equal(quit.msg.source, 'quiet!quiet@127.0.0.1');
    assert.equal(quit.msg.params.length, 1);
    assert.match(quit.msg.params[0]!, /^Quit/);
  });

  test('QUIT before registration closes the connection', async () => {
    const c = await t.connect();
    c.send('NICK early', 'QUIT :bye');
    await c.waitFor('ERROR');
    await c.waitClose();
    // The nick was never taken.
    await t.register('early');
  });

  test('a client that drops its socket is seen quitting', async () => {
    const peer = await t.register('peer');
    const dropper = await t.register('dropper');
    await joinAll('#drop', peer, dropper);
    dropper.close();
    const quit = await peer.waitFor('QUIT');
    assert.equal(quit.msg.source, 'dropper!dropper@127.0.0.1');
    assert.match(quit.msg.params[0]!, /closed|reset/i);
    // It is gone from the channel and the nick list.
    peer.send('NAMES #drop');
    const names = await peer.waitFor('353');
    assert.deepEqual(names.msg.params.at(-1)!.split(' ').sort(), ['@peer']);
    const reuse = await t.register('dropper');
    assert.ok(!reuse.closed);
  });
});

describe('half-closed connections', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer();
  });
  after(() => t.close());

  test('a client that sends its lines and half-closes still gets every reply', async () => {
    // What `printf '…' | nc -N host port` does: write everything, then shut down writing.
    const c = await t.connect();
    c.socket.end('NICK oneshot\r\nUSER oneshot 0 * :One Shot\r\nPING :last\r\n');
    await c.waitFor('001');
    await c.waitFor('376');
    const pong = await c.waitFor('PONG');
    assert.deepEqual(pong.msg.params, ['test.parlor', 'last']);
    await c.waitClose();
    // And the user is gone: the nick can be registered again.
    await t.register('oneshot');
  });
});

describe('registration timeout', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({ limits: { registrationTimeoutMs: 200 } });
  });
  after(() => t.close());

  test('an unregistered connection is closed with ERROR', async () => {
    const c = await t.connect();
    c.send('NICK slowpoke');
    const error = await c.waitFor('ERROR');
    assert.match(error.msg.params[0]!, /^Closing Link: .*\(Registration timed out\)$/);
    await c.waitClose();
  });

  test('a registered connection is not affected', async () => {
    const c = await t.register('quick');
    // Outlive the timeout without sleeping: a connection opened later times out first.
    const slow = await t.connect();
    await slow.waitFor('ERROR');
    await slow.waitClose();
    await c.sync();
    assert.equal(c.closed, false);
  });
});

describe('ping timeout', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({ limits: { pingIntervalMs: 100, pingTimeoutMs: 100 } });
  });
  after(() => t.close());

  test('a client that does not answer PING is closed', async () => {
    const c = await t.connect();
    c.autoPong = false;
    c.send('NICK mute', 'USER mute 0 * :Mute');
    await c.waitFor('376');
    const ping = await c.waitFor('PING');
    assert.deepEqual(ping.msg.params, ['test.parlor']);
    const error = await c.waitFor('ERROR');
    assert.match(error.msg.params[0]!, /^Closing Link: .*\(Ping timeout/);
    await c.waitClose();
  });

  test('others see the ping timeout as a QUIT', async () => {
    const other = await t.register('other');
    const mute = await t.connect();
    mute.autoPong = false;
    mute.send('NICK mute2', 'USER mute2 0 * :Mute', 'JOIN #ping');
    await mute.waitFor('366');
    other.send('JOIN #ping');
    await other.waitFor('366');
    const quit = await other.waitFor('QUIT');
    assert.equal(quit.msg.source, 'mute2!mute2@127.0.0.1');
    assert.match(quit.msg.params[0]!, /^Ping timeout/);
  });

});

describe('ping keep-alive', () => {
  let t: TestServer;
  before(async () => {
    // Frequent PINGs, but a lenient timeout, so that a busy test machine cannot fail this.
    t = await startServer({ limits: { pingIntervalMs: 100, pingTimeoutMs: 5_000 } });
  });
  after(() => t.close());

  test('a client that answers PINGs stays connected', async () => {
    const c = await t.register('lively');
    for (let i = 0; i < 3; i++) {
      const ping = await c.waitFor('PING');
      assert.deepEqual(ping.msg.params, ['test.parlor']);
    }
    await c.sync();
    assert.equal(c.closed, false);
    assert.equal(c.received.some((r) => r.msg.command === 'ERROR'), false);
  });
});

describe('send queue', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({ limits: { sendQueueBytes: 4096 } });
  });
  after(() => t.close());

  test('a client that stops reading is dropped with SendQ exceeded; readers are not', async () => {
    const flooder = await t.register('flooder');
    const sleeper = await t.register('sleeper');
    const reader = await t.register('reader');
    await joinAll('#flood', flooder, sleeper, reader);
    sleeper.socket.pause();
    // Each round is a write and a PING; without this, Nagle's algorithm delays every round.
    flooder.socket.setNoDelay(true);

    const text = 'x'.repeat(480);
    // Few lines per round, so that one round's output (~2.6 KB) fits in the 4 KB queue of a
    // client that reads; the sleeper's queue only fills once the kernel buffers are full.
    const perRound = 5;
    const isSleeperQuit = (r: Received) =>
      r.msg.command === 'QUIT' && r.msg.source?.startsWith('sleeper!') === true;
    let sent = 0;
    while (sent < 20_000 && !flooder.received.some(isSleeperQuit)) {
      const lines: string[] = [];
      for (let i = 0; i < perRound; i++) lines.push(`PRIVMSG #flood :${sent + i} ${text}`);
      flooder.send(...lines);
      sent += perRound;
      await flooder.sync();
    }
    const quit = flooder.received.find(isSleeperQuit);
    assert.ok(quit, `sleeper not dropped after ${sent} messages`);
    assert.match(quit.msg.params[0]!, /SendQ exceeded/);

    // The reading client got every message and was never dropped.
    const last = await reader.waitFor((r) => r.msg.command === 'PRIVMSG' && r.msg.params[1]!.startsWith(`${sent - 1} `));
    assert.equal(last.msg.source, 'flooder!flooder@127.0.0.1');
    assert.equal(reader.received.filter((r) => r.msg.command === 'PRIVMSG').length, sent);
    assert.equal(reader.closed, false);

    // The server is healthy: a newcomer registers and sees who is left.
    const newcomer = await t.register('newcomer');
    newcomer.send('JOIN #flood');
    const names = await newcomer.waitFor('353');
    assert.deepEqual(names.msg.params.at(-1)!.split(' ').sort(), ['@flooder', 'newcomer', 'reader']);
  });
});
