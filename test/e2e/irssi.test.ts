// Interoperability with irssi as an IRC operator: the real irssi, driven by keys typed into
// a private tmux, runs the operator commands (OPER, KILL, NOTICE $*, WALLOPS, and MUTE,
// LIMIT, KLINE/UNKLINE through /quote) against a Parlor server. Raw clients see the effects;
// irssi's logs show what irssi displayed. Skipped when irssi or tmux is not installed.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword } from '../../src/server/passwords.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import type { RawClient } from '../helpers/raw-client.ts';
import { Irssi, irssiMissing, waitForText } from '../helpers/irssi.ts';

const MISSING = irssiMissing();
const ROOM = '#room';
const OPER_MASK = 'opnick!opnick@127.0.0.1';
// Starting irssi on a loaded machine can be slow.
const STARTUP_MS = 15_000;

describe('irssi as an IRC operator against Parlor', { skip: MISSING ?? false }, () => {
  let srv: TestServer;
  let alice: RawClient;
  let bob: RawClient;
  let irssi: Irssi;

  /** Registers `nick` and joins the room. */
  async function member(nick: string): Promise<RawClient> {
    const c = await srv.register(nick);
    c.send(`JOIN ${ROOM}`);
    await c.waitFor('366');
    return c;
  }

  /** Waits on a raw client, adding irssi's screen to the failure message. */
  async function expectOn(c: RawClient, matcher: Parameters<RawClient['waitFor']>[0]) {
    try {
      return await c.waitFor(matcher);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${irssi.diagnostics()}`, { cause: err });
    }
  }

  before(async () => {
    srv = await startServer({ opers: [{ name: 'root', password: await hashPassword('s3cret', 4) }] });
    alice = await member('alice');
    bob = await member('bob');
    // alice reads wallops, bob does not.
    alice.send('MODE alice +w');
    await alice.waitFor('MODE');

    irssi = Irssi.start({ port: srv.port, nick: 'opnick' });
    await irssi.expect(/End of \/MOTD command/, STARTUP_MS);
    irssi.type(`/join ${ROOM}`);
    await expectOn(alice, (r) => r.msg.command === 'JOIN' && r.msg.source === OPER_MASK);
    await expectOn(bob, (r) => r.msg.command === 'JOIN' && r.msg.source === OPER_MASK);
    // irssi shows the room with the three of us.
    await irssi.expect(/#room: Total of 3 nicks/);
  });

  after(async () => {
    await irssi?.stop();
    await srv?.close();
  });

  test('/kill as a non-operator: irssi shows the 481 refusal and bob stays', async () => {
    irssi.type('/kill bob test');
    await irssi.expect(/-!- Permission Denied- You're not an IRC operator/);
    // The refusal came back, so the KILL was handled: bob got nothing and is still here.
    await bob.sync();
    assert.deepEqual(bob.drain().map((r) => r.raw), []);
    assert.equal(bob.closed, false);
  });

  test('/oper makes irssi an operator (MODE +o, then 381)', async () => {
    irssi.type('/oper root s3cret');
    await irssi.expect(/Mode change \[\+o\] for user opnick/);
    await irssi.expect(/-!- You are now an IRC operator/);
    assert.equal(srv.server.network.userByNick('opnick')?.hasMode('o'), true);
  });

  test('/notice $* reaches everyone from the operator\'s mask', async () => {
    irssi.type('/notice $* hello everyone 你好');
    const a = await expectOn(alice, 'NOTICE');
    assert.equal(a.raw, `:${OPER_MASK} NOTICE $* :hello everyone 你好`);
    const b = await expectOn(bob, 'NOTICE');
    assert.equal(b.raw, `:${OPER_MASK} NOTICE $* :hello everyone 你好`);
    // irssi echoes what it sent, then shows the notice it received, being one of everyone.
    await irssi.expect(/\[notice\(\$\*\)\] hello everyone 你好/);
    await irssi.expect(/-opnick\(opnick@127\.0\.0\.1\)- hello everyone 你好/);
  });

  test('/wallops reaches the users with +w only', async () => {
    irssi.type('/wallops test wallops');
    const w = await expectOn(alice, 'WALLOPS');
    assert.equal(w.raw, `:${OPER_MASK} WALLOPS :test wallops`);
    await bob.sync();
    assert.deepEqual(bob.drain().map((r) => r.raw), []);
  });

  test('/quote MUTE silences alice in the room; irssi gets the confirmation', async () => {
    irssi.type('/quote MUTE alice 10m be quiet');
    await irssi.expect(/!test\.parlor \*\*\* Muted alice!\*@\* for 10m \(be quiet\); 1 client\(s\) here silenced/);
    // Told for as long as the operator said, not for the few milliseconds less left by the
    // time the notice is written.
    const told = await alice.waitFor('NOTICE');
    assert.deepEqual(told.msg.params, ['alice', 'You have been muted by the server operators for 10m: be quiet. You can read but not speak.']);

    alice.send(`PRIVMSG ${ROOM} :can anyone hear me?`);
    const refused = await alice.waitFor('404');
    assert.deepEqual(refused.msg.params.slice(0, 2), ['alice', ROOM]);
    assert.match(refused.msg.params[2]!, /^Cannot send to channel \(you are muted until \d{4}-\d\d-\d\d \d\d:\d\d UTC: be quiet\)$/);
    await bob.sync();
    assert.deepEqual(bob.drain().map((r) => r.raw), []);

    irssi.type('/quote UNMUTE alice');
    await irssi.expect(/!test\.parlor \*\*\* Removed the mute on alice!\*@\*/);
    alice.send(`PRIVMSG ${ROOM} :I can speak again 🎉`);
    await bob.waitFor('PRIVMSG');
    await irssi.expect(/<@?alice> I can speak again 🎉/);
    assert.match(irssi.windowLog(ROOM), /<@?alice> I can speak again 🎉/);
    assert.doesNotMatch(irssi.windowLog(ROOM), /can anyone hear me/);
  });

  test('/quote LIMIT at the current count turns the next connection away', async () => {
    const n = srv.server.sessions.size;
    assert.equal(n, 3); // alice, bob, irssi
    irssi.type(`/quote LIMIT ${n}`);
    await irssi.expect(new RegExp(`!test\\.parlor \\*\\*\\* Connections: ${n} of at most ${n}; at most \\d+ per IP`));
    const late = await srv.connect();
    const error = await late.waitFor('ERROR');
    assert.equal(error.raw, `ERROR :Server is full (${n} connections); try again later`);
    await late.waitClose();

    irssi.type('/quote LIMIT 100');
    await irssi.expect(new RegExp(`!test\\.parlor \\*\\*\\* Connections: ${n} of at most 100;`));
  });

  test('/kill bob: bob gets KILL and ERROR, irssi shows his quit in the room', async () => {
    irssi.type('/kill bob bye');
    const kill = await expectOn(bob, 'KILL');
    assert.equal(kill.raw, `:${OPER_MASK} KILL bob :Killed (opnick (bye))`);
    const error = await expectOn(bob, 'ERROR');
    assert.equal(error.raw, 'ERROR :Closing Link: 127.0.0.1 (Killed (opnick (bye)))');
    await bob.waitClose();
    await irssi.expect(/bob \[bob@127\.0\.0\.1\] has quit \[Killed \(opnick \(bye\)\)\]/);
    // The confirmation may come before or after the quit.
    await waitForText(() => irssi.log(), /!test\.parlor \*\*\* Killed bob \(bye\)/);
    assert.match(irssi.windowLog(ROOM), /bob \[bob@127\.0\.0\.1\] has quit \[Killed \(opnick \(bye\)\)\]/);
    const quit = await alice.waitFor('QUIT');
    assert.deepEqual([quit.msg.source, quit.msg.params], ['bob!bob@127.0.0.1', ['Killed (opnick (bye))']]);
  });

  test('/quote KLINE bans bob from reconnecting; /quote UNKLINE lets him back', async () => {
    irssi.type('/quote KLINE bob 1h spam');
    await irssi.expect(/!test\.parlor \*\*\* Banned bob!\*@\* for 1h \(spam\); 0 client\(s\) here disconnected/);

    const again = await srv.connect();
    again.send('NICK bob', 'USER bob 0 * :bob Test');
    const banned = await again.waitFor('465');
    assert.equal(banned.msg.params[0], 'bob');
    assert.match(banned.msg.params[1]!, /^You are banned from this server: spam \(expires in (59m 5\ds|1h)\)$/);
    const error = await again.waitFor('ERROR');
    assert.equal(error.raw, 'ERROR :Closing Link: 127.0.0.1 (Banned: spam)');
    await again.waitClose();

    irssi.type('/quote UNKLINE bob');
    await irssi.expect(/!test\.parlor \*\*\* Removed the ban on bob!\*@\*/);
    bob = await member('bob');
    await irssi.expect(/bob \[bob@127\.0\.0\.1\] has joined #room/);
  });

  test('/quote KLINE with the duration first; /quote STATS k lists it', async () => {
    irssi.type('/quote KLINE 1h carol! spam spam');
    await irssi.expect(/!test\.parlor \*\*\* Banned carol!\*@\* for 1h \(spam spam\); 0 client\(s\) here disconnected/);
    irssi.type('/quote STATS k');
    await irssi.expect(/K carol!\*@\* (59m5\ds|1h) spam spam \(set by oper:root\)/);
    await irssi.expect(/k End of \/STATS report/);
    irssi.type('/quote UNKLINE carol!*@*');
    await irssi.expect(/!test\.parlor \*\*\* Removed the ban on carol!\*@\*/);
  });

  test('/quote KLINE without parameters: irssi shows 461', async () => {
    irssi.type('/quote KLINE');
    await irssi.expect(/-!- KLINE Not enough parameters/);
    assert.equal(srv.server.admin.list('ban').length, 0);
  });
});
