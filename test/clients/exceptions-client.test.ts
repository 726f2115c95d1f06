// Ban and invite exceptions in the client core: MODE changes to +b/+e/+I read as sentences in
// the user's language (account extbans in words), the list replies 367/368, 348/349, 346/347
// read as entries and a count, /except, /unexcept, /invex, /uninvex; and against a real Parlor
// server, a client sees another user's +e in words and lists it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseInput } from '../../src/clients/commands.ts';
import { applyMessage, newInboundState } from '../../src/clients/inbound.ts';
import type { IrcClient } from '../../src/clients/irc-client.ts';
import { ChatModel } from '../../src/clients/model.ts';
import { createTranslator } from '../../src/i18n/i18n.ts';
import { parseLine } from '../../src/protocol/message.ts';
import { join } from '../helpers/irc.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { lastLineId, startClient, waitForLine } from './helpers.ts';

/** A model in `locale`, in #lobby, after the server's ISUPPORT; `feed` applies a raw line. */
function roomModel(locale: 'en' | 'zh-CN' = 'en') {
  const m = new ChatModel('Parlor');
  m.nick = 'me';
  m.status = 'registered';
  m.language = createTranslator(locale);
  const s = newInboundState();
  const feed = (line: string): void => applyMessage(m, parseLine(line), s);
  feed(':srv 005 me CHANMODES=beI,k,l,imnst PREFIX=(ov)@+ EXCEPTS=e INVEX=I EXTBAN=$,a :are supported');
  feed(':me!u@h JOIN #lobby');
  const room = m.find('#lobby')!;
  const texts = (from: number): string[] => room.lines.slice(from).map((l) => l.text);
  return { m, room, feed, texts };
}

