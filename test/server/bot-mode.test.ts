// IRCv3 bot-mode on one server, over real sockets: ISUPPORT BOT=B, MODE +B/-B by the user
// themself, the B flag in WHO and WHOX, RPL_WHOISBOT (335), and the `bot` tag on what a bot
// sends (messages, JOIN, PART, NICK, TOPIC, QUIT…) for clients with message-tags only, on
// its own echo, and in history (CHATHISTORY), on both stores.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../../src/storage/memory-store.ts';
import { SqliteStore } from '../../src/storage/sqlite-store.ts';
import type { Store } from '../../src/storage/store.ts';
import { InProcessBus } from '../../src/cluster/in-process-bus.ts';
import type { NetworkEvent } from '../../src/network/events.ts';
import { is, joinAll, mask, settle, until } from '../helpers/irc.ts';
import type { RawClient, Received } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const TAGS = ['message-tags', 'server-time', 'echo-message'];
const HISTORY_CAPS = ['batch', 'draft/chathistory', 'message-tags', 'server-time'];

/** The next line from `nick` with this command. */
const from = (nick: string, command: string) => (r: Received) => r.msg.command === command && r.msg.source?.split('!')[0] === nick;

async function setBot(c: RawClient, nick: string, on = true): Promise<void> {
  c.send(`MODE ${nick} ${on ? '+' : '-'}B`);
  await c.waitFor(is('MODE', nick, on ? '+B' : '-B'));
}

