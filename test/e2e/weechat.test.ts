// Interoperability with WeeChat: a real weechat-headless registers, joins #parlor and
// talks with a raw client both in the room and privately. WeeChat answers through
// triggers (so a reply proves it received and decoded the line) and speaks on command
// through its fifo pipe. Skipped when weechat-headless is not installed.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../helpers/server.ts';
import type { RawClient, Received } from '../helpers/raw-client.ts';
import { WeeChat, weechatVersion } from '../helpers/weechat.ts';
import { WAIT_MS } from '../helpers/wait.ts';

const VERSION = weechatVersion();
const ROOM = '#parlor';
const SERVER_BUFFER = 'irc.server.parlor';
const ROOM_BUFFER = `irc.parlor.${ROOM}`;
// Starting WeeChat (config files, plugins) can be slow on a loaded machine.
const STARTUP_MS = 20_000;

describe('WeeChat against Parlor', { skip: VERSION ? false : 'weechat-headless is not installed (apt-get install weechat-headless)' }, () => {
  let srv: TestServer;
  let raw: RawClient;
  let wee: WeeChat;
  let weeNick = 'weebot';

  /** The next line from WeeChat's current nick with this command (and predicate). */
  const fromWee = (command: string, pred: (r: Received) => boolean = () => true) => (r: Received) =>
    r.msg.command === command && (r.msg.source ?? '').startsWith(`${weeNick}!`) && pred(r);

  /** Waits, adding WeeChat's logs to the failure message. */
  async function expect(matcher: (r: Received) => boolean, timeoutMs = WAIT_MS): Promise<Received> {
    try {
      return await raw.waitFor(matcher, timeoutMs);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${wee.diagnostics()}`, { cause: err });
    }
  }

  before(async () => {
    srv = await startServer();
    raw = await srv.register('rawbie');
    raw.send(`JOIN ${ROOM}`);
    await raw.waitFor('366');
    wee = WeeChat.start({ port: srv.port, nick: 'weebot', autojoin: ROOM, version: VERSION! });
  });

  after(async () => {
    await wee?.stop();
    await srv?.close();
  });

  test('WeeChat registers and joins #parlor', async () => {
    const join = await expect(fromWee('JOIN'), STARTUP_MS);
    assert.equal(join.msg.params[0], ROOM);
    assert.equal(join.msg.source, 'weebot!weebot@127.0.0.1');
    // Its USER line was understood: WHOIS shows the username and real name WeeChat sent.
    raw.send('WHOIS weebot');
    const who = await expect((r) => r.msg.command === '311');
    assert.deepEqual(who.msg.params, ['rawbie', 'weebot', 'weebot', '127.0.0.1', '*', 'WeeChat weebot']);
    await expect((r) => r.msg.command === '318');
  });

  test('WeeChat installs its triggers and speaks in the room on command', async () => {
    // Lines printed in a Parlor buffer that start with "echo: " are answered in that buffer
    // with the sender and the text as WeeChat decoded them.
    wee.command(SERVER_BUFFER, '/trigger add parlorecho print "irc.parlor.*" "${tg_message_nocolor} =~ ^echo: " "" "/msg * weechat got <${tg_tag_nick}> ${tg_message_nocolor}"');
    // TOPIC and NICK lines in the room are repeated as WeeChat displays them.
    wee.command(SERVER_BUFFER, `/trigger add parlorevents print "${ROOM_BUFFER}" "\${tg_tags} =~ ,irc_(topic|nick)," "" "/msg * seen: \${tg_message_nocolor}"`);
    // The fifo is read in order: once this arrives, both triggers exist.
    wee.command(SERVER_BUFFER, `/msg ${ROOM} hello from weechat 你好 🎉`);
    const hello = await expect(fromWee('PRIVMSG'));
    assert.deepEqual(hello.msg.params, [ROOM, 'hello from weechat 你好 🎉']);
  });

  test('a room message from the raw client reaches WeeChat intact', async () => {
    const text = 'echo: 大家好 from rawbie 🐈‍⬛ ça va';
    raw.send(`PRIVMSG ${ROOM} :${text}`);
    const reply = await expect(fromWee('PRIVMSG'));
    assert.deepEqual(reply.msg.params, [ROOM, `weechat got <rawbie> ${text}`]);
  });

  test('private messages work both ways', async () => {
    const text = 'echo: 私聊 🍵 just for you';
    raw.send(`PRIVMSG weebot :${text}`);
    const reply = await expect(fromWee('PRIVMSG'));
    assert.deepEqual(reply.msg.params, ['rawbie', `weechat got <rawbie> ${text}`]);

    wee.command(SERVER_BUFFER, '/msg rawbie 悄悄话 from weechat 🤫');
    const pm = await expect(fromWee('PRIVMSG'));
    assert.deepEqual(pm.msg.params, ['rawbie', '悄悄话 from weechat 🤫']);
  });

  test('WeeChat sees a TOPIC change and a NICK change in the room', async () => {
    raw.send(`TOPIC ${ROOM} :茶话会 tea party 🫖`);
    await raw.waitFor('TOPIC');
    const topic = await expect(fromWee('PRIVMSG'));
    assert.equal(topic.msg.params[0], ROOM);
    assert.match(topic.msg.params[1]!, /^seen: rawbie has changed topic for #parlor .*to "茶话会 tea party 🫖"/);

    raw.send('NICK rawbie2');
    await raw.waitFor('NICK');
    const nick = await expect(fromWee('PRIVMSG'));
    assert.deepEqual(nick.msg.params, [ROOM, 'seen: rawbie is now known as rawbie2']);
  });

  test('WeeChat changes its own nick and the room sees it', async () => {
    wee.command(SERVER_BUFFER, '/nick weebot2');
    const nick = await expect(fromWee('NICK'));
    assert.deepEqual(nick.msg.params, ['weebot2']);
    weeNick = 'weebot2';
    // WeeChat took the server's NICK echo as its own rename.
    const seen = await expect(fromWee('PRIVMSG'));
    assert.deepEqual(seen.msg.params, [ROOM, 'seen: You are now known as weebot2']);
  });

  test('a KICK reaches WeeChat, which rejoins (autorejoin)', async () => {
    raw.send(`KICK ${ROOM} weebot2 :out, briefly`);
    await raw.waitFor('KICK');
    const rejoin = await expect(fromWee('JOIN'));
    assert.equal(rejoin.msg.params[0], ROOM);
  });

  test('/quit from WeeChat is a QUIT with its message, and WeeChat exits', async () => {
    wee.command(SERVER_BUFFER, '/quit 再见 from weechat');
    const quit = await expect(fromWee('QUIT'));
    assert.match(quit.msg.params[0]!, /^(Quit: )?再见 from weechat$/);
    await wee.waitExit();
    assert.equal(wee.exitCode, 0);
  });
});
