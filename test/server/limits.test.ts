// Connection limits and flood control over real sockets: the server-wide maximum, per-address
// and per-network limits, the connection throttle, token-bucket fakelag with Excess Flood,
// oper exemption, and a client that stops reading while memory stays bounded.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import { parseConfig, type ConfigInput } from '../../src/server/config.ts';
import { hashPassword } from '../../src/server/passwords.ts';
import type { ServerDeps } from '../../src/server/server.ts';
import { ManualClock } from '../helpers/clock.ts';
import { is, joinAll, mask, settle } from '../helpers/irc.ts';
import { RawClient, type Received } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

/** A server for one test, closed when the test ends however it ends. */
async function withServer(
  input: ConfigInput,
  deps: Omit<ServerDeps, 'config'>,
  body: (t: TestServer) => Promise<void>,
): Promise<void> {
  const t = await startServer(input, deps);
  try {
    await body(t);
  } finally {
    await t.close();
  }
}

/**
 * A RawClient whose socket comes from another loopback address (Linux routes all of
 * 127.0.0.0/8 to lo). The helper connects from 127.0.0.1 only, so its socket is wrapped here.
 */
function connectFrom(t: TestServer, localAddress: string): Promise<RawClient> {
  const Wrap = RawClient as unknown as new (socket: net.Socket) => RawClient;
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port: t.port, host: '127.0.0.1', localAddress }, () => {
      const c = new Wrap(socket);
      t.clients.push(c);
      resolve(c);
    });
    socket.once('error', reject);
  });
}

/** Registers an already connected client and waits for the end of its MOTD. */
async function registerOn(c: RawClient, nick: string): Promise<RawClient> {
  c.send(`NICK ${nick}`, `USER ${nick} 0 * :${nick} Test`);
  await c.waitFor((r) => r.msg.command === '376' || r.msg.command === '422');
  return c;
}

/** A connection the server refuses: the one ERROR line, then the close. */
async function expectRefused(c: RawClient, message: string | RegExp): Promise<void> {
  const error = await c.waitFor('ERROR');
  if (typeof message === 'string') assert.equal(error.raw, `ERROR :${message}`);
  else assert.match(error.raw, message);
  await c.waitClose();
  assert.deepEqual(
    c.received.map((r) => r.raw),
    [error.raw],
  );
}

/** The texts of the PRIVMSGs `from` sent to `target` among `lines`, in order. */
function messagesFrom(lines: Received[], from: string, target: string): string[] {
  return lines.filter((r) => r.msg.command === 'PRIVMSG' && r.msg.source === mask(from) && r.msg.params[0] === target).map((r) => r.msg.params[1]!);
}

const numbers = (from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => `msg ${from + i}`);

/** A ManualClock whose wall time can also be stepped back, as NTP may do to Date.now(). */
class SteppingClock extends ManualClock {
  private offset = 0;

  override now(): number {
    return super.now() + this.offset;
  }

  stepBack(ms: number): void {
    this.offset -= ms;
  }
}

describe('connections.max', () => {
  test('defaults to 10000', () => {
    assert.equal(parseConfig({}).connections.max, 10_000);
  });

  test('with max 2, the third connection is told the server is full; a leaver frees a place', async () => {
    await withServer({ connections: { max: 2 } }, {}, async (t) => {
      const a = await t.register('alice');
      const b = await t.register('bob');

      const third = await t.connect();
      await expectRefused(third, 'Server is full (2 connections); try again later');
      assert.equal(t.server.stats.refused['server-full'], 1);

      // The two admitted clients are unaffected.
      a.send('PRIVMSG bob :still here?');
      const got = await b.waitFor('PRIVMSG');
      assert.equal(got.raw, `:${mask('alice')} PRIVMSG bob :still here?`);

      // Once alice's close has been handled (bob sees her QUIT), a newcomer gets her place.
      await joinAll('#full', a, b);
      a.send('QUIT :bye');
      await a.waitClose();
      const quit = await b.waitFor('QUIT');
      assert.equal(quit.msg.source, mask('alice'));
      assert.equal(t.server.sessions.size, 1);
      const carol = await t.register('carol');
      carol.send('PRIVMSG bob :hi, I got in');
      assert.equal((await b.waitFor('PRIVMSG')).msg.params[1], 'hi, I got in');
    });
  });
});

