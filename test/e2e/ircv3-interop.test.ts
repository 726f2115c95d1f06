// Issue 16's IRCv3 features with real IRC clients. Both run through a recording relay
// (wire-tap.ts), so that what they sent and received can be checked and shown on failure.
// - WeeChat logs in with SASL SCRAM-SHA-256 to an account made on Parlor, checking the
//   server's signature (a forged one, put in by the tap, it refuses); to an account from before
//   SCRAM it fails as designed, logs in with PLAIN, and SCRAM works from then on.
// - irssi logs in with PLAIN. WeeChat 3.8 and irssi get what they do not support gracefully: a
//   multiline batch as lines in order, no REDACT, a bot's messages as anyone's, WHOIS 335;
//   irssi shows the +e/+I lists and joins through $a: exceptions.
// Skipped when the programs are not installed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../../src/storage/memory-store.ts';
import { addAccount, TEST_PASSWORD_COST } from '../helpers/accounts.ts';
import { joinAll } from '../helpers/irc.ts';
import { Irssi, irssiMissing } from '../helpers/irssi.ts';
import type { RawClient, Received } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { WeeChat, weechatVersion } from '../helpers/weechat.ts';
import { WireTap } from '../helpers/wire-tap.ts';
import { WAIT_MS } from '../helpers/wait.ts';

const WEECHAT_VERSION = weechatVersion();
const WEECHAT_MAJOR = Number(WEECHAT_VERSION?.split('.')[0] ?? 0);
const IRSSI_MISSING = irssiMissing();
const ROOM = '#room';
const SERVER_BUFFER = 'irc.server.parlor';
// Starting WeeChat or irssi (config files, plugins) can be slow on a loaded machine.
const STARTUP_MS = 20_000;
/** irssi sends a /mode list query only some seconds after it is typed (its mode queue). */
const IRSSI_MODE_QUERY_MS = 15_000;
/** What a client that asked for multiline, message tags and deletions is given. */
const IRCV3_CAPS = ['batch', 'draft/multiline', 'message-tags', 'echo-message', 'draft/message-redaction'];
/** Lines about logging in, for failure messages. */
const SASL_LINES = (line: string): boolean => /^(\S+ )?(:\S+ )?(CAP|AUTHENTICATE|90\d|001) /.test(line) || / (90\d|001) /.test(line);

/** Creates `name` with REGISTER, as a user would: its SCRAM verifier is made with it. */
async function registerAccount(t: TestServer, name: string, password: string): Promise<void> {
  const c = await t.register(name, ['draft/account-registration']);
  c.send(`REGISTER * * :${password}`);
  await c.waitFor((r) => r.msg.command === 'REGISTER' && r.msg.params[0] === 'SUCCESS');
  c.send('QUIT');
  await c.waitClose();
}

/** Polls `check` until it holds (for state a program changes in the background). */
async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = WAIT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The batch of a multiline message as a client with draft/multiline sends it. */
function multilineBatch(ref: string, target: string, lines: string[]): string[] {
  return [`BATCH +${ref} draft/multiline ${target}`, ...lines.map((l) => `@batch=${ref} PRIVMSG ${target} :${l}`), `BATCH -${ref}`];
}

/** Sends `text` to the room and returns its msgid, from the echo. */
async function say(c: RawClient, text: string): Promise<string> {
  c.send(`PRIVMSG ${ROOM} :${text}`);
  const echo = await c.waitFor((r) => r.msg.command === 'PRIVMSG' && r.msg.params[1] === text);
  const msgid = echo.msg.tags.msgid;
  assert.ok(msgid, echo.raw);
  return msgid;
}

const fromNick = (nick: string, command: string) => (r: Received) => r.msg.command === command && (r.msg.source ?? '').startsWith(`${nick}!`);

