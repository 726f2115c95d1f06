// The `bot` tag says what the server knows (user mode +B), never what a client claims: a user
// who is not a bot sending `bot`, `draft/bot` or `+bot` tags is relayed, echoed and kept in
// history without `bot` or `draft/bot`, and the client core does not take `+bot` for a bot.
// A bot's tagged message is serialized once per tag variant, however many receive it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { lineFromBot } from '../../src/clients/bots.ts';
import { ChatModel } from '../../src/clients/model.ts';
import { parseLine } from '../../src/protocol/message.ts';
import { Outgoing, TAGS_MESSAGE_TAGS, TAGS_SERVER_TIME } from '../../src/server/outgoing.ts';
import { MemoryStore } from '../../src/storage/memory-store.ts';
import { joinAll, until } from '../helpers/irc.ts';
import type { Received } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const TAGS = ['message-tags', 'server-time', 'echo-message'];
const from = (nick: string, command: string) => (r: Received) => r.msg.command === command && r.msg.source?.split('!')[0] === nick;

describe('a client cannot claim to be a bot with tags', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({}, { store: new MemoryStore() });
  });
  after(() => t.close());

  test('bot, draft/bot and +bot from a user without +B: no bot tag relayed, echoed or replayed', async () => {
    const faker = await t.register('faker', TAGS);
    const watcher = await t.register('watcher', TAGS);
    await joinAll('#spoof', faker, watcher);
    faker.send('@bot;draft/bot;+bot=yes PRIVMSG #spoof :I am a bot, honest');
    const relayed = await watcher.waitFor(from('faker', 'PRIVMSG'));
    const echoed = await faker.waitFor(from('faker', 'PRIVMSG'));
    for (const r of [relayed, echoed]) {
      assert.equal(r.msg.tags.bot, undefined, r.raw);
      assert.equal(r.msg.tags['draft/bot'], undefined, r.raw);
      assert.equal(r.msg.tags['+bot'], 'yes', 'a client-only tag is relayed as such');
    }
    faker.send('@bot;+typing=active TAGMSG #spoof');
    const tagmsg = await watcher.waitFor(from('faker', 'TAGMSG'));
    assert.equal(tagmsg.msg.tags.bot, undefined, tagmsg.raw);
    faker.send('@bot PRIVMSG watcher :privately a bot');
    const direct = await watcher.waitFor(from('faker', 'PRIVMSG'));
    assert.equal(direct.msg.tags.bot, undefined, direct.raw);

    // History keeps the client's +bot, not a bot tag.
    const reader = await t.register('reader', ['batch', 'draft/chathistory', ...TAGS]);
    await joinAll('#spoof', reader);
    reader.send('CHATHISTORY LATEST #spoof * 10');
    const lines = await until(reader, (r) => r.msg.command === 'BATCH' && r.msg.params[0]!.startsWith('-'));
    const replayed = lines.find((r) => r.msg.command === 'PRIVMSG');
    assert.ok(replayed, 'the message replayed');
    assert.equal(replayed.msg.tags.bot, undefined, replayed.raw);

    // And WHO still shows no B.
    watcher.send('WHO faker');
    assert.equal((await watcher.waitFor('352')).msg.params[6], 'H');
  });

  test('the client core takes neither +bot nor a bot tag on someone else’s line as its sender being a bot', () => {
    const model = new ChatModel('Parlor');
    assert.equal(lineFromBot(model, parseLine('@+bot=yes;msgid=a1 :faker!f@h PRIVMSG #room :hi')), false);
    assert.equal(lineFromBot(model, parseLine('@bot;msgid=a2 :realbot!b@h PRIVMSG #room :beep')), true);
  });
});

test('a bot’s message is serialized once per tag variant, with the bare bot tag for message-tags only', () => {
  const out = new Outgoing('bot!b@h', 'PRIVMSG', ['#room', 'beep'], Date.UTC(2024, 0, 1), 'm1', { '+react': 'x' }).markFromBot();
  const both = TAGS_MESSAGE_TAGS | TAGS_SERVER_TIME;
  const first = out.bytes(both);
  assert.equal(out.bytes(both), first, 'the same buffer for every recipient of the variant');
  assert.equal(first.toString(), '@time=2024-01-01T00:00:00.000Z;msgid=m1;+react=x;bot :bot!b@h PRIVMSG #room beep\r\n');
  assert.equal(out.bytes(TAGS_SERVER_TIME).toString(), '@time=2024-01-01T00:00:00.000Z :bot!b@h PRIVMSG #room beep\r\n');
  assert.equal(out.bytes(0).toString(), ':bot!b@h PRIVMSG #room beep\r\n');
});
