// The IRC client core against a real Parlor server: registration and capabilities, rooms,
// members, messages in the right buffers with the server's time, nick fallback, where
// errors show, and reconnecting (with its rooms) after the server drops the connection, but
// not after a kill.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IrcClient } from '../../src/clients/irc-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { ManualClock } from '../helpers/clock.ts';
import { lastLineId, startClient, waitForLine, waitUntil } from './helpers.ts';

const SERVER_TIME = Date.UTC(2026, 0, 1, 12, 30);

let t: TestServer;
const clients: IrcClient[] = [];

async function client(nick: string, options: Parameters<typeof startClient>[2] = {}): Promise<IrcClient> {
  const c = await startClient(t.port, nick, options);
  clients.push(c);
  return c;
}

before(async () => {
  t = await startServer({}, { clock: new ManualClock(SERVER_TIME) });
});

after(async () => {
  await Promise.all(clients.map((c) => c.quit()));
  await t.close();
});

describe('registration', () => {
  test('negotiates the capabilities the server offers and registers', async () => {
    const c = await client('reg1');
    for (const cap of ['server-time', 'message-tags', 'echo-message', 'multi-prefix', 'away-notify', 'batch', 'setname']) {
      assert.ok(c.caps.has(cap), `${cap} acknowledged`);
    }
    assert.equal(c.model.nick, 'reg1');
    assert.equal(c.model.status, 'registered');
    assert.ok(c.model.server.lines.some((l) => /Welcome/.test(l.text)), 'the welcome shows in the server buffer');
  });

  test('a nick in use falls back to nick_ then nick__', async () => {
    await t.register('taken');
    const second = await client('taken');
    assert.equal(second.model.nick, 'taken_');
    const third = await client('taken');
    assert.equal(third.model.nick, 'taken__');
  });
});