describe('per-address limits', () => {
  test('perIp 2 without exemptions: the third connection from 127.0.0.1 is refused', async () => {
    await withServer({ connections: { exempt: [], perIp: 2 } }, {}, async (t) => {
      const a = await t.register('one');
      const b = await t.register('two');
      const third = await t.connect();
      await expectRefused(third, 'Too many connections from your address (2 allowed)');
      assert.equal(t.server.stats.refused['per-ip'], 1);
      // A refused connection is not counted: once one leaves (its QUIT seen), one more may come.
      await joinAll('#perip', a, b);
      a.close();
      assert.equal((await b.waitFor('QUIT')).msg.source, mask('one'));
      const newcomer = await t.register('three');
      assert.equal(newcomer.closed, false);
    });
  });

  test('by default loopback is exempt: many connections from 127.0.0.1 are fine', async () => {
    await withServer({}, {}, async (t) => {
      const defaults = parseConfig({}).connections;
      const n = Math.max(defaults.perIp, defaults.throttleConnections) + 9;
      const clients: RawClient[] = [];
      for (let i = 0; i < n; i++) clients.push(await t.register(`many${i}`));
      assert.equal(t.server.sessions.size, n);
      assert.ok(clients.every((c) => !c.closed));
      assert.equal(t.server.stats.refused['per-ip'] + t.server.stats.refused.throttled, 0);
    });
  });

  test('a CIDR rule overrides perIp: 127.0.0.0/8 max 1 refuses the second', async () => {
    await withServer({ connections: { exempt: [], cidrLimits: [{ cidr: '127.0.0.0/8', max: 1 }] } }, {}, async (t) => {
      await t.register('first');
      const second = await t.connect();
      await expectRefused(second, 'Too many connections from your address (1 allowed)');
      // The rule covers the whole network, so another loopback address is refused too.
      const other = await connectFrom(t, '127.0.0.2');
      await expectRefused(other, 'Too many connections from your address (1 allowed)');
    });
  });

  test('perIp counts each address on its own by default (ipv4Prefix 32)', async () => {
    await withServer({ connections: { exempt: [], perIp: 1 } }, {}, async (t) => {
      await t.register('home');
      await expectRefused(await t.connect(), 'Too many connections from your address (1 allowed)');
      const neighbour = await registerOn(await connectFrom(t, '127.0.0.2'), 'neighbour');
      assert.equal(neighbour.closed, false);
      neighbour.send('WHOIS neighbour');
      const whois = await neighbour.waitFor('311');
      assert.equal(whois.msg.params[3], '127.0.0.2');
    });
  });

  test('ipv4Prefix 24 counts the addresses of a /24 together', async () => {
    await withServer({ connections: { exempt: [], perIp: 2, ipv4Prefix: 24 } }, {}, async (t) => {
      await t.register('a1');
      await registerOn(await connectFrom(t, '127.0.0.2'), 'a2');
      await expectRefused(await connectFrom(t, '127.0.0.3'), 'Too many connections from your address (2 allowed)');
      await expectRefused(await t.connect(), 'Too many connections from your address (2 allowed)');
    });
  });
});

