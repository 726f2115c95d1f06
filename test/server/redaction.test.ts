// REDACT (IRCv3 draft/message-redaction) over real sockets: who may delete which message,
// what members with and without the capability are sent, the sender's window on a manual
// clock, and that CHATHISTORY no longer returns a deleted message.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword } from '../../src/server/passwords.ts';
import { addAccount, loginUser } from '../helpers/accounts.ts';
import { ManualClock } from '../helpers/clock.ts';
import { is, joinAll, mask, settle } from '../helpers/irc.ts';
import type { RawClient } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const CAPS = ['draft/message-redaction', 'echo-message', 'message-tags', 'batch', 'draft/chathistory', 'server-time'];
const HASH = await hashPassword('s3cret', 4);

/** Sends `text` to `target` and returns its msgid, from the echo. */
async function say(c: RawClient, target: string, text: string): Promise<string> {
  c.send(`PRIVMSG ${target} :${text}`);
  const echo = await c.waitFor((r) => r.msg.command === 'PRIVMSG' && r.msg.params[1] === text);
  const msgid = echo.msg.tags['msgid'];
  assert.ok(msgid, 'the echo has a msgid');
  return msgid;
}

/** The texts CHATHISTORY LATEST returns for `target`. */
async function historyTexts(c: RawClient, target: string): Promise<string[]> {
  c.send(`CHATHISTORY LATEST ${target} * 50`);
  const start = await c.waitFor(is('BATCH'));
  const ref = start.msg.params[0]!.slice(1);
  const texts: string[] = [];
  for (;;) {
    const r = await c.waitFor(() => true);
    if (r.msg.command === 'BATCH' && r.msg.params[0] === `-${ref}`) return texts;
    if (r.msg.command === 'PRIVMSG') texts.push(r.msg.params[1]!);
  }
}

function fails(code: string) {
  return (r: { msg: { command: string; params: string[] } }): boolean => r.msg.command === 'FAIL' && r.msg.params[0] === 'REDACT' && r.msg.params[1] === code;
}

