// IRCv3 bot-mode with draft/multiline: a bot's (+B) multi-line message carries the `bot` tag on
// the batch's opening for clients with multiline, on every one of its lines for clients with
// message-tags but no multiline, and nowhere for clients without message-tags; the echo to
// the bot likewise. In a room and privately, on one node and across two (in-process and
// delayed logs).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { InProcessBus } from '../../src/cluster/in-process-bus.ts';
import type { NetworkEvent } from '../../src/network/events.ts';
import { MemoryStore } from '../../src/storage/memory-store.ts';
import { DelayedLog } from '../helpers/delayed-bus.ts';
import { is, joinAll, settle, until } from '../helpers/irc.ts';
import type { RawClient, Received } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const BOT_CAPS = ['batch', 'draft/multiline', 'message-tags', 'echo-message'];
const ML_CAPS = ['batch', 'draft/multiline', 'message-tags'];

/** The next multiline batch `c` gets: its opening and its lines (the closing left out). */
async function receiveBatch(c: RawClient): Promise<{ open: Received; lines: Received[] }> {
  const open = await c.waitFor((r) => r.msg.command === 'BATCH' && r.msg.params[1] === 'draft/multiline');
  const ref = open.msg.params[0]!.slice(1);
  const rest = await until(c, is('BATCH', `-${ref}`));
  return { open, lines: rest.slice(0, -1) };
}

const hasBotTag = (r: Received): boolean => r.msg.tags.bot !== undefined;

/** Sends a three-line batch from `bot` to `target`. */
function sendBatch(bot: RawClient, target: string, ref: string): void {
  bot.send(`BATCH +${ref} draft/multiline ${target}`, `@batch=${ref} PRIVMSG ${target} :一行`, `@batch=${ref} PRIVMSG ${target} :two`, `@batch=${ref} PRIVMSG ${target} :three`, `BATCH -${ref}`);
}

/** Every kind of recipient gets the bot's message, tagged as its capabilities allow. */
async function checkTags(bot: RawClient, ml: RawClient, tagsOnly: RawClient, plain: RawClient, target: string, ref: string): Promise<void> {
  sendBatch(bot, target, ref);
  const echo = await receiveBatch(bot);
  assert.ok(hasBotTag(echo.open), `the echo's opening: ${echo.open.raw}`);
  const got = await receiveBatch(ml);
  assert.ok(hasBotTag(got.open), `the batch's opening carries the bot tag: ${got.open.raw}`);
  assert.deepEqual(
    got.lines.map((r) => r.msg.params[1]),
    ['一行', 'two', 'three'],
  );
  const lines = [await tagsOnly.waitFor('PRIVMSG'), await tagsOnly.waitFor('PRIVMSG'), await tagsOnly.waitFor('PRIVMSG')];
  assert.deepEqual(
    lines.map((r) => [r.msg.params[1], hasBotTag(r)]),
    [
      ['一行', true],
      ['two', true],
      ['three', true],
    ],
    lines.map((r) => r.raw).join('\n'),
  );
  const bare = [await plain.waitFor('PRIVMSG'), await plain.waitFor('PRIVMSG'), await plain.waitFor('PRIVMSG')];
  assert.ok(
    bare.every((r) => !r.raw.startsWith('@')),
    bare.map((r) => r.raw).join('\n'),
  );
}

async function setBot(c: RawClient, nick: string): Promise<void> {
  c.send(`MODE ${nick} +B`);
  await c.waitFor(is('MODE', nick, '+B'));
}

const servers: TestServer[] = [];
const logs: DelayedLog<NetworkEvent>[] = [];
after(async () => {
  for (const t of servers) await t.close();
  for (const l of logs) await l.close();
});

describe('a bot’s multiline message on one node', () => {
  test('in a room: bot tag on the opening, on each fallback line, none without message-tags', async () => {
    const t = await startServer();
    servers.push(t);
    const bot = await t.register('mlbot', BOT_CAPS);
    const ml = await t.register('mlreader', ML_CAPS);
    const tagsOnly = await t.register('tagreader', ['message-tags']);
    const plain = await t.register('plainreader');
    await setBot(bot, 'mlbot');
    await joinAll('#bots', bot, ml, tagsOnly, plain);
    await settle(bot, ml, tagsOnly, plain);
    await checkTags(bot, ml, tagsOnly, plain, '#bots', 'r1');
  });

  test('privately: a batch with the bot tag to a client with multiline, tagged lines to one with message-tags only', async () => {
    const t = await startServer();
    servers.push(t);
    const bot = await t.register('pmbot', BOT_CAPS);
    const ml = await t.register('pmreader', ML_CAPS);
    const tagsOnly = await t.register('pmtags', ['message-tags']);
    await setBot(bot, 'pmbot');
    sendBatch(bot, 'pmreader', 'p1');
    assert.ok(hasBotTag((await receiveBatch(ml)).open));
    sendBatch(bot, 'pmtags', 'p2');
    const lines = [await tagsOnly.waitFor('PRIVMSG'), await tagsOnly.waitFor('PRIVMSG'), await tagsOnly.waitFor('PRIVMSG')];
    assert.ok(lines.every(hasBotTag), lines.map((r) => r.raw).join('\n'));
  });

  test('the echo to a bot that sends batches but takes none back (no batch capability): each of its lines tagged', async () => {
    const t = await startServer();
    servers.push(t);
    const bot = await t.register('echobot', ['draft/multiline', 'message-tags', 'echo-message']);
    await setBot(bot, 'echobot');
    await joinAll('#echo', bot);
    sendBatch(bot, '#echo', 'e1');
    const lines = [await bot.waitFor('PRIVMSG'), await bot.waitFor('PRIVMSG'), await bot.waitFor('PRIVMSG')];
    assert.deepEqual(
      lines.map((r) => [r.msg.params[1], hasBotTag(r)]),
      [
        ['一行', true],
        ['two', true],
        ['three', true],
      ],
      lines.map((r) => r.raw).join('\n'),
    );
  });
});

for (const kind of ['in-process', 'delayed'] as const) {
  describe(`a bot’s multiline message across two nodes (${kind} log)`, () => {
    test('sent on node a, tagged on node b for each kind of client', async () => {
      const store = new MemoryStore();
      const shared = kind === 'in-process' ? new InProcessBus<NetworkEvent>() : undefined;
      const log = kind === 'delayed' ? new DelayedLog<NetworkEvent>() : undefined;
      if (log) logs.push(log);
      const node = async (name: string): Promise<TestServer> => {
        const t = await startServer({ server: { name: `${name}.parlor` } }, { bus: shared ?? log!.node(name), nodeId: name, store });
        servers.push(t);
        return t;
      };
      const a = await node('a');
      const b = await node('b');
      const bot = await a.register('nodebot', BOT_CAPS);
      const ml = await b.register('nodeml', ML_CAPS);
      const tagsOnly = await b.register('nodetags', ['message-tags']);
      const plain = await b.register('nodeplain');
      await setBot(bot, 'nodebot');
      await joinAll('#nodes', bot, ml, tagsOnly, plain);
      await log?.settled();
      await settle(bot, ml, tagsOnly, plain);
      await checkTags(bot, ml, tagsOnly, plain, '#nodes', 'n1');
    });
  });
}