describe('connection throttle', () => {
  const connections = { exempt: [], perIp: 100, throttleConnections: 3, throttleWindowMs: 60_000 };

  test('the 4th connection within the window is refused', async () => {
    await withServer({ connections }, {}, async (t) => {
      for (let i = 0; i < 3; i++) await t.register(`quick${i}`);
      await expectRefused(await t.connect(), /^ERROR :.*too quickly/);
      assert.equal(t.server.stats.refused.throttled, 1);
    });
  });

  test('once the window has passed, connections are admitted again', async () => {
    const clock = new ManualClock();
    await withServer({ connections }, { clock }, async (t) => {
      for (let i = 0; i < 3; i++) await t.register(`quick${i}`);
      await expectRefused(await t.connect(), /^ERROR :.*too quickly; try again in 60 seconds$/);
      clock.advance(30_000);
      await expectRefused(await t.connect(), /^ERROR :.*too quickly; try again in 30 seconds$/);
      clock.advance(30_000);
      const later = await t.register('later');
      assert.equal(later.closed, false);
      assert.equal(t.server.stats.refused.throttled, 2);
    });
  });

  test('a wall clock stepped back does not stretch the window', async () => {
    const clock = new SteppingClock();
    await withServer({ connections }, { clock }, async (t) => {
      for (let i = 0; i < 3; i++) await t.register(`quick${i}`);
      clock.stepBack(3_600_000);
      // Not refused for the hour the clock went back: a new window starts, and counts again.
      for (let i = 0; i < 3; i++) await t.register(`again${i}`);
      await expectRefused(await t.connect(), /^ERROR :.*too quickly; try again in 60 seconds$/);
    });
  });
});

describe('flood control (token bucket, ManualClock)', () => {
  const flood = { burst: 5, commandsPerSecond: 2, recvQueueBytes: 4096 };

  test('a burst passes, the rest is held and released at the steady rate, in order, none lost', async () => {
    const clock = new ManualClock();
    await withServer({ flood }, { clock }, async (t) => {
      const observer = await t.register('observer');
      const flooder = await t.register('flooder'); // NICK + USER: 2 of the 5 tokens
      const third = await t.register('third');
      await joinAll('#flood', observer);
      // JOIN takes 1 more token, 2 left. (No sync for the flooder: its PING would take one.)
      flooder.send('JOIN #flood');
      await flooder.waitFor(is('366', 'flooder', '#flood'));
      await observer.waitFor('JOIN');
      const lines = Array.from({ length: 20 }, (_, i) => `PRIVMSG #flood :msg ${i + 1}`);
      flooder.send(...lines);
      await observer.waitFor(is('PRIVMSG', '#flood', 'msg 2'));
      await observer.sync();
      assert.deepEqual(messagesFrom(observer.received, 'flooder', '#flood'), numbers(1, 2));

      // Someone else is not slowed by the flooder: their messages arrive at once.
      third.send('PRIVMSG observer :one', 'PRIVMSG observer :two', 'PRIVMSG observer :three');
      await observer.waitFor(is('PRIVMSG', 'observer', 'three'));
      assert.deepEqual(messagesFrom(observer.received, 'third', 'observer'), ['one', 'two', 'three']);

      // One second at 2 per second releases 2 more.
      clock.advance(1000);
      await observer.waitFor(is('PRIVMSG', '#flood', 'msg 4'));
      await observer.sync();
      assert.deepEqual(messagesFrom(observer.received, 'flooder', '#flood'), numbers(1, 4));

      // The other 16 take 8 s more; all arrive, in order.
      clock.advance(8000);
      await observer.waitFor(is('PRIVMSG', '#flood', 'msg 20'));
      await observer.sync();
      assert.deepEqual(messagesFrom(observer.received, 'flooder', '#flood'), numbers(1, 20));
      assert.equal(flooder.closed, false);
    });
  });

  test('a wall clock stepped back does not hold a client back', async () => {
    const clock = new SteppingClock();
    await withServer({ flood }, { clock }, async (t) => {
      const observer = await t.register('observer');
      const talker = await t.register('talker'); // 3 tokens left
      clock.stepBack(3_600_000);
      talker.send('PRIVMSG observer :1', 'PRIVMSG observer :2', 'PRIVMSG observer :3');
      await observer.waitFor(is('PRIVMSG', 'observer', '3'));
      assert.deepEqual(messagesFrom(observer.received, 'talker', 'observer'), ['1', '2', '3']);
    });
  });

  test('more than recvQueueBytes waiting: Excess Flood, seen as its QUIT; others chat on', async () => {
    const clock = new ManualClock();
    await withServer({ flood }, { clock }, async (t) => {
      const observer = await t.register('observer');
      const flooder = await t.register('flooder');
      const other = await t.register('other');
      await joinAll('#xs', observer, flooder);
      const text = 'x'.repeat(100);
      const lines = Array.from({ length: 60 }, (_, i) => `PRIVMSG #xs :${i} ${text}`);
      assert.ok(lines.join('\r\n').length > 4096);
      flooder.send(...lines);

      const error = await flooder.waitFor('ERROR');
      assert.equal(error.raw, 'ERROR :Closing Link: 127.0.0.1 (Excess Flood)');
      await flooder.waitClose();
      const quit = await observer.waitFor('QUIT');
      assert.equal(quit.msg.source, mask('flooder'));
      assert.deepEqual(quit.msg.params, ['Excess Flood']);
      assert.equal(t.server.stats.floodDisconnects, 1);

      other.send('PRIVMSG observer :all quiet now?');
      assert.equal((await observer.waitFor(is('PRIVMSG', 'observer'))).msg.params[1], 'all quiet now?');
      observer.send('PRIVMSG other :yes');
      assert.equal((await other.waitFor(is('PRIVMSG', 'other'))).msg.params[1], 'yes');
      assert.equal(t.server.stats.floodDisconnects, 1);
    });
  });
});