describe('rooms and messages', () => {
  test('joining shows the room, its members, and messages with the server time', async () => {
    const c = await client('alice');
    c.input('/join #tea');
    const room = await waitUntil(c, () => c.model.find('#tea')?.members.size === 1 && c.model.find('#tea'), 'the NAMES of #tea');
    assert.equal(c.model.current, room, 'a room joined now becomes current');
    assert.equal(room.members.get('alice')?.prefixes, '@', 'the first to join runs the room');

    const bob = await t.register('bob', ['server-time']);
    bob.send('JOIN #tea');
    await waitUntil(c, () => room.members.has('bob'), 'bob in the member list');
    const mark = lastLineId(c);
    bob.send('PRIVMSG #tea :你好 alice 👋');
    const { buffer, line } = await waitForLine(c, (s) => s.line.kind === 'message', mark);
    assert.equal(buffer, room);
    assert.equal(line.from, 'bob');
    assert.equal(line.text, '你好 alice 👋');
    assert.equal(line.time.getTime(), SERVER_TIME, 'the time is the server-time tag');
    assert.equal(line.mention, true, 'own nick in the text is a mention');

    // Own messages come back by echo-message, once.
    c.input('hello bob');
    await bob.waitFor((r) => r.msg.command === 'PRIVMSG' && r.msg.params[1] === 'hello bob');
    const echoed = await waitForLine(c, (s) => s.line.self === true && s.line.kind === 'message', mark);
    assert.equal(echoed.buffer, room);
    assert.equal(room.lines.filter((l) => l.text === 'hello bob').length, 1);

    // /me goes out as CTCP ACTION and comes back as an action line.
    c.input('/me pours tea');
    const action = await bob.waitFor((r) => r.msg.command === 'PRIVMSG' && r.msg.params[1]!.includes('ACTION'));
    assert.equal(action.msg.params[1], '\x01ACTION pours tea\x01');
    await waitForLine(c, (s) => s.line.kind === 'action' && s.line.text === 'pours tea', mark);
  });

  test('private messages open a query; unread and mentions count outside the current buffer', async () => {
    const c = await client('carol');
    c.input('/join #den');
    await waitUntil(c, () => c.model.current.name === '#den' && c.model.current.members.size === 1, '#den current');
    const dan = await t.register('dan');
    dan.send('JOIN #den');
    await waitUntil(c, () => c.model.find('#den')!.members.has('dan'), 'dan joined');
    dan.send('PRIVMSG carol :psst');
    const { buffer } = await waitForLine(c, (s) => s.line.text === 'psst');
    assert.equal(buffer.kind, 'query');
    assert.equal(buffer.name, 'dan');
    assert.equal(buffer.unread, 1);
    assert.equal(c.model.current.name, '#den', 'a new query does not take the focus');

    c.input('/query dan');
    assert.equal(c.model.current, buffer);
    assert.equal(buffer.unread, 0, 'looking at a buffer reads it');
    dan.send('PRIVMSG #den :hi Carol, and hi everyone', 'PRIVMSG #den :caroline is here');
    await waitForLine(c, (s) => s.line.text === 'caroline is here');
    const den = c.model.find('#den')!;
    assert.equal(den.unread, 2);
    assert.equal(den.mentions, 1, 'Carol is a mention, caroline is not');

    c.input('/window 2');
    assert.equal(c.model.current, den);
    assert.equal(den.mentions, 0);

    // A reply typed in the query goes to the person.
    c.input('/query dan');
    c.input('yes?');
    await dan.waitFor((r) => r.msg.command === 'PRIVMSG' && r.msg.params[0] === 'dan' && r.msg.params[1] === 'yes?');
    await waitForLine(c, (s) => s.buffer === buffer && s.line.self === true && s.line.text === 'yes?');
  });

  test('the member list follows modes, nick changes, parts, kicks and quits', async () => {
    const c = await client('erin');
    c.input('/join #club');
    const room = await waitUntil(c, () => c.model.find('#club')?.joined && c.model.find('#club')!.members.size === 1 && c.model.find('#club'), '#club');
    const [fred, gus, hal] = await Promise.all([t.register('fred'), t.register('gus'), t.register('hal')]);
    for (const r of [fred, gus, hal]) r.send('JOIN #club');
    await waitUntil(c, () => room.members.size === 4, 'four members');

    c.input('/op fred');
    c.input('/voice fred');
    await waitUntil(c, () => room.members.get('fred')?.prefixes === '@+', 'fred @+');
    // multi-prefix NAMES agrees.
    c.input('/names');
    const names = await waitForLine(c, (s) => s.line.kind === 'info' && s.line.text.startsWith('#club: 4 people'));
    assert.match(names.line.text, /@erin/);
    assert.equal(room.members.get('fred')?.prefixes, '@+');
    assert.deepEqual(
      c.model.sortedMembers(room).map((m) => m.prefixes.slice(0, 1) + m.nick),
      ['@erin', '@fred', 'gus', 'hal'],
    );
    c.input('/deop fred');
    await waitUntil(c, () => room.members.get('fred')?.prefixes === '+', 'fred +');

    gus.send('NICK gustav');
    await waitUntil(c, () => room.members.has('gustav') && !room.members.has('gus'), 'gus renamed');
    await waitForLine(c, (s) => s.line.kind === 'nick' && s.line.text === 'gus is now known as gustav');

    hal.send('PART #club :bye');
    await waitUntil(c, () => !room.members.has('hal'), 'hal gone');
    await waitForLine(c, (s) => s.line.kind === 'part' && s.line.text === 'hal left (bye)');

    c.input('/kick gustav out');
    await waitUntil(c, () => !room.members.has('gustav'), 'gustav kicked');
    await waitForLine(c, (s) => s.line.kind === 'kick' && s.line.text === 'gustav was kicked by erin (out)');

    fred.send('QUIT :later');
    await waitUntil(c, () => !room.members.has('fred'), 'fred quit');
    await waitForLine(c, (s) => s.line.kind === 'quit' && s.buffer === room && /^fred quit \(Quit: later\)$/.test(s.line.text));
    assert.deepEqual([...room.members.values()].map((m) => m.nick), ['erin']);
  });

  test('topics show in the room and the topic is kept', async () => {
    const c = await client('ivy');
    c.input('/join #garden');
    await waitUntil(c, () => c.model.find('#garden')?.joined, '#garden');
    c.input('/topic 花园 🌸 open');
    const room = await waitUntil(c, () => c.model.find('#garden')?.topic === '花园 🌸 open' && c.model.find('#garden'), 'the topic');
    assert.ok(room.lines.some((l) => l.kind === 'topic' && l.text === 'ivy changed the topic to: 花园 🌸 open'));

    // Leaving closes the room's buffer; its neighbour in the list becomes current.
    c.input('/part bye now');
    const left = await waitForLine(c, (s) => s.line.kind === 'part' && s.line.self === true);
    assert.equal(left.line.text, 'You left #garden (bye now)');
    await waitUntil(c, () => c.model.find('#garden') === undefined, '#garden closed');
    assert.equal(c.model.current, c.model.server);
  });
});

