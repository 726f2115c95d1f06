// IRCv3 bot-mode in the client core (src/clients/bots.ts): against a scripted server, who is a
// bot is learned from the bot tag, WHO/WHOX flags and 335, the client's own WHO on joining is
// not shown, `--bot` asks for +B once bot mode is known, and lines read "<nick [bot]>" (in
// both languages); against a real Parlor, a terminal client started with the bot option is a
// bot to another Parlor client and to a plain IRC client, which sees no tags.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createElement as h } from 'react';
import { render } from 'ink-testing-library';
import stringWidth from 'string-width';
import { MemberList } from '../../src/clients/terminal/MemberList.tsx';
import type { IrcClient } from '../../src/clients/irc-client.ts';
import { IrcSession, type SessionOptions } from '../../src/clients/irc-session.ts';
import { plainLine } from '../../src/clients/format.ts';
import { lineSegments } from '../../src/clients/terminal/message-rows.ts';
import { createTranslator } from '../../src/i18n/i18n.ts';
import { is } from '../helpers/irc.ts';
import { startServer } from '../helpers/server.ts';
import { FakeServer } from './fake-server.ts';
import { startClient, waitForLine, waitUntil } from './helpers.ts';

function session(script: FakeServer, options: Partial<SessionOptions> = {}): IrcSession {
  return new IrcSession({ connect: script.connect, serverName: 'Parlor', address: 'test', nick: 'me', reconnect: false, ...options });
}

/** A session registered on the scripted server, which advertises `isupport`. */
async function registered(script: FakeServer, isupport: string, options: Partial<SessionOptions> = {}): Promise<IrcSession> {
  const s = session(script, options);
  s.start();
  await new Promise<void>((resolve) => queueMicrotask(resolve));
  script.say(':srv CAP * LS :message-tags server-time');
  script.say(':srv CAP me ACK :message-tags server-time');
  script.say(':srv 001 me :Welcome', `:srv 005 me ${isupport} :are supported by this server`, ':srv 422 me :No MOTD');
  script.take();
  return s;
}