describe('flood control and opers', () => {
  let opers: ConfigInput['opers'];
  before(async () => {
    opers = [{ name: 'root', password: await hashPassword('pw', 4) }];
  });

  const flood = { burst: 5, commandsPerSecond: 2, recvQueueBytes: 65536 };

  /** observer and oper (after OPER) in #ops; the oper's tokens left: 5 − NICK, USER, OPER, JOIN. */
  async function operInRoom(t: TestServer): Promise<{ observer: RawClient; oper: RawClient }> {
    const observer = await t.register('observer');
    const oper = await t.register('boss');
    oper.send('OPER root pw');
    await oper.waitFor('381');
    observer.send('JOIN #ops');
    await observer.waitFor(is('366', 'observer', '#ops'));
    oper.send('JOIN #ops');
    await oper.waitFor(is('366', 'boss', '#ops'));
    await observer.waitFor('JOIN');
    return { observer, oper };
  }

  test('exemptOpers (default true): an oper sends 50 lines at once, all handled', async () => {
    const clock = new ManualClock();
    await withServer({ flood, opers }, { clock }, async (t) => {
      const { observer, oper } = await operInRoom(t);
      oper.send(...Array.from({ length: 50 }, (_, i) => `PRIVMSG #ops :msg ${i + 1}`));
      await observer.waitFor(is('PRIVMSG', '#ops', 'msg 50'));
      assert.deepEqual(messagesFrom(observer.received, 'boss', '#ops'), numbers(1, 50));
      // Its own sync goes straight through too.
      await oper.sync();
    });
  });

  test('with exemptOpers false an oper is held like anyone', async () => {
    const clock = new ManualClock();
    await withServer({ flood: { ...flood, exemptOpers: false }, opers }, { clock }, async (t) => {
      const { observer, oper } = await operInRoom(t);
      oper.send(...Array.from({ length: 50 }, (_, i) => `PRIVMSG #ops :msg ${i + 1}`));
      await observer.waitFor(is('PRIVMSG', '#ops', 'msg 1'));
      await observer.sync();
      assert.deepEqual(messagesFrom(observer.received, 'boss', '#ops'), numbers(1, 1));
      // 49 more at 2 per second.
      clock.advance(25_000);
      await observer.waitFor(is('PRIVMSG', '#ops', 'msg 50'));
      assert.deepEqual(messagesFrom(observer.received, 'boss', '#ops'), numbers(1, 50));
    });
  });
});