describe('REDACT (draft/message-redaction)', () => {
  const clock = new ManualClock();
  let t: TestServer;
  after(() => t?.close());

  test('the capability is offered', async () => {
    // No PING while the clock jumps past the window.
    t = await startServer({ opers: [{ name: 'root', password: HASH }], limits: { pingIntervalMs: 3_600_000 } }, { clock });
    const c = await t.connect();
    c.send('CAP LS 302');
    const ls = await c.waitFor(is('CAP', '*', 'LS'));
    assert.ok(ls.msg.params.at(-1)!.split(' ').includes('draft/message-redaction'));
    c.close();
  });

  test('the sender deletes their own message: members with the cap are told, one without is not, history drops it', async () => {
    const alice = await t.register('alice', CAPS);
    const bob = await t.register('bob', CAPS);
    const carol = await t.register('carol', ['echo-message']);
    await joinAll('#own', alice, bob, carol);
    const msgid = await say(alice, '#own', 'oops, wrong room');
    await say(alice, '#own', 'this one stays');
    await settle(bob, carol);
    const carolMark = carol.received.length;
    alice.send(`REDACT #own ${msgid} :wrong room`);
    const echo = await alice.waitFor(is('REDACT', '#own', msgid, 'wrong room'));
    assert.equal(echo.msg.source, mask('alice'));
    assert.ok(echo.msg.tags['msgid'] && echo.msg.tags['msgid'] !== msgid, 'the REDACT has its own msgid');
    const told = await bob.waitFor(is('REDACT', '#own', msgid, 'wrong room'));
    assert.equal(told.msg.source, mask('alice'));
    assert.ok(told.msg.tags['time'], 'server-time on the relayed REDACT');
    await carol.sync();
    assert.deepEqual(carol.since(carolMark).filter((r) => r.msg.command === 'REDACT'), [], 'no REDACT for a client without the capability');
    assert.deepEqual(await historyTexts(bob, '#own'), ['this one stays']);
    // Gone: asking again finds nothing.
    alice.send(`REDACT #own ${msgid}`);
    await alice.waitFor(fails('UNKNOWN_MSGID'));
    for (const c of [alice, bob, carol]) c.close();
  });

  test("someone else's message: refused to a member, done by the room operator and by an IRC operator", async () => {
    const op = await t.register('opal', CAPS);
    const alice = await t.register('alice2', CAPS);
    const bob = await t.register('bob2', CAPS);
    const oper = await t.register('root2', CAPS);
    await joinAll('#mod', op, alice, bob);
    const first = await say(alice, '#mod', 'spam one');
    const second = await say(alice, '#mod', 'spam two');
    await settle(op, bob);
    bob.send(`REDACT #mod ${first} :not yours`);
    const refused = await bob.waitFor(fails('REDACT_FORBIDDEN'));
    assert.deepEqual(refused.msg.params.slice(2, 4), ['#mod', first]);
    op.send(`REDACT #mod ${first} :spam`);
    await op.waitFor(is('REDACT', '#mod', first, 'spam'));
    await alice.waitFor(is('REDACT', '#mod', first, 'spam'));
    await bob.waitFor(is('REDACT', '#mod', first, 'spam'));
    // An IRC operator, not even in the room.
    oper.send('OPER root s3cret');
    await oper.waitFor('381');
    oper.send(`REDACT #mod ${second}`);
    await oper.waitFor(is('REDACT', '#mod', second));
    const told = await alice.waitFor(is('REDACT', '#mod', second));
    assert.equal(told.msg.source, mask('root2'));
    assert.deepEqual(await historyTexts(bob, '#mod'), []);
    const audit = t.server.audit.recent().filter((e) => e.action === 'redact');
    assert.deepEqual(
      audit.map((e) => e.actor),
      ['room-operator:opal', 'oper:root'],
    );
    assert.ok(audit.every((e) => !e.detail!.includes('spam')), 'the text is not kept in the audit log by default');
    for (const c of [op, alice, bob, oper]) c.close();
  });

  test("the sender's window: refused after history.redactWindowMs, a room operator may still", async () => {
    const op = await t.register('opal3', CAPS);
    const alice = await t.register('alice3', CAPS);
    await joinAll('#late', op, alice);
    const msgid = await say(alice, '#late', 'said long ago');
    clock.advance(15 * 60_000 + 1);
    alice.send(`REDACT #late ${msgid}`);
    const expired = await alice.waitFor(fails('REDACT_WINDOW_EXPIRED'));
    assert.deepEqual(expired.msg.params.slice(2, 5), ['#late', msgid, '900']);
    op.send(`REDACT #late ${msgid}`);
    await alice.waitFor(is('REDACT', '#late', msgid));
    for (const c of [op, alice]) c.close();
  });

  test('an unknown msgid, a msgid of another room, an unknown room', async () => {
    const alice = await t.register('alice4', CAPS);
    await joinAll('#a4', alice);
    await joinAll('#b4', alice);
    const msgid = await say(alice, '#a4', 'in a4');
    alice.send('REDACT #a4 no-such-id');
    assert.deepEqual((await alice.waitFor(fails('UNKNOWN_MSGID'))).msg.params.slice(2, 4), ['#a4', 'no-such-id']);
    alice.send(`REDACT #b4 ${msgid}`);
    await alice.waitFor(fails('UNKNOWN_MSGID'));
    alice.send(`REDACT #nowhere ${msgid}`);
    assert.deepEqual((await alice.waitFor(fails('INVALID_TARGET'))).msg.params.slice(2, 3), ['#nowhere']);
    alice.close();
  });

  test('without an account only the connection that sent it may delete it; with one, any of its connections', async () => {
    const guest = await t.register('guest5', CAPS);
    const other = await t.register('other5', CAPS);
    await joinAll('#g5', guest, other);
    const msgid = await say(guest, '#g5', 'guest line');
    guest.close();
    // Someone else, on the same user@host, with the same nick.
    const again = await t.register('guest5', CAPS);
    await joinAll('#g5', again);
    again.send(`REDACT #g5 ${msgid}`);
    await again.waitFor(fails('REDACT_FORBIDDEN'));

    await addAccount(t, 'dora', 'password5');
    const dora = await loginUser(t, 'dora', 'dora', 'password5', CAPS);
    await joinAll('#g5', dora);
    const hers = await say(dora, '#g5', 'from her laptop');
    dora.close();
    const phone = await loginUser(t, 'dora_', 'dora', 'password5', CAPS);
    await joinAll('#g5', phone);
    phone.send(`REDACT #g5 ${hers}`);
    await phone.waitFor(is('REDACT', '#g5', hers));
    await other.waitFor(is('REDACT', '#g5', hers));
    for (const c of [again, other, phone]) c.close();
  });

  test('a private message: the recipient with the cap is told, addressed to their own nick; without accounts too (by connection)', async () => {
    await addAccount(t, 'erin', 'password6');
    await addAccount(t, 'finn', 'password6');
    const erin = await loginUser(t, 'erin', 'erin', 'password6', CAPS);
    const finn = await loginUser(t, 'finn', 'finn', 'password6', CAPS);
    const msgid = await say(erin, 'finn', 'private oops');
    await finn.waitFor(is('PRIVMSG', 'finn', 'private oops'));
    // The recipient may not delete the sender's message.
    finn.send(`REDACT erin ${msgid}`);
    await finn.waitFor(fails('REDACT_FORBIDDEN'));
    erin.send(`REDACT finn ${msgid}`);
    await erin.waitFor(is('REDACT', 'finn', msgid));
    const told = await finn.waitFor(is('REDACT', 'finn', msgid));
    assert.equal(told.msg.source, mask('erin'));
    assert.deepEqual(await historyTexts(finn, 'erin'), []);

    const g1 = await t.register('gina6', CAPS);
    const g2 = await t.register('hal6', CAPS);
    const guestId = await say(g1, 'hal6', 'not kept anywhere');
    g1.send(`REDACT hal6 ${guestId}`);
    await g2.waitFor(is('REDACT', 'hal6', guestId));
    for (const c of [erin, finn, g1, g2]) c.close();
  });
});