describe('bot mode on one server', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer();
  });
  after(() => t.close());

  test('ISUPPORT says BOT=B and 004 lists B among the user modes', async () => {
    const c = await t.connect();
    c.send('NICK isup', 'USER isup 0 * :isup');
    const myinfo = await c.waitFor('004');
    assert.match(myinfo.msg.params[3]!, /B/);
    const isupport = await c.waitFor((r) => r.msg.command === '005' && r.msg.params.some((p) => p.startsWith('BOT=')));
    assert.ok(isupport.msg.params.includes('BOT=B'), isupport.raw);
  });

  test('MODE +B and -B: set by the user themself, echoed, shown by MODE <nick>; not on others', async () => {
    const bot = await t.register('modebot');
    const other = await t.register('modeother');
    await setBot(bot, 'modebot');
    bot.send('MODE modebot');
    assert.match((await bot.waitFor('221')).msg.params[1]!, /B/);
    bot.send('MODE modeother +B');
    await bot.waitFor('502');
    await setBot(bot, 'modebot', false);
    bot.send('MODE modebot');
    assert.doesNotMatch((await bot.waitFor('221')).msg.params[1]!, /B/);
    // Setting it twice says nothing the second time.
    await setBot(bot, 'modebot');
    const seen = await (async () => {
      const mark = bot.received.length;
      bot.send('MODE modebot +B');
      await bot.sync();
      return bot.since(mark);
    })();
    assert.deepEqual(seen.map((r) => r.raw), []);
    other.close();
  });

  test('WHO and WHOX flags carry B for a bot only; WHOIS says 335 for a bot only', async () => {
    const bot = await t.register('whobot');
    const human = await t.register('whohuman', ['multi-prefix']);
    await joinAll('#who', human, bot);
    await setBot(bot, 'whobot');
    await settle(human);

    human.send('WHO #who');
    const who = await until(human, is('315'));
    const flags = new Map(who.filter((r) => r.msg.command === '352').map((r) => [r.msg.params[5]!, r.msg.params[6]!]));
    assert.equal(flags.get('whobot'), 'HB');
    assert.equal(flags.get('whohuman'), 'H@');

    human.send('WHO #who %tnf,42');
    const whox = await until(human, is('315'));
    const xflags = new Map(whox.filter((r) => r.msg.command === '354').map((r) => [r.msg.params[2]!, r.msg.params[3]!]));
    assert.equal(xflags.get('whobot'), 'HB');
    assert.equal(xflags.get('whohuman'), 'H@');

    human.send('WHOIS whobot');
    const whois = await until(human, is('318'));
    const bot335 = whois.find((r) => r.msg.command === '335');
    assert.ok(bot335, whois.map((r) => r.raw).join('\n'));
    assert.deepEqual(bot335.msg.params.slice(0, 2), ['whohuman', 'whobot']);

    bot.send('WHOIS whohuman');
    const notBot = await until(bot, is('318'));
    assert.equal(notBot.find((r) => r.msg.command === '335'), undefined);

    // Away and a bot: G first, then B.
    bot.send('AWAY :gone');
    await bot.waitFor('306');
    human.send('WHO whobot');
    assert.equal((await human.waitFor('352')).msg.params[6], 'GB');
  });

  test('what a bot sends carries the bot tag for clients with message-tags, and nothing for others', async () => {
    const bot = await t.register('tagbot', TAGS);
    const tagged = await t.register('tagged', TAGS);
    const timeOnly = await t.register('timeonly', ['server-time']);
    const plain = await t.register('plainc');
    await joinAll('#tags', tagged, timeOnly, plain);
    await setBot(bot, 'tagbot');
    const observers = [tagged, timeOnly, plain];
    const each = async (command: string, act: () => void): Promise<Received[]> => {
      act();
      const got: Received[] = [];
      for (const c of observers) got.push(await c.waitFor(from('tagbot', command)));
      return got;
    };

    const check = (got: Received[], what: string): void => {
      const [withTags, withTime, withNone] = got;
      assert.equal(withTags!.msg.tags.bot, '', `${what} to a message-tags client: ${withTags!.raw}`);
      assert.ok(withTags!.raw.startsWith('@') && /[@;]bot[; ]/.test(withTags!.raw), `a bare bot tag, no value: ${withTags!.raw}`);
      assert.equal(withTime!.msg.tags.bot, undefined, `${what} to a server-time client: ${withTime!.raw}`);
      assert.ok(withTime!.msg.tags.time !== undefined);
      assert.ok(!withNone!.raw.startsWith('@'), `${what} to a client without tags: ${withNone!.raw}`);
    };

    check(await each('JOIN', () => bot.send('JOIN #tags')), 'JOIN');
    tagged.send('MODE #tags +o tagbot');
    await bot.waitFor(is('MODE', '#tags', '+o', 'tagbot'));
    check(await each('PRIVMSG', () => bot.send('PRIVMSG #tags :beep')), 'PRIVMSG');
    check(await each('NOTICE', () => bot.send('NOTICE #tags :boop')), 'NOTICE');
    check(await each('TOPIC', () => bot.send('TOPIC #tags :a bot set this')), 'TOPIC');
    check(await each('MODE', () => bot.send('MODE #tags +m')), 'MODE');
    check(await each('MODE', () => bot.send('MODE #tags -m')), 'MODE');
    check(await each('NICK', () => bot.send('NICK tagbot2')), 'NICK');
    bot.send('NICK tagbot');
    for (const c of observers) await c.waitFor(from('tagbot2', 'NICK'));
    // TAGMSG reaches message-tags clients only.
    bot.send('@+typing=active TAGMSG #tags');
    const tagmsg = await tagged.waitFor(from('tagbot', 'TAGMSG'));
    assert.equal(tagmsg.msg.tags.bot, '');
    assert.equal(tagmsg.msg.tags['+typing'], 'active');
    // A private message, and the bot's own echo.
    bot.send('PRIVMSG tagged :psst');
    assert.equal((await tagged.waitFor(from('tagbot', 'PRIVMSG'))).msg.tags.bot, '');
    const echo = await bot.waitFor(from('tagbot', 'PRIVMSG'));
    assert.equal(echo.msg.tags.bot, '', echo.raw);
    check(await each('PART', () => bot.send('PART #tags :done')), 'PART');

    // After -B, nothing is tagged.
    bot.send('JOIN #tags');
    for (const c of observers) await c.waitFor(from('tagbot', 'JOIN'));
    await setBot(bot, 'tagbot', false);
    bot.send('PRIVMSG #tags :human again');
    const after = await tagged.waitFor(from('tagbot', 'PRIVMSG'));
    assert.equal(after.msg.tags.bot, undefined, after.raw);

    // QUIT of a bot is tagged too.
    await setBot(bot, 'tagbot');
    bot.send('QUIT :bye');
    check(await Promise.all(observers.map((c) => c.waitFor(from('tagbot', 'QUIT')))), 'QUIT');
  });

  test('a user who is not a bot sends no bot tag, to anyone', async () => {
    const human = await t.register('nobot', TAGS);
    const watcher = await t.register('nobotwatch', TAGS);
    await joinAll('#nobot', human, watcher);
    human.send('PRIVMSG #nobot :hi');
    const got = await watcher.waitFor(from('nobot', 'PRIVMSG'));
    assert.equal(got.msg.tags.bot, undefined);
    assert.ok(got.msg.tags.msgid !== undefined);
  });
});