describe('default flood settings', () => {
  test('parsed from an empty config', () => {
    assert.deepEqual(parseConfig({}).flood, { burst: 20, commandsPerSecond: 4, recvQueueBytes: 16_384, exemptOpers: true });
  });

  test('a normal client (register, 3 rooms, a few lines) is never held back', async () => {
    await withServer({ flood: {} }, {}, async (t) => {
      assert.equal(t.server.config.flood.burst, 20);
      const listener = await t.register('listener');
      const rooms = ['#one', '#two', '#three'];
      for (const room of rooms) {
        listener.send(`JOIN ${room}`);
        await listener.waitFor(is('366', 'listener', room));
      }
      const talker = await t.register('talker');
      for (const room of rooms) {
        talker.send(`JOIN ${room}`);
        await talker.waitFor(is('366', 'talker', room));
      }
      await settle(listener, talker);
      const said: string[] = [];
      for (const room of rooms) {
        for (let i = 1; i <= 3; i++) said.push(`PRIVMSG ${room} :${room} line ${i}`);
      }
      talker.send(...said);
      await listener.waitFor(is('PRIVMSG', '#three', '#three line 3'));
      const got = listener.received.filter((r) => r.msg.command === 'PRIVMSG' && r.msg.source === mask('talker'));
      assert.deepEqual(
        got.map((r) => `PRIVMSG ${r.msg.params[0]} :${r.msg.params[1]}`),
        said,
      );
    });
  });
});

/**
 * A reader that keeps no lines: counts the numbered PRIVMSGs of one room, checks they come in
 * order, and keeps only the few other lines. Holding millions of bytes of received lines in
 * this process would spoil the heap measurement.
 */
class CountingReader {
  count = 0;
  outOfOrder = 0;
  readonly others: string[] = [];
  private buffer = '';
  private waiter: { done: () => boolean; resolve: () => void } | undefined;

  private constructor(readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', () => {});
  }