describe('list modes in words', () => {
  test('+e, -e, +I, -I, +b and -b each read as a sentence; room settings too; other modes as "sets mode"', () => {
    const { room, feed, texts } = roomModel();
    const from = room.lines.length;
    feed(':alice!a@h MODE #lobby +e bob!*@*');
    feed(':alice!a@h MODE #lobby -e bob!*@*');
    feed(':alice!a@h MODE #lobby +I *!*@friends.example');
    feed(':alice!a@h MODE #lobby -I *!*@friends.example');
    feed(':alice!a@h MODE #lobby +ob-e me troll!*@* $a');
    feed(':alice!a@h MODE #lobby +mi');
    assert.deepEqual(texts(from), [
      "alice exempts bob!*@* from the room's bans",
      "alice no longer exempts bob!*@* from the room's bans",
      'alice lets *!*@friends.example join without an invitation',
      'alice no longer lets *!*@friends.example join without an invitation',
      'alice sets mode +o me',
      'alice bans troll!*@*',
      "alice no longer exempts anyone logged in from the room's bans",
      'alice moderates the room: only operators and voiced people can talk',
      'alice makes the room invite-only',
    ]);
    assert.ok(room.lines.slice(from).every((l) => l.kind === 'mode'));
    assert.equal(room.members.get('me')?.prefixes, '@');
  });

  test('account extbans are worded: $a:<account>, $a, $~a, $~a:<account>', () => {
    const { room, feed, texts } = roomModel();
    const from = room.lines.length;
    feed(':alice!a@h MODE #lobby +beII $~a $a:bob $a $~a:carol');
    assert.deepEqual(texts(from), [
      'alice bans anyone not logged in',
      "alice exempts anyone logged in as bob from the room's bans",
      'alice lets anyone logged in join without an invitation',
      'alice lets anyone not logged in as carol join without an invitation',
    ]);
  });

  test('in Simplified Chinese', () => {
    const { room, feed, texts } = roomModel('zh-CN');
    const from = room.lines.length;
    feed(':alice!a@h MODE #lobby +eI $a:bob *!*@x');
    feed(':alice!a@h MODE #lobby -e $a:bob');
    // No spaces between Chinese words; a raw mask reads as "users matching …", spaced as Latin text.
    assert.deepEqual(texts(from), ['alice 将以 bob 身份登录的用户设为封禁例外', 'alice 允许匹配 *!*@x 的用户无需邀请即可加入', 'alice 不再将以 bob 身份登录的用户设为封禁例外']);
  });

  test('the list replies read as entries with setter and time, and a count or "none" at the end', () => {
    const { room, feed, texts } = roomModel();
    const from = room.lines.length;
    feed(':srv 348 me #lobby $a:bob alice!a@h 1700000000');
    feed(':srv 348 me #lobby *!*@x.example alice 1700000000');
    feed(':srv 349 me #lobby :End of channel exception list');
    feed(':srv 347 me #lobby :End of channel invite exception list');
    feed(':srv 346 me #lobby guest!*@* bob!b@h 1700000000');
    feed(':srv 347 me #lobby :End of channel invite exception list');
    feed(':srv 368 me #lobby :End of channel ban list');
    const shown = texts(from);
    assert.match(shown[0]!, /^#lobby exempts anyone logged in as bob from its bans \(set by alice, .*2023.*\)$/);
    assert.match(shown[1]!, /^#lobby exempts \*!\*@x\.example from its bans \(set by alice, /);
    assert.deepEqual(shown.slice(2, 4), ['#lobby: 2 ban exceptions', '#lobby: no invite exceptions']);
    assert.match(shown[4]!, /^#lobby lets guest!\*@\* join without an invitation \(set by bob, /);
    assert.deepEqual(shown.slice(5), ['#lobby: 1 invite exception', '#lobby: no bans']);
  });

  test('a set-at time past what a date holds reads as "?" rather than stopping the client', () => {
    const { room, feed, texts } = roomModel();
    const from = room.lines.length;
    feed(':srv 367 me #lobby troll!*@* alice 99999999999999999999');
    assert.match(texts(from)[0]!, /^#lobby bans troll!\*@\* \(set by alice, \?\)$/);
  });
});

describe('/except, /unexcept, /invex, /uninvex', () => {
  const inRoom = { target: '#lobby' };
  const send = (line: string) => ({ type: 'send', line });
  for (const [input, ctx, expected] of [
    ['/except', inRoom, [send('MODE #lobby e')]],
    ['/except bob', inRoom, [send('MODE #lobby +e bob!*@*')]],
    ['/except #ops $a:bob', inRoom, [send('MODE #ops +e $a:bob')]],
    ['/unexcept *!*@x', inRoom, [send('MODE #lobby -e *!*@x')]],
    ['/invex', inRoom, [send('MODE #lobby I')]],
    ['/invex #ops $a', {}, [send('MODE #ops +I $a')]],
    ['/uninvex guest', inRoom, [send('MODE #lobby -I guest!*@*')]],
    ['/ban $~a', inRoom, [send('MODE #lobby +b $~a')]],
  ] as const) {
    test(`${input}`, () => assert.deepEqual(parseInput(input, ctx), expected));
  }
  test('/unexcept without a mask, and /except outside a room, show the usage', () => {
    const [usage] = parseInput('/unexcept', inRoom);
    assert.equal(usage?.type, 'note');
    const [nowhere] = parseInput('/except bob', {});
    assert.equal(nowhere?.type, 'note');
  });
});

describe('exceptions between a Parlor client and a plain IRC client', () => {
  let t: TestServer;
  let client: IrcClient;
  before(async () => {
    t = await startServer();
    client = await startClient(t.port, 'ex_viewer');
  });
  after(async () => {
    await client.quit();
    await t.close();
  });

  test("a plain client's +e reads in words; the client lists the exceptions once an operator", async () => {
    const op = await t.register('ex_op');
    await join(op, 'ex_op', '#exc');
    client.input('/join #exc');
    await op.waitFor((r) => r.msg.command === 'JOIN' && r.msg.source!.startsWith('ex_viewer!'));
    let mark = lastLineId(client);
    op.send('MODE #exc +e $a:someone');
    await waitForLine(client, ({ buffer, line }) => buffer.name === '#exc' && line.text === "ex_op exempts anyone logged in as someone from the room's bans", mark);
    op.send('MODE #exc +o ex_viewer');
    await waitForLine(client, ({ line }) => line.text === 'ex_op sets mode +o ex_viewer', mark);
    mark = lastLineId(client);
    client.input('/except #exc');
    await waitForLine(client, ({ buffer, line }) => buffer.name === '#exc' && line.text.startsWith('#exc exempts anyone logged in as someone from its bans (set by ex_op, '), mark);
    await waitForLine(client, ({ buffer, line }) => buffer.name === '#exc' && line.text === '#exc: 1 ban exception', mark);
  });
});
