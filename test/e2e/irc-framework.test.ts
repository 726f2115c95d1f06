// Interoperability with irc-framework, the library behind Kiwi IRC: two of its clients
// register (negotiating server-time, message-tags, batch, echo-message, labeled-response…),
// chat in a room and privately, and see each other's NICK, TOPIC, KICK and QUIT as the
// library's parsed events.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import IRC, { type Client } from 'irc-framework';
import { startServer, type TestServer } from '../helpers/server.ts';
import { WAIT_MS } from '../helpers/wait.ts';

type Event = Record<string, unknown>;
interface Seen {
  name: string;
  event: Event;
}

// Every event the tests look at, kept in order, so a wait never misses one that came early.
const EVENTS = ['registered', 'join', 'part', 'userlist', 'privmsg', 'notice', 'nick', 'topic', 'kick', 'quit', 'whois', 'close'];

/** An irc-framework client whose events are recorded and awaited like RawClient's lines. */
class Framework {
  readonly client: Client;
  readonly seen: Seen[] = [];
  readonly raw: string[] = [];
  private cursor = 0;
  private waiters: { name: string; pred: (e: Event) => boolean; resolve: (e: Event) => void }[] = [];

  constructor(port: number, nick: string) {
    this.client = new IRC.Client();
    for (const name of EVENTS) this.client.on(name, (event: Event) => this.record(name, event ?? {}));
    this.client.on('raw', (e: { line: string; from_server: boolean }) => {
      this.raw.push(`${e.from_server ? '<<' : '>>'} ${e.line.trimEnd()}`);
    });
    this.client.requestCap('labeled-response');
    this.client.connect({
      host: '127.0.0.1',
      port,
      nick,
      username: nick,
      gecos: `${nick} via irc-framework`,
      auto_reconnect: false,
      // No client-side timers: the test drives everything and must exit promptly.
      ping_interval: 0,
      ping_timeout: 0,
      enable_echomessage: true,
      enable_chghost: true,
      enable_setname: true,
    });
  }

  private record(name: string, event: Event): void {
    this.seen.push({ name, event });
    const w = this.waiters.find((x) => x.name === name && x.pred(event));
    if (w) {
      this.waiters = this.waiters.filter((x) => x !== w);
      this.cursor = this.seen.length;
      w.resolve(event);
    }
  }