const scratchDirs: string[] = [];
after(() => Promise.all(scratchDirs.map((d) => rm(d, { recursive: true, force: true }))));

async function newStore(kind: 'memory' | 'sqlite'): Promise<Store> {
  if (kind === 'memory') return new MemoryStore();
  const dir = await mkdtemp(join(tmpdir(), 'parlor-bot-mode-'));
  scratchDirs.push(dir);
  return new SqliteStore({ path: join(dir, 'parlor.db'), flushIntervalMs: 20 });
}

for (const storeKind of ['memory', 'sqlite'] as const) {
  describe(`bot mode in history (${storeKind})`, () => {
    let t: TestServer;
    before(async () => {
      t = await startServer({}, { store: await newStore(storeKind) });
    });
    after(() => t.close());

    test('CHATHISTORY replays the bot tag on a bot’s messages, to message-tags clients only', async () => {
      const bot = await t.register('histbot', TAGS);
      await joinAll('#hist', bot);
      bot.send('PRIVMSG #hist :before bot mode');
      await bot.waitFor(from('histbot', 'PRIVMSG'));
      await setBot(bot, 'histbot');
      bot.send('PRIVMSG #hist :as a bot');
      await bot.waitFor(from('histbot', 'PRIVMSG'));

      const reader = await t.register('histreader', HISTORY_CAPS);
      await joinAll('#hist', reader);
      reader.send('CHATHISTORY LATEST #hist * 10');
      const lines = await until(reader, (r) => r.msg.command === 'BATCH' && r.msg.params[0]!.startsWith('-'));
      const messages = lines.filter((r) => r.msg.command === 'PRIVMSG');
      assert.deepEqual(
        messages.map((r) => [r.msg.params[1], r.msg.tags.bot]),
        [
          ['before bot mode', undefined],
          ['as a bot', ''],
        ],
      );
    });
  });
}

describe('bot mode in the log', () => {
  test('in a cluster the message entry carries the bot tag for the history writer', async () => {
    const bus = new InProcessBus<NetworkEvent>();
    const events: NetworkEvent[] = [];
    const watched = new Proxy(bus, {
      get(target, prop) {
        if (prop === 'append') {
          return (epoch: string, ref: number, event: NetworkEvent) => {
            events.push(event);
            return target.append(epoch, ref, event);
          };
        }
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const t = await startServer({}, { bus: watched, nodeId: 'a', historyFromLog: true });
    try {
      const bot = await t.register('logbot', TAGS);
      await joinAll('#log', bot);
      await setBot(bot, 'logbot');
      bot.send('PRIVMSG #log :from the log');
      await bot.waitFor(from('logbot', 'PRIVMSG'));
      const message = events.find((e) => e.type === 'message' && e.text === 'from the log');
      assert.ok(message?.type === 'message');
      assert.deepEqual(message.history?.tags, { bot: '' });
      assert.equal(message.history?.source, mask('logbot'));
    } finally {
      await t.close();
    }
  });
});