describe('WeeChat: SASL SCRAM-SHA-256, and the fallbacks of issue 16\'s features', { skip: WEECHAT_VERSION ? false : 'weechat-headless is not installed (apt-get install weechat-headless)' }, () => {
  let srv: TestServer;
  let tap: WireTap;
  let watcher: RawClient;
  let wee: WeeChat | undefined;
  let alice: RawClient;

  /** The lines WeeChat logged in the room's buffer. */
  function roomLog(): string[] {
    try {
      return readFileSync(join(wee!.dir, 'logs', `irc.parlor.${ROOM}.weechatlog`), 'utf8').split('\n').filter((l) => l !== '');
    } catch {
      return [];
    }
  }

  /** Starts WeeChat as `nick` through the tap, logging in to `account` with `mechanism`. */
  function startWeeChat(nick: string, account: string, password: string, mechanism: string): WeeChat {
    wee = WeeChat.start({
      port: tap.port,
      nick,
      autojoin: ROOM,
      version: WEECHAT_VERSION!,
      beforeConnect: [
        `/set irc.server.parlor.sasl_mechanism ${mechanism}`,
        `/set irc.server.parlor.sasl_username ${account}`,
        `/set irc.server.parlor.sasl_password ${password}`,
        // Show what a failed login does, rather than give up at once.
        '/set irc.server.parlor.sasl_fail continue',
      ],
    });
    return wee;
  }

  async function stopWeeChat(): Promise<void> {
    await wee?.stop();
    wee = undefined;
  }

  /** The SCRAM messages of one connection, decoded: client-first, server-first, client-final, server-final, then '+' (or '*', aborting). */
  function scramExchange(connection: number): string[] {
    const messages: string[] = [];
    let started = false;
    for (const l of tap.lines.filter((x) => x.connection === connection)) {
      const m = /^(?:@\S+ )?AUTHENTICATE (\S+)$/.exec(l.line);
      if (!m) continue;
      if (m[1] === 'SCRAM-SHA-256') started = true;
      else if (started && m[1] === '+') messages.push(l.from === 'C' ? '+' : '(go on)');
      else if (started && m[1] === '*') messages.push('*');
      else if (started) messages.push(Buffer.from(m[1]!, 'base64').toString('utf8'));
    }
    // The server's '+' after the mechanism only asks for the client-first.
    return messages.filter((m) => m !== '(go on)');
  }

  function diagnostics(): string {
    return `--- wire (logging in) ---\n${tap.trace(SASL_LINES)}\n${wee?.diagnostics() ?? ''}`;
  }

  async function expectOn<T>(what: Promise<T>): Promise<T> {
    try {
      return await what;
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${diagnostics()}`, { cause: err });
    }
  }

  before(async () => {
    srv = await startServer({ accounts: { passwordCost: TEST_PASSWORD_COST } }, { store: new MemoryStore() });
    tap = await WireTap.start(srv.port);
    await registerAccount(srv, 'weescram', 'wee secret 1');
    // As before SCRAM: an scrypt hash only, no verifier.
    await addAccount(srv, 'oldtimer', 'old secret 2');
    assert.equal((await srv.server.store.getAccount('oldtimer'))?.scram, undefined);
    watcher = await srv.register('watcher');
    watcher.send(`JOIN ${ROOM}`);
    await watcher.waitFor('366');
  });

  after(async () => {
    await wee?.stop();
    await srv?.close();
    await tap?.close();
  });

  test('WeeChat logs in with SCRAM-SHA-256 to an account registered on Parlor, and accepts the server signature', async () => {
    const w = startWeeChat('weescram', 'weescram', 'wee secret 1', 'scram-sha-256');
    await expectOn(watcher.waitFor(fromNick('weescram', 'JOIN'), STARTUP_MS));
    assert.equal(srv.server.network.userByNick('weescram')?.account, 'weescram', diagnostics());
    await expectOn(w.waitForLog(/SASL authentication successful/));
    const sent = tap.sent('C', 1);
    assert.ok(sent.includes('AUTHENTICATE SCRAM-SHA-256'), diagnostics());
    assert.ok(!sent.includes('AUTHENTICATE PLAIN'), diagnostics());
    // RFC 5802 on the wire: WeeChat's client-first, our server-first extending its nonce, its
    // proof, our signature (which WeeChat checks before it answers '+'), then 900 and 903.
    const exchange = scramExchange(1);
    assert.match(exchange[0]!, /^n,,n=weescram,r=[!-+\--~]+$/, diagnostics());
    const clientNonce = exchange[0]!.split(',r=')[1]!;
    assert.match(exchange[1]!, /^r=([^,]+),s=[A-Za-z0-9+/=]+,i=4096$/);
    assert.ok(exchange[1]!.startsWith(`r=${clientNonce}`) && exchange[1]!.length > `r=${clientNonce}`.length);
    assert.match(exchange[2]!, /^c=biws,r=[^,]+,p=[A-Za-z0-9+/=]{44}$/);
    assert.match(exchange[3]!, /^v=[A-Za-z0-9+/=]{44}$/);
    assert.deepEqual(exchange.slice(4), ['+']);
  });

  test('an account from before SCRAM: WeeChat\'s SCRAM login fails as a wrong password would (904), it goes on without an account', async () => {
    await stopWeeChat();
    const connection = tap.connectionCount + 1;
    const w = startWeeChat('oldtimer', 'oldtimer', 'old secret 2', 'scram-sha-256');
    await expectOn(w.waitForLog(/SASL authentication failed/, STARTUP_MS));
    // sasl_fail continue: WeeChat ends the negotiation and registers, without an account.
    await expectOn(watcher.waitFor(fromNick('oldtimer', 'JOIN'), STARTUP_MS));
    assert.equal(srv.server.network.userByNick('oldtimer')?.account, undefined);
    const received = tap.sent('S', connection);
    assert.ok(received.some((l) => / 904 oldtimer :SASL authentication failed$/.test(l)), diagnostics());
    assert.ok(!received.some((l) => / 900 /.test(l)), diagnostics());
    // The whole exchange was made up: a salt and iterations like a real account's, then 904 after the proof.
    const exchange = scramExchange(connection);
    assert.match(exchange[1]!, /^r=[^,]+,s=[A-Za-z0-9+/=]+,i=4096$/, diagnostics());
    assert.match(exchange[2]!, /^c=biws,r=[^,]+,p=/);
    assert.equal(exchange.length, 3, diagnostics());
  });

  test('the same WeeChat logs in with PLAIN; the account gets its verifier, and SCRAM works from then on', async () => {
    const w = wee!;
    w.command(SERVER_BUFFER, '/set irc.server.parlor.sasl_mechanism plain');
    let connection = tap.connectionCount + 1;
    w.command(SERVER_BUFFER, '/reconnect parlor');
    await expectOn(watcher.waitFor((r) => fromNick('oldtimer', 'JOIN')(r) && srv.server.network.userByNick('oldtimer')?.account === 'oldtimer', STARTUP_MS));
    assert.ok(tap.sent('C', connection).includes('AUTHENTICATE PLAIN'), diagnostics());
    await eventually('the SCRAM verifier of oldtimer', async () => (await srv.server.store.getAccount('oldtimer'))?.scram !== undefined);

    w.command(SERVER_BUFFER, '/set irc.server.parlor.sasl_mechanism scram-sha-256');
    connection = tap.connectionCount + 1;
    w.command(SERVER_BUFFER, '/reconnect parlor');
    await expectOn(watcher.waitFor((r) => fromNick('oldtimer', 'JOIN')(r) && srv.server.network.userByNick('oldtimer')?.account === 'oldtimer', STARTUP_MS));
    assert.ok(tap.sent('C', connection).includes('AUTHENTICATE SCRAM-SHA-256'), diagnostics());
    assert.ok(tap.sent('S', connection).some((l) => / 903 oldtimer :SASL authentication successful$/.test(l)), diagnostics());
    assert.deepEqual(scramExchange(connection).slice(3).map((m) => m.slice(0, 2)), ['v=', '+']);
  });

  // WeeChat (3.8) does not ask for batch, draft/multiline or draft/message-redaction: what
  // it gets of them is the fallback. (WeeChat ≥ 4.0 asks for batch and draft/multiline.)
  test('WeeChat asks for the capabilities it supports; a multiline message reaches it as lines, in order', async () => {
    const connection = tap.connectionCount;
    const requested = (tap.sent('C', connection).find((l) => l.startsWith('CAP REQ ')) ?? '').split(/[ :]+/).slice(2);
    assert.equal(requested.includes('draft/multiline'), WEECHAT_MAJOR >= 4, diagnostics());
    assert.equal(requested.includes('draft/message-redaction'), false);
    alice = await srv.register('alice', IRCV3_CAPS);
    await joinAll(ROOM, alice);
    const lines = ['first line', 'second line 第二行', '', 'third 🎉'];
    alice.send(...multilineBatch('m1', ROOM, lines));
    await alice.waitFor((r) => r.msg.command === 'BATCH' && r.msg.params[0]!.startsWith('-'));
    await expectOn(wee!.waitForLog(/\talice\tthird 🎉$/));
    const shown = roomLog().filter((l) => /\talice\t/.test(l)).map((l) => l.split('\t').slice(2).join('\t'));
    assert.deepEqual(shown, ['first line', 'second line 第二行', 'third 🎉']);
    if (WEECHAT_MAJOR < 4) {
      const got = tap.sent('S', connection).filter((l) => l.includes(' PRIVMSG #room '));
      assert.equal(got.length, 3, got.join('\n'));
      assert.ok(!tap.sent('S', connection).some((l) => / BATCH /.test(l)), diagnostics());
    }
  });

  test('a REDACT leaves WeeChat\'s view alone, and it is sent nothing', async () => {
    const connection = tap.connectionCount;
    const msgid = await say(alice, 'a line to delete');
    await expectOn(wee!.waitForLog(/\talice\ta line to delete$/));
    alice.send(`REDACT ${ROOM} ${msgid} :typo`);
    await alice.waitFor('REDACT');
    await say(alice, 'after the deletion');
    await expectOn(wee!.waitForLog(/\talice\tafter the deletion$/));
    // The deleted line is still shown, and nothing about its deletion is (lines such as the
    // 329 answer to WeeChat's own MODE query may come in between).
    const log = roomLog();
    const between = log.slice(log.findIndex((l) => /\talice\ta line to delete$/.test(l)) + 1, log.findIndex((l) => /\talice\tafter the deletion$/.test(l)));
    assert.ok(!between.some((l) => /\talice\t|typo|REDACT|\b421\b/i.test(l)) && between.length <= 1, between.join('\n'));
    assert.ok(!tap.sent('S', connection).some((l) => / REDACT /.test(l)), diagnostics());
    assert.doesNotMatch(wee!.diagnostics(), /\bREDACT\b|unknown command|\b421\b/i);
  });

  test('a bot\'s messages show as anyone\'s (the bot tag ignored), and WHOIS shows 335', async () => {
    const connection = tap.connectionCount;
    const bot = await srv.register('helperbot');
    bot.send('MODE helperbot +B');
    await bot.waitFor('MODE');
    await joinAll(ROOM, bot);
    bot.send(`PRIVMSG ${ROOM} :beep boop 🤖`);
    await expectOn(wee!.waitForLog(/\thelperbot\tbeep boop 🤖$/));
    // WeeChat takes message tags: it got the bot tag, and showed the message as usual.
    assert.ok(tap.sent('S', connection).some((l) => /^@(\S+;)?bot[;= ].* PRIVMSG #room :beep boop/.test(l)), diagnostics());
    wee!.command(SERVER_BUFFER, '/whois helperbot');
    await expectOn(wee!.waitForLog(/\t--\t\[helperbot\] is a bot on Parlor$/));
  });

  test('WeeChat checks the server signature: a forged server-final is refused, so its acceptance above means ours is right', async () => {
    await stopWeeChat();
    const connection = tap.connectionCount + 1;
    // A server-final with a signature of the right length but wrong bytes.
    const forged = `v=${Buffer.alloc(32, 7).toString('base64')}`;
    tap.rewrite = (from, line) => {
      const m = /^(@\S+ )?AUTHENTICATE (\S+)$/.exec(line);
      return from === 'S' && m && Buffer.from(m[2]!, 'base64').toString('utf8').startsWith('v=') ? `${m[1] ?? ''}AUTHENTICATE ${Buffer.from(forged).toString('base64')}` : undefined;
    };
    try {
      const w = startWeeChat('weescram', 'weescram', 'wee secret 1', 'scram-sha-256');
      await expectOn(watcher.waitFor(fromNick('weescram', 'JOIN'), STARTUP_MS));
      const exchange = scramExchange(connection);
      assert.equal(exchange[3], forged, diagnostics());
      // WeeChat aborts (AUTHENTICATE *, answered 906) instead of concluding with '+'.
      assert.equal(exchange[4], '*', `WeeChat accepted a forged server signature\n${diagnostics()}`);
      await expectOn(w.waitForLog(/irc: SASL error: unable to validate server signature/));
      assert.ok(tap.sent('S', connection).some((l) => / 906 weescram :SASL authentication aborted$/.test(l)), diagnostics());
      assert.equal(srv.server.network.userByNick('weescram')?.account, undefined, diagnostics());
    } finally {
      tap.rewrite = undefined;
    }
  });
});

describe('irssi and issue 16\'s features it does not support', { skip: IRSSI_MISSING ?? false }, () => {
  let srv: TestServer;
  let tap: WireTap;
  let alice: RawClient;
  let irssi: Irssi;
  /** The tap's connection of irssi's current session. */
  let connection = 0;

  function diagnostics(): string {
    return `--- irssi's wire ---\n${tap.trace()}\n${irssi.diagnostics()}`;
  }

  async function expectOn<T>(what: Promise<T>): Promise<T> {
    try {
      return await what;
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${diagnostics()}`, { cause: err });
    }
  }

  /** What irssi was sent on its current session. */
  const received = (): string[] => tap.sent('S', connection);

  before(async () => {
    srv = await startServer({ accounts: { passwordCost: TEST_PASSWORD_COST } }, { store: new MemoryStore() });
    tap = await WireTap.start(srv.port);
    await registerAccount(srv, 'irssiacct', 'irssi-secret-3');
    alice = await srv.register('alice', IRCV3_CAPS);
    await joinAll(ROOM, alice);
    irssi = Irssi.start({ port: tap.port, nick: 'irssiacct' });
    await irssi.expect(/End of \/MOTD command/, STARTUP_MS);
  });

  after(async () => {
    await irssi?.stop();
    await srv?.close();
    await tap?.close();
  });

  test('irssi logs in with SASL PLAIN (the server offers PLAIN and SCRAM-SHA-256) and joins', async () => {
    irssi.type('/network add -sasl_mechanism PLAIN -sasl_username irssiacct -sasl_password irssi-secret-3 parlornet');
    irssi.type(`/server add -network parlornet -notls 127.0.0.1 ${tap.port}`);
    irssi.type('/disconnect');
    await irssi.expect(/Connection lost to 127\.0\.0\.1/);
    connection = tap.connectionCount + 1;
    irssi.type('/connect parlornet');
    await irssi.expect(/You are now logged in as irssiacct/, STARTUP_MS);
    await irssi.expect(/SASL authentication succeeded/);
    await irssi.expect(/End of \/MOTD command/);
    assert.ok(tap.sent('C', connection).includes('AUTHENTICATE PLAIN'), diagnostics());
    assert.equal(srv.server.network.userByNick('irssiacct')?.account, 'irssiacct');
    irssi.type(`/join ${ROOM}`);
    await expectOn(alice.waitFor(fromNick('irssiacct', 'JOIN')));
    await irssi.expect(/#room: Total of 2 nicks/);
    // irssi takes none of issue 16's capabilities (nor message-tags): it gets the fallbacks.
    const requested = (tap.sent('C', connection).find((l) => l.startsWith('CAP REQ ')) ?? '').split(/[ :]+/).slice(2);
    for (const cap of ['batch', 'draft/multiline', 'draft/message-redaction', 'message-tags', 'extended-monitor']) assert.ok(!requested.includes(cap), requested.join(' '));
  });

  test('a multiline message reaches irssi as separate lines, in order (the blank one left out)', async () => {
    alice.send(...multilineBatch('m1', ROOM, ['first line', 'second line 第二行', '', 'third 🎉']));
    await irssi.expect(/<[ @+]?alice> first line\n.*<[ @+]?alice> second line 第二行\n.*<[ @+]?alice> third 🎉\n/);
    const shown = irssi.windowLog(ROOM).split('\n').filter((l) => /<[ @+]?alice>/.test(l)).map((l) => l.replace(/^.*?<[ @+]?alice> /, ''));
    assert.deepEqual(shown, ['first line', 'second line 第二行', 'third 🎉']);
    assert.ok(!received().some((l) => / BATCH /.test(l)), diagnostics());
  });

  test('a REDACT leaves irssi\'s view alone, and irssi is sent nothing (no unknown-command noise)', async () => {
    const msgid = await say(alice, 'a line to delete');
    await irssi.expect(/<[ @+]?alice> a line to delete\n/);
    const mark = irssi.log().length;
    alice.send(`REDACT ${ROOM} ${msgid} :typo`);
    await alice.waitFor('REDACT');
    await say(alice, 'after the deletion');
    await irssi.expect(/<[ @+]?alice> after the deletion\n/);
    // Between the two: nothing shown (but for the answer to irssi's own MODE query on joining, which may come late).
    const between = irssi.log().slice(mark).split('\n').filter((l) => l !== '' && !/-!- Channel #room created /.test(l));
    assert.equal(between.length, 1, between.join('\n'));
    assert.match(between[0]!, /<[ @+]?alice> after the deletion$/);
    assert.match(irssi.windowLog(ROOM), /a line to delete/);
    assert.ok(!received().some((l) => / REDACT /.test(l)), diagnostics());
    assert.doesNotMatch(irssi.log(), /\bREDACT\b|unknown command|\b421\b/i);
  });

  test('a +B bot\'s messages show as anyone\'s; /whois shows the 335 line', async () => {
    const bot = await srv.register('helperbot');
    bot.send('MODE helperbot +B');
    await bot.waitFor('MODE');
    await joinAll(ROOM, bot);
    await irssi.expect(/helperbot \[helperbot@127\.0\.0\.1\] has joined #room/);
    bot.send(`PRIVMSG ${ROOM} :beep boop 🤖`);
    await irssi.expect(/<[ @+]?helperbot> beep boop 🤖\n/);
    irssi.type('/whois helperbot');
    await irssi.expect(/helperbot \[helperbot@127\.0\.0\.1\]\n/);
    // irssi has no name for 335: it shows the text under an empty label, within the WHOIS.
    await irssi.expect(/\n[^\n]*-!- +: is a bot on Parlor\n/);
    await irssi.expect(/End of WHOIS/);
    assert.ok(received().some((l) => / 335 irssiacct helperbot :is a bot on Parlor$/.test(l)), diagnostics());
    // irssi takes no message tags: the bot's message came without the bot tag.
    assert.ok(received().some((l) => /^(@time=\S+ )?:helperbot!\S+ PRIVMSG #room :beep boop/.test(l)), diagnostics());
  });

  test('the +e and +I lists (with $a: extbans) show in irssi\'s window', async () => {
    alice.send(`MODE ${ROOM} +e $a:irssiacct`, `MODE ${ROOM} +I *!*@trusted.example`);
    await irssi.expect(/mode\/#room \[\+e \$a:irssiacct\] by alice/);
    await irssi.expect(/mode\/#room \[\+I \*!\*@trusted\.example\] by alice/);
    // Only the room's operators may read the exception lists (as charybdis): irssi shows the
    // refusal. irssi holds its mode queries back a few seconds (its own queue), hence the waits.
    irssi.type(`/mode ${ROOM} e`);
    await irssi.expect(/#room You're not channel operator/, IRSSI_MODE_QUERY_MS);
    alice.send(`MODE ${ROOM} +o irssiacct`);
    await irssi.expect(/mode\/#room \[\+o irssiacct\] by alice/);
    irssi.type(`/mode ${ROOM} e`);
    await irssi.expect(/#room: ban exception \$a:irssiacct \[by alice!alice@127\.0\.0\.1, \d+ secs? ago\]\n/, IRSSI_MODE_QUERY_MS);
    await irssi.expect(/#room End of channel exception list/);
    irssi.type(`/mode ${ROOM} I`);
    await irssi.expect(/#room: invite \*!\*@trusted\.example \[by alice!alice@127\.0\.0\.1, \d+ secs? ago\]\n/, IRSSI_MODE_QUERY_MS);
    await irssi.expect(/#room End of channel invite exception list/);
  });

  test('with a ban on everyone and +i, irssi (logged in) still joins through the $a: exceptions; a guest does not', async () => {
    irssi.type(`/part ${ROOM}`);
    await expectOn(alice.waitFor(fromNick('irssiacct', 'PART')));
    alice.send(`MODE ${ROOM} +bI *!*@127.0.0.1 $a:irssiacct`, `MODE ${ROOM} +i`);
    await alice.waitFor((r) => r.msg.command === 'MODE' && r.msg.params[1] === '+i');
    const guest = await srv.register('guest');
    guest.send(`JOIN ${ROOM}`);
    assert.equal((await guest.waitFor((r) => r.msg.command === '473' || r.msg.command === '474')).msg.command, '473');
    irssi.type(`/join ${ROOM}`);
    await expectOn(alice.waitFor(fromNick('irssiacct', 'JOIN')));
    await irssi.expect(/irssiacct \[irssiacct@127\.0\.0\.1\] has joined #room/);
  });
});