  /** The next `name` event (after the last one waited for) satisfying `pred`; fails after 5 s. */
  waitFor(name: string, pred: (e: Event) => boolean = () => true, timeoutMs = WAIT_MS): Promise<Event> {
    for (let i = this.cursor; i < this.seen.length; i++) {
      const s = this.seen[i]!;
      if (s.name === name && pred(s.event)) {
        this.cursor = i + 1;
        return Promise.resolve(s.event);
      }
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        name,
        pred,
        resolve: (e: Event) => {
          clearTimeout(timer);
          resolve(e);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== waiter);
        reject(new Error(`timed out waiting for '${name}' on ${this.client.user.nick}; last raw lines:\n${this.raw.slice(-12).join('\n')}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Quits (if still connected) and waits until the library reports the socket closed. */
  async quit(message = 'test over'): Promise<void> {
    if (this.seen.some((s) => s.name === 'close')) return;
    const closed = new Promise<void>((resolve) => this.client.once('close', () => resolve()));
    this.client.quit(message);
    await Promise.race([closed, new Promise<void>((resolve) => setTimeout(resolve, 3000).unref())]);
    this.client.removeAllListeners();
  }
}

const ROOM = '#parlor';
let srv: TestServer;
let alice: Framework;
let bob: Framework;

before(async () => {
  srv = await startServer();
  alice = new Framework(srv.port, 'alice');
  bob = new Framework(srv.port, 'bob');
});

after(async () => {
  await Promise.all([alice?.quit(), bob?.quit()]);
  await srv?.close();
});

test('both clients register and negotiate the IRCv3 capabilities they ask for', async () => {
  const [a, b] = await Promise.all([alice.waitFor('registered'), bob.waitFor('registered')]);
  assert.equal(a.nick, 'alice');
  assert.equal(b.nick, 'bob');
  for (const c of [alice, bob]) {
    const enabled = [...c.client.network.cap.enabled].sort();
    for (const cap of ['batch', 'echo-message', 'labeled-response', 'message-tags', 'multi-prefix', 'server-time', 'userhost-in-names', 'away-notify', 'cap-notify', 'chghost', 'setname', 'invite-notify']) {
      assert.ok(enabled.includes(cap), `${cap} enabled (got ${enabled.join(' ')})`);
    }
  }
  // ISUPPORT reached the library: it knows the network name and casemapping.
  assert.equal(alice.client.network.name, 'Parlor');
  assert.ok(alice.client.network.options.CASEMAPPING, 'CASEMAPPING advertised');
});

test('both join #parlor and see each other in the room', async () => {
  alice.client.join(ROOM);
  const selfJoin = await alice.waitFor('join', (e) => e.nick === 'alice');
  assert.equal(selfJoin.channel, ROOM);
  assert.equal(typeof selfJoin.time, 'number', 'server-time gives the JOIN a time');
  const aliceNames = await alice.waitFor('userlist', (e) => e.channel === ROOM);
  const aliceList = aliceNames.users as { nick: string; modes: string[] }[];
  assert.deepEqual(aliceList.map((u) => u.nick), ['alice']);
  assert.deepEqual(aliceList[0]!.modes, ['o'], 'the first to join is the channel operator');

  bob.client.join(ROOM);
  const bobJoin = await alice.waitFor('join', (e) => e.nick === 'bob');
  assert.equal(bobJoin.channel, ROOM);
  assert.equal(bobJoin.ident, 'bob');
  assert.equal(typeof bobJoin.hostname, 'string');
  await bob.waitFor('join', (e) => e.nick === 'bob' && e.channel === ROOM);
  const bobNames = await bob.waitFor('userlist', (e) => e.channel === ROOM);
  const bobList = bobNames.users as { nick: string; modes: string[]; ident: string; hostname: string }[];
  assert.deepEqual(bobList.map((u) => u.nick).sort(), ['alice', 'bob']);
  const op = bobList.find((u) => u.nick === 'alice')!;
  assert.deepEqual(op.modes, ['o']);
  // userhost-in-names: the library learned idents from the NAMES reply.
  assert.equal(op.ident, 'alice');
});

test('a room message with Chinese and emoji arrives intact, with server-time, and is echoed', async () => {
  const text = '大家好，欢迎来到客厅 🎉🐈‍⬛ — ça va? 👋🏽';
  const before = Date.now();
  alice.client.say(ROOM, text);
  const got = await bob.waitFor('privmsg', (e) => e.target === ROOM);
  assert.equal(got.nick, 'alice');
  assert.equal(got.ident, 'alice');
  assert.equal(got.message, text);
  assert.equal(got.from_server, false);
  assert.equal(typeof got.time, 'number', 'server-time tag parsed');
  assert.ok(Math.abs((got.time as number) - before) < 60_000, 'server-time is now');
  const tags = got.tags as Record<string, string>;
  assert.match(tags.time ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  // echo-message: the sender sees her own message come back from the server.
  const echo = await alice.waitFor('privmsg', (e) => e.target === ROOM);
  assert.equal(echo.nick, 'alice');
  assert.equal(echo.message, text);
});

test('a private answer reaches alice as a private message', async () => {
  const text = '私聊：收到了 ✅ 🍵';
  bob.client.say('alice', text);
  const got = await alice.waitFor('privmsg', (e) => e.nick === 'bob');
  assert.equal(got.target, 'alice');
  assert.equal(got.message, text);
  // Not seen in the room by anyone: bob's echo is addressed to alice too.
  const echo = await bob.waitFor('privmsg', (e) => e.nick === 'bob');
  assert.equal(echo.target, 'alice');
  assert.equal(echo.message, text);
});

test('a labeled WHOIS is answered in a batch the library unwraps', async () => {
  alice.client.raw('@label=who1 WHOIS bob');
  const w = await alice.waitFor('whois', (e) => e.nick === 'bob');
  assert.equal(w.error, undefined, `WHOIS found bob: ${JSON.stringify(w)}`);
  assert.equal(w.ident, 'bob');
  assert.equal(w.real_name, 'bob via irc-framework');
  assert.ok(String(w.channels ?? '').includes(ROOM), `channels listed: ${String(w.channels)}`);
  assert.ok(
    alice.raw.some((l) => /^<< @[^ ]*label=who1[^ ]* :\S+ BATCH \+\S+ labeled-response/.test(l)),
    `a labeled-response batch was opened:\n${alice.raw.slice(-12).join('\n')}`,
  );
});

test('a NICK change is seen by the other client', async () => {
  bob.client.changeNick('robert');
  const n = await alice.waitFor('nick', (e) => e.nick === 'bob');
  assert.equal(n.new_nick, 'robert');
  assert.equal(n.ident, 'bob');
  await bob.waitFor('nick', (e) => e.nick === 'bob' && e.new_nick === 'robert');
  assert.equal(bob.client.user.nick, 'robert', 'the library tracks its own new nick');
});

test('a TOPIC set by alice reaches robert with setter and text', async () => {
  const topic = '今日话题：茶与猫 🍵🐈';
  alice.client.setTopic(ROOM, topic);
  const t = await bob.waitFor('topic', (e) => e.channel === ROOM && e.nick === 'alice');
  assert.equal(t.topic, topic);
  const own = await alice.waitFor('topic', (e) => e.channel === ROOM && e.nick === 'alice');
  assert.equal(own.topic, topic);
});

test('a KICK is seen by the kicked client and by the kicker', async () => {
  alice.client.raw('KICK', ROOM, 'robert', 'out you go 🚪');
  const k = await bob.waitFor('kick', (e) => e.channel === ROOM);
  assert.equal(k.kicked, 'robert');
  assert.equal(k.nick, 'alice');
  assert.equal(k.message, 'out you go 🚪');
  const own = await alice.waitFor('kick', (e) => e.channel === ROOM);
  assert.equal(own.kicked, 'robert');
});

test('a QUIT is seen by the other client with its message', async () => {
  // robert comes back so that alice shares a channel with him and hears the QUIT.
  bob.client.join(ROOM);
  await alice.waitFor('join', (e) => e.nick === 'robert' && e.channel === ROOM);
  // RPL_TOPIC comes before the NAMES reply.
  const topic = await bob.waitFor('topic', (e) => e.channel === ROOM);
  assert.equal(topic.topic, '今日话题：茶与猫 🍵🐈', 'the topic is sent on join');
  await bob.waitFor('userlist', (e) => e.channel === ROOM);

  await bob.quit('再见 👋');
  const q = await alice.waitFor('quit', (e) => e.nick === 'robert');
  assert.equal(q.ident, 'bob');
  // Servers commonly prefix a client's reason with "Quit: "; either form keeps the text.
  assert.match(String(q.message), /^(Quit: )?再见 👋$/);
});