  static connect(port: number): Promise<CountingReader> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host: '127.0.0.1' }, () => resolve(new CountingReader(socket)));
      socket.once('error', reject);
    });
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let start = 0;
    let end: number;
    while ((end = this.buffer.indexOf('\r\n', start)) !== -1) {
      const line = this.buffer.slice(start, end);
      start = end + 2;
      const m = / PRIVMSG #paste :(\d+) /.exec(line);
      if (m) {
        if (Number(m[1]) !== this.count) this.outOfOrder++;
        this.count++;
      } else {
        if (line.startsWith('PING ')) this.socket.write(`PONG ${line.slice(5)}\r\n`);
        if (this.others.length < 1000) this.others.push(line);
      }
    }
    this.buffer = this.buffer.slice(start);
    if (this.waiter?.done()) {
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve();
    }
  }

  /** Waits until `done()` holds, checked as lines arrive; fails after 5 s. */
  until(done: () => boolean, what: string): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; count ${this.count}`)), 5000);
      this.waiter = {
        done,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

describe('a client that does not read', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({ limits: { sendQueueBytes: 65_536, closeTimeoutMs: 60_000 } });
  });
  after(() => t.close());

  test('is dropped with SendQ exceeded; a reader gets everything; the heap does not grow', async () => {
    v8.setFlagsFromString('--expose_gc');
    const gc = vm.runInNewContext('gc') as () => void;

    const paster = await t.register('paster');
    const sleeper = await t.register('sleeper');
    await joinAll('#paste', paster, sleeper);
    const reader = await CountingReader.connect(t.port);
    try {
      reader.socket.write('NICK reader\r\nUSER reader 0 * :reader\r\nJOIN #paste\r\n');
      await reader.until(() => reader.others.some((l) => / 366 reader #paste /.test(l)), 'the JOIN of reader');
      await paster.waitFor('JOIN');
      sleeper.socket.pause();

      // Output waits in Buffers, outside the JS heap, so external memory is measured too. Their
      // backing stores are freed after a collection, so it runs twice with a turn between.
      const usage = async (): Promise<NodeJS.MemoryUsage> => {
        gc();
        await new Promise(setImmediate);
        gc();
        const m = process.memoryUsage();
        return m;
      };
      const before = await usage();

      // 48 lines of ~490 bytes a round (~25 KB in, ~26 KB out to each member), then a PING:
      // one round's output fits the 64 KB queue of a member who reads.
      const filler = 'y'.repeat(470);
      const perRound = 48;
      const target = 24 * 1024 * 1024;
      let sentBytes = 0;
      let sent = 0;
      for (let round = 0; round < 2000 && sentBytes < target; round++) {
        let chunk = '';
        for (let i = 0; i < perRound; i++) chunk += `PRIVMSG #paste :${sent + i} ${filler}\r\n`;
        paster.writeRaw(chunk);
        sentBytes += chunk.length;
        sent += perRound;
        await paster.sync();
        const upTo = sent;
        await reader.until(() => reader.count >= upTo, `message ${upTo - 1}`);
      }
      assert.ok(sentBytes >= target, `only ${sentBytes} bytes sent`);

      // The sleeper was dropped for its full send queue, and the others saw it go.
      const quit = reader.others.find((l) => l.startsWith(':sleeper!') && l.includes(' QUIT '));
      assert.ok(quit, 'the reader did not see the sleeper quit');
      assert.match(quit, / QUIT :SendQ exceeded$/);
      assert.ok(paster.received.some((r) => r.msg.command === 'QUIT' && r.msg.source === mask('sleeper')));

      // The reader got every message, in order, and was never dropped.
      assert.equal(reader.count, sent);
      assert.equal(reader.outOfOrder, 0);
      assert.equal(reader.socket.destroyed, false);

      const end = await usage();
      const mb = (n: number): string => `${(n / 1048576).toFixed(1)} MB`;
      const heapGrowth = end.heapUsed - before.heapUsed;
      const externalGrowth = end.external - before.external;
      assert.ok(heapGrowth < 8 * 1048576, `the heap grew by ${mb(heapGrowth)} for ${mb(sentBytes)} sent`);
      assert.ok(externalGrowth < 8 * 1048576, `external memory grew by ${mb(externalGrowth)} for ${mb(sentBytes)} sent`);

    } finally {
      reader.close();
    }
  });

  test('the dropped client is told why once it reads: ERROR :SendQ exceeded, then the close', async () => {
    const paster = await t.register('paster2');
    const sleeper = await t.register('sleeper2');
    await joinAll('#paste2', paster, sleeper);
    sleeper.socket.pause();
    const filler = 'z'.repeat(470);
    const isSleeperQuit = (r: Received) => r.msg.command === 'QUIT' && r.msg.source === mask('sleeper2');
    let sent = 0;
    // The kernel buffers take a few MB before the 64 KB queue fills; bounded at 40 MB.
    for (let round = 0; round < 1700 && !paster.received.some(isSleeperQuit); round++) {
      let chunk = '';
      for (let i = 0; i < 48; i++) chunk += `PRIVMSG #paste2 :${sent + i} ${filler}\r\n`;
      paster.writeRaw(chunk);
      sent += 48;
      await paster.sync();
    }
    const quit = paster.received.find(isSleeperQuit);
    assert.ok(quit, `sleeper2 not dropped after ${sent} messages`);
    assert.deepEqual(quit.msg.params, ['SendQ exceeded']);

    // What the kernel held comes first, then the ERROR that says why, then the close.
    sleeper.socket.resume();
    await sleeper.waitClose();
    const last = sleeper.received.at(-1)!;
    assert.equal(last.raw, 'ERROR :SendQ exceeded');
  });
});