describe('the client core learns who is a bot', () => {
  test('the bot tag marks the line and the sender; an untagged live message unmarks; NICK and QUIT follow', async () => {
    const script = new FakeServer();
    const s = await registered(script, 'BOT=B WHOX');
    script.say(':me!me@h JOIN #room', ':srv 353 me = #room :me robo bob', ':srv 366 me #room :End');
    script.say('@msgid=1;bot :robo!r@h PRIVMSG #room :beep');
    script.say('@msgid=2 :bob!b@h PRIVMSG #room :hello');
    const room = s.model.find('#room')!;
    const lines = room.lines.filter((l) => l.kind === 'message');
    assert.deepEqual(
      lines.map((l) => [l.from, l.bot === true]),
      [
        ['robo', true],
        ['bob', false],
      ],
    );
    assert.ok(s.model.bots.has('robo') && s.model.bots.has('ROBO'));
    assert.ok(!s.model.bots.has('bob'));
    assert.equal(plainLine(room, lines[0]!), `[${plainLine(room, lines[0]!).slice(1, 9)}] #room <robo [bot]> beep`);
    // The draft tag of older servers counts too, whatever its value.
    script.say('@msgid=3;draft/bot=x :bob!b@h NOTICE #room :now a bot');
    assert.ok(s.model.bots.has('bob'));
    script.say('@msgid=4 :bob!b@h PRIVMSG #room :not any more');
    assert.ok(!s.model.bots.has('bob'));
    // A replayed (batched) untagged line says nothing about now.
    script.say('@msgid=5;batch=h1 :robo!r@h PRIVMSG #room :old line');
    assert.ok(s.model.bots.has('robo'));
    script.say('@msgid=6;bot :robo!r@h NICK robot');
    assert.ok(s.model.bots.has('robot') && !s.model.bots.has('robo'));
    await s.quit();
  });

  test('joining a room asks WHO with WHOX; its replies mark bots and are not shown; 335 marks a bot', async () => {
    const script = new FakeServer();
    const s = await registered(script, 'BOT=B WHOX');
    script.say(':me!me@h JOIN #room');
    assert.deepEqual(script.take(), ['WHO #room %tnf,335']);
    const before = s.model.server.lines.length;
    const roomLines = (): number => s.model.find('#room')!.lines.length;
    const shown = roomLines();
    script.say(':srv 354 me 335 quiet HB', ':srv 354 me 335 human H@', ':srv 354 me 335 away GB', ':srv 315 me #room :End of WHO list');
    assert.ok(s.model.bots.has('quiet') && s.model.bots.has('away') && !s.model.bots.has('human'));
    assert.equal(s.model.server.lines.length, before);
    assert.equal(roomLines(), shown);
    // A WHO the user asked for is shown, and still teaches who is a bot.
    script.say(':srv 352 me * u h srv other HB :0 Other', ':srv 315 me other :End of WHO list');
    assert.ok(s.model.bots.has('other'));
    assert.ok(s.model.buffers.some((b) => b.lines.some((l) => l.text.includes('other'))));
    script.say(':srv 311 me helper u h * :Helper', ':srv 335 me helper :is a bot on Test', ':srv 318 me helper :End');
    assert.ok(s.model.bots.has('helper'));
    await s.quit();
  });

  test('without WHOX a plain WHO; without bot mode no WHO at all, and the bot option asks nothing', async () => {
    const plainWho = new FakeServer();
    const s1 = await registered(plainWho, 'BOT=B');
    plainWho.say(':me!me@h JOIN #a');
    assert.deepEqual(plainWho.take(), ['WHO #a']);
    plainWho.say(':srv 352 me #a u h srv robo HB :0 Robo', ':srv 315 me #a :End');
    assert.ok(s1.model.bots.has('robo'));
    assert.ok(!s1.model.find('#a')!.lines.some((l) => l.text.includes('Robo')));
    await s1.quit();

    const noBots = new FakeServer();
    const s2 = await registered(noBots, 'WHOX', { bot: true });
    noBots.say(':me!me@h JOIN #a');
    assert.deepEqual(noBots.take(), []);
    await s2.quit();
  });

  test('the bot option sets +B once bot mode is known, with the letter the server named', async () => {
    const script = new FakeServer();
    const s = session(script, { bot: true });
    s.start();
    await new Promise<void>((resolve) => queueMicrotask(resolve));
    script.say(':srv CAP * LS :message-tags');
    script.say(':srv CAP me ACK :message-tags');
    script.take();
    script.say(':srv 001 me :Welcome');
    assert.deepEqual(script.take(), []);
    script.say(':srv 005 me CHANTYPES=# :are supported', ':srv 005 me BOT=b :are supported', ':srv 005 me NETWORK=x :are supported');
    assert.deepEqual(script.take(), ['MODE me +b']);
    await s.quit();
  });

  test('lines read "<nick [bot]>" in English and "<nick [机器人]>" in Chinese, in line mode and on screen', () => {
    const zh = createTranslator('zh-CN');
    const line = { id: 1, time: new Date(), kind: 'message' as const, from: 'robo', text: 'hi', bot: true };
    const buffer = { key: '#r', name: '#r', kind: 'room' as const, topic: '', members: new Map(), lines: [], unread: 0, mentions: 0, joined: true };
    assert.match(plainLine(buffer, line), /#r <robo \[bot\]> hi$/);
    assert.match(plainLine(buffer, line, { t: zh.t, dateLocale: 'zh-CN' }), /#r <robo \[机器人\]> hi$/);
    assert.match(plainLine(buffer, { ...line, kind: 'action' }), /#r \* robo \[bot\] hi$/);
    assert.equal(lineSegments(line).map((seg) => seg.text).join(''), '<robo [bot]> hi');
    assert.equal(lineSegments({ ...line, bot: false }).map((seg) => seg.text).join(''), '<robo> hi');
  });
});

describe('the terminal member list', () => {
  const members = [
    { nick: 'alice', prefixes: '@' },
    { nick: 'robo', prefixes: '' },
  ];
  const isBot = (nick: string): boolean => nick === 'robo';
  const rows = (frame: string | undefined): string[] => (frame ?? '').split('\n').map((r) => r.replace(/ +$/, ''));

  test('marks a bot after its nick when the column has room, and stays within its width', () => {
    const wide = render(h(MemberList, { members, width: 14, height: 4, isBot }));
    assert.deepEqual(rows(wide.lastFrame()).slice(1, 3), ['@alice', ' robo [bot]']);
    // 15 columns: the member column of a 100-column terminal; the Chinese mark fits beside a short nick.
    const zh = render(h(MemberList, { members, width: 15, height: 4, isBot, t: createTranslator('zh-CN').t }));
    assert.equal(rows(zh.lastFrame())[2], ' robo [机器人]');
    for (const width of [6, 8, 10, 11]) {
      const narrow = render(h(MemberList, { members, width, height: 4, isBot }));
      for (const row of rows(narrow.lastFrame())) assert.ok(stringWidth(row) <= width, `${JSON.stringify(row)} fits ${width}`);
      assert.match(rows(narrow.lastFrame())[2]!, /^ robo/);
    }
  });
});

describe('a terminal client in bot mode on Parlor', () => {
  test('is a bot to another Parlor client (line badge, WHO on join) and sends no tags to a plain IRC client', async () => {
    const t = await startServer();
    const clients: IrcClient[] = [];
    try {
      const plain = await t.register('plain');
      plain.send('JOIN #bots');
      await plain.waitFor(is('366', 'plain', '#bots'));
      const bot = await startClient(t.port, 'robo', { bot: true });
      clients.push(bot);
      await waitUntil(bot, () => t.server.network.userByNick('robo')?.hasMode('B'), 'robo to be +B');
      const human = await startClient(t.port, 'human');
      clients.push(human);
      bot.input('/join #bots');
      await plain.waitFor((r) => r.msg.command === 'JOIN' && r.msg.source?.startsWith('robo!') === true);
      human.input('/join #bots');
      // The human's WHO on joining finds the bot, which has said nothing yet.
      await waitUntil(human, () => human.model.bots.has('robo'), 'human to know robo is a bot');
      bot.input('/msg #bots beep');
      const seen = await waitForLine(human, ({ line }) => line.from === 'robo' && line.text === 'beep');
      assert.equal(seen.line.bot, true);
      const raw = await plain.waitFor((r) => r.msg.command === 'PRIVMSG' && r.msg.params[1] === 'beep');
      assert.equal(raw.raw, ':robo!robo@127.0.0.1 PRIVMSG #bots beep');
      // Its own line is a bot's too (the echo carries the tag).
      const own = await waitForLine(bot, ({ line }) => line.self === true && line.text === 'beep');
      assert.equal(own.line.bot, true);
    } finally {
      for (const c of clients) await c.quit();
      await t.close();
    }
  });
});