describe('errors show where they belong', () => {
  test('404 in the room, 401 in the current buffer, unknown commands locally', async () => {
    const op = await t.register('judy');
    op.send('JOIN #quiet', 'MODE #quiet +m');
    await op.waitFor((r) => r.msg.command === 'MODE');
    const c = await client('kim');
    c.input('/join #quiet');
    const room = await waitUntil(c, () => c.model.find('#quiet')?.members.size === 2 && c.model.find('#quiet'), '#quiet');
    c.input('/join #other');
    await waitUntil(c, () => c.model.current.name === '#other', '#other current');

    c.input('/msg #quiet may I speak?');
    const cannot = await waitForLine(c, (s) => s.line.kind === 'error');
    assert.equal(cannot.buffer, room, '404 goes to the room it is about, not the current buffer');
    assert.match(cannot.line.text, /^#quiet: Cannot send to channel/);

    const mark = lastLineId(c);
    c.input('/msg nobody hello?');
    const nosuch = await waitForLine(c, (s) => s.line.kind === 'error', mark);
    assert.equal(nosuch.buffer.name, '#other', 'no query for nobody: the current buffer');
    assert.equal(nosuch.line.text, 'nobody: No such nick/channel');
    assert.equal(c.model.find('nobody'), undefined, 'no empty query is opened for a failed message');

    c.input('/frobnicate');
    assert.equal(c.model.current.lines.at(-1)!.kind, 'error');
    assert.match(c.model.current.lines.at(-1)!.text, /Unknown command: \/frobnicate/);
  });

  test('a broadcast to everyone is an announcement in every open buffer, told once, unread nowhere', async () => {
    const c = await client('lee');
    c.input('/join #any');
    c.input('/query someone');
    c.input('/join #other');
    await waitUntil(c, () => c.model.current.name === '#other', '#other');
    const told: string[] = [];
    c.on('line', (buffer, line) => {
      if (line.text === 'maintenance at noon') told.push(buffer.name);
    });
    t.server.admin.broadcast(t.server.admin.consoleActor, 'maintenance at noon');
    const { buffer, line } = await waitForLine(c, (s) => s.line.text === 'maintenance at noon');
    assert.equal(buffer, c.model.server);
    assert.equal(line.kind, 'announcement');
    assert.equal(line.from, t.server.serverName);
    for (const b of c.model.buffers) {
      assert.equal(b.lines.filter((l) => l.kind === 'announcement' && l.text === 'maintenance at noon').length, 1, `once in ${b.name}`);
      assert.equal(b.unread, 0, `no unread count in ${b.name}: it is in view already`);
    }
    assert.deepEqual(told, [c.model.server.name], 'one line event, from the server buffer');
  });
});

describe('reconnecting', () => {
  test('after the server drops the connection the client reconnects and rejoins its rooms', async () => {
    const c = await client('max');
    c.input('/join #stay');
    c.input('/join #also');
    await waitUntil(c, () => c.model.find('#stay')?.joined && c.model.find('#also')?.joined, 'both rooms');
    const watcher = await t.register('ned');
    watcher.send('JOIN #stay');
    await watcher.waitFor('366');

    // A drop the client is not to blame for (a kill or ban would stop it: see below).
    [...t.server.sessions].find((s) => s.user?.nick === 'max')!.disconnect('Ping timeout: 120 seconds');
    await watcher.waitFor((r) => r.msg.command === 'QUIT' && r.msg.source!.startsWith('max!'));
    await waitUntil(c, () => c.model.status !== 'registered' && !c.model.find('#stay')!.joined, 'the drop');
    assert.ok(c.model.server.lines.some((l) => l.kind === 'error' && /Ping timeout/.test(l.text)), 'the reason shows');

    const rejoined = await watcher.waitFor((r) => r.msg.command === 'JOIN' && r.msg.source!.startsWith('max!'));
    assert.equal(rejoined.msg.params[0], '#stay');
    await waitUntil(c, () => c.registered && c.model.find('#stay')!.joined && c.model.find('#also')!.joined && c.model.find('#stay')!.members.has('ned'), 'rooms rejoined');
    assert.ok(c.model.server.lines.some((l) => /Reconnecting in/.test(l.text)));

    // And it works as before.
    c.input('/msg #stay back');
    await watcher.waitFor((r) => r.msg.command === 'PRIVMSG' && r.msg.params[1] === 'back');
  });

  test('killed by an operator, the client stops and says why instead of coming back', async () => {
    const c = await client('kit');
    const closed = new Promise<void>((resolve) => c.once('closed', resolve));
    t.server.admin.kill(t.server.admin.consoleActor, 'kit', 'enough');
    await closed;
    assert.equal(c.model.status, 'closed');
    assert.match(c.failure ?? '', /^Disconnected by the server: Killed \(.*enough/);
    assert.ok(c.model.server.lines.some((l) => l.kind === 'error' && /Killed/.test(l.text)), 'the reason shows');
  });

  test('/quit stops for good: no reconnection', async () => {
    const c = await client('otto');
    const watcher = await t.register('pat');
    c.input('/join #bye');
    watcher.send('JOIN #bye');
    await waitUntil(c, () => c.model.find('#bye')?.members.has('pat'), 'pat');
    const closed = new Promise<void>((resolve) => c.once('closed', resolve));
    c.input('/quit see you');
    const quit = await watcher.waitFor('QUIT');
    assert.equal(quit.msg.params[0], 'Quit: see you');
    await closed;
    assert.equal(c.model.status, 'closed');
  });
});
