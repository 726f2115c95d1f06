// Ban exceptions (+e), invite exceptions (+I) and the account extban ($a, $a:<account>, $~a)
// over real sockets: ISUPPORT, setting, listing (348/349, 346/347) and removing; JOIN past +b
// with +e and past +i with +I; speaking while banned; MAXLIST per list; who may set and read
// the lists; a registered room keeps them across a restart on SQLite.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { SqliteStore } from '../../src/storage/sqlite-store.ts';
import { addAccount, loginUser } from '../helpers/accounts.ts';
import { is, join, joinAll, mask, settle, until } from '../helpers/irc.ts';
import type { RawClient } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

/** ISUPPORT tokens as a map (the 005 lines a client gets on registering). */
async function isupport(t: TestServer, nick: string): Promise<Map<string, string>> {
  const c = await t.register(nick);
  const tokens = new Map<string, string>();
  for (const r of c.received.filter((x) => x.msg.command === '005')) {
    for (const token of r.msg.params.slice(1, -1)) {
      const [key, value = ''] = token.split('=', 2) as [string, string | undefined];
      tokens.set(key, value);
    }
  }
  c.send('QUIT');
  return tokens;
}

/** Sends MODE and returns the echoed MODE parameters. */
async function mode(c: RawClient, line: string): Promise<string[]> {
  c.send(`MODE ${line}`);
  return (await c.waitFor('MODE')).msg.params;
}

/** The masks `MODE <room> <letter>` lists, read up to its end numeric. */
async function listOf(c: RawClient, room: string, letter: 'b' | 'e' | 'I'): Promise<string[]> {
  const [entry, end] = { b: ['367', '368'], e: ['348', '349'], I: ['346', '347'] }[letter];
  c.send(`MODE ${room} ${letter}`);
  const lines = await until(c, (r) => r.msg.command === end || r.msg.command === '482');
  assert.equal(lines.at(-1)!.msg.command, end, lines.at(-1)!.raw);
  return lines.filter((r) => r.msg.command === entry).map((r) => r.msg.params[2]!);
}

/** JOIN's outcome: 'joined', or the refusing numeric. */
async function tryJoin(c: RawClient, room: string): Promise<string> {
  c.send(`JOIN ${room}`);
  const r = await c.waitFor((x) => (x.msg.command === 'JOIN' && x.msg.params[0] === room) || ['471', '473', '474', '475'].includes(x.msg.command));
  if (r.msg.command !== 'JOIN') return r.msg.command;
  await c.waitFor(is('366'));
  return 'joined';
}

describe('ISUPPORT for exceptions', () => {
  test('EXCEPTS, INVEX, EXTBAN, ACCOUNTEXTBAN, CHANMODES with beI, MAXLIST per list, 004 modes', async () => {
    const t = await startServer({ limits: { bansPerChannel: 7, banExceptionsPerChannel: 5, inviteExceptionsPerChannel: 3 } });
    try {
      const tokens = await isupport(t, 'is_alice');
      assert.equal(tokens.get('EXCEPTS'), 'e');
      assert.equal(tokens.get('INVEX'), 'I');
      assert.equal(tokens.get('EXTBAN'), '$,a');
      // IRCv3 account-extban: the type that matches account names, beside EXTBAN.
      assert.equal(tokens.get('ACCOUNTEXTBAN'), 'a');
      assert.equal(tokens.get('CHANMODES'), 'beI,k,l,imnst');
      assert.equal(tokens.get('MAXLIST'), 'b:7,e:5,I:3');
      const c = await t.register('is_bob');
      const myinfo = c.received.find((r) => r.msg.command === '004')!;
      assert.ok(myinfo.msg.params[4]!.includes('e') && myinfo.msg.params[4]!.includes('I'), myinfo.raw);
      assert.ok(myinfo.msg.params[5]!.includes('e') && myinfo.msg.params[5]!.includes('I'), myinfo.raw);
    } finally {
      await t.close();
    }
  });
});

describe('ban and invite exceptions', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({ limits: { banExceptionsPerChannel: 2, inviteExceptionsPerChannel: 2 } });
    await addAccount(t, 'Alice', 'pw-alice');
    await addAccount(t, 'bobby', 'pw-bobby');
  });
  after(() => t.close());

  test('an op sets, lists and removes +e and +I; members see the changes; a non-op gets 482 for setting and reading them', async () => {
    const op = await t.register('sl_op');
    await join(op, 'sl_op', '#sl');
    const member = await t.register('sl_member');
    await joinAll('#sl', member);
    await settle(op);

    assert.deepEqual(await mode(op, '#sl +eI sl_friend *!*@trusted.example'), ['#sl', '+eI', 'sl_friend!*@*', '*!*@trusted.example']);
    assert.deepEqual((await member.waitFor('MODE')).msg.params, ['#sl', '+eI', 'sl_friend!*@*', '*!*@trusted.example']);
    assert.deepEqual(await listOf(op, '#sl', 'e'), ['sl_friend!*@*']);
    assert.deepEqual(await listOf(op, '#sl', 'I'), ['*!*@trusted.example']);
    op.send('MODE #sl e');
    const entry = await op.waitFor('348');
    assert.deepEqual(entry.msg.params.slice(0, 4), ['sl_op', '#sl', 'sl_friend!*@*', mask('sl_op')]);
    assert.ok(Math.abs(Number(entry.msg.params[4]) - Date.now() / 1000) < 60, entry.raw);
    assert.deepEqual((await op.waitFor('349')).msg.params, ['sl_op', '#sl', 'End of channel exception list']);
    op.send('MODE #sl I');
    await op.waitFor('346');
    assert.deepEqual((await op.waitFor('347')).msg.params, ['sl_op', '#sl', 'End of channel invite exception list']);

    // Not an operator: neither set nor read; the ban list stays readable by anyone.
    member.send('MODE #sl +e sl_member');
    assert.deepEqual((await member.waitFor('482')).msg.params.slice(0, 2), ['sl_member', '#sl']);
    member.send('MODE #sl e');
    assert.deepEqual((await member.waitFor('482')).msg.params.slice(0, 2), ['sl_member', '#sl']);
    member.send('MODE #sl I');
    assert.deepEqual((await member.waitFor('482')).msg.params.slice(0, 2), ['sl_member', '#sl']);
    assert.deepEqual(await listOf(member, '#sl', 'b'), []);

    // Removing (by any spelling of the same entry) and removing what is not there.
    assert.deepEqual(await mode(op, '#sl -e SL_FRIEND'), ['#sl', '-e', 'sl_friend!*@*']);
    assert.deepEqual((await member.waitFor('MODE')).msg.params, ['#sl', '-e', 'sl_friend!*@*']);
    assert.deepEqual(await mode(op, '#sl -I+e *!*@TRUSTED.example $a:bobby'), ['#sl', '-I+e', '*!*@trusted.example', '$a:bobby']);
    assert.deepEqual(await listOf(op, '#sl', 'I'), []);
    assert.deepEqual(await listOf(op, '#sl', 'e'), ['$a:bobby']);
    await settle(op, member);
    op.send('MODE #sl -e nobody');
    await op.sync();
    assert.equal(op.drain().some((r) => r.msg.command === 'MODE'), false);
  });

  test('JOIN: +e lets a banned user in, +I lets an uninvited user past +i; others are still refused', async () => {
    const op = await t.register('jn_op');
    await join(op, 'jn_op', '#jn');
    await mode(op, '#jn +b *!*@127.0.0.1');
    const friend = await t.register('jn_friend');
    const stranger = await t.register('jn_stranger');
    assert.equal(await tryJoin(friend, '#jn'), '474');
    await mode(op, '#jn +e jn_friend!*@*');
    assert.equal(await tryJoin(friend, '#jn'), 'joined');
    assert.equal(await tryJoin(stranger, '#jn'), '474');

    await joinAll('#ix', op);
    await mode(op, '#ix +i');
    const guest = await t.register('ix_guest');
    assert.equal(await tryJoin(guest, '#ix'), '473');
    await mode(op, '#ix +I ix_g*');
    assert.equal(await tryJoin(guest, '#ix'), 'joined');
    assert.equal(await tryJoin(stranger, '#ix'), '473');
    // +I passes +i, not +b: a banned user with an invite exception stays out without +e.
    await mode(op, '#ix +bI jn_stranger!*@* jn_stranger!*@*');
    assert.equal(await tryJoin(stranger, '#ix'), '474');
  });

  test('a banned member cannot speak unless a +e covers them', async () => {
    const op = await t.register('sp_op');
    await join(op, 'sp_op', '#sp');
    const talker = await t.register('sp_talker');
    await joinAll('#sp', talker);
    await settle(op);
    await mode(op, '#sp +b sp_talker');
    await settle(talker);
    talker.send('PRIVMSG #sp :hello?');
    assert.deepEqual((await talker.waitFor('404')).msg.params, ['sp_talker', '#sp', 'Cannot send to channel (you are banned)']);
    await mode(op, '#sp +e sp_talker');
    await settle(talker);
    talker.send('PRIVMSG #sp :hello!');
    assert.deepEqual((await op.waitFor('PRIVMSG')).msg.params, ['#sp', 'hello!']);
  });

  test('$a:<account> in +b, +e and +I matches users logged in to it (folded, wildcards), not others', async () => {
    const op = await t.register('ac_op');
    await join(op, 'ac_op', '#ac');
    assert.deepEqual(await mode(op, '#ac +b $a:ALICE'), ['#ac', '+b', '$a:ALICE']);
    const alice = await loginUser(t, 'ac_alice', 'Alice', 'pw-alice');
    const anon = await t.register('ac_anon');
    const bobby = await loginUser(t, 'ac_bobby', 'bobby', 'pw-bobby');
    assert.equal(await tryJoin(alice, '#ac'), '474');
    assert.equal(await tryJoin(anon, '#ac'), 'joined');
    assert.equal(await tryJoin(bobby, '#ac'), 'joined');

    // +b $~a keeps out everyone not logged in; +e $a:ali* lets Alice past both bans.
    await joinAll('#members', op);
    await mode(op, '#members +b $~a');
    const anon2 = await t.register('ac_anon2');
    assert.equal(await tryJoin(anon2, '#members'), '474');
    assert.equal(await tryJoin(bobby, '#members'), 'joined');
    await mode(op, '#ac +e $a:ali*');
    assert.equal(await tryJoin(alice, '#ac'), 'joined');

    // +I $a: any logged-in user passes +i.
    await joinAll('#inv', op);
    await mode(op, '#inv +iI $a');
    assert.equal(await tryJoin(anon2, '#inv'), '473');
    assert.equal(await tryJoin(alice, '#inv'), 'joined');

    // An extban of a type there is not, or malformed: 696, nothing set.
    for (const bad of ['$x:foo', '$a:', '$aa', '$~']) {
      op.send(`MODE #ac +b ${bad}`);
      const r = await op.waitFor('696');
      assert.deepEqual(r.msg.params.slice(0, 4), ['ac_op', '#ac', 'b', bad]);
    }
    assert.deepEqual(await listOf(op, '#ac', 'b'), ['$a:ALICE']);
  });

  test('MAXLIST: each list holds its own limit (478 names the list)', async () => {
    const op = await t.register('ml_op');
    await join(op, 'ml_op', '#ml');
    op.send('MODE #ml +eee one two three');
    assert.deepEqual((await op.waitFor('478')).msg.params, ['ml_op', '#ml', 'e', 'Channel exception list is full']);
    assert.deepEqual((await op.waitFor('MODE')).msg.params, ['#ml', '+ee', 'one!*@*', 'two!*@*']);
    op.send('MODE #ml +III a b c');
    assert.deepEqual((await op.waitFor('478')).msg.params, ['ml_op', '#ml', 'I', 'Channel invite exception list is full']);
    assert.deepEqual((await op.waitFor('MODE')).msg.params, ['#ml', '+II', 'a!*@*', 'b!*@*']);
    // The ban list is not counted against them.
    assert.deepEqual(await mode(op, '#ml +b three'), ['#ml', '+b', 'three!*@*']);
  });

  test('a mask that would not travel as one parameter (space, comma, control character, leading colon) gets 696 and is not set', async () => {
    const op = await t.register('hm_op');
    await join(op, 'hm_op', '#hm');
    const member = await t.register('hm_member');
    await joinAll('#hm', member);
    for (const [letter, bad] of [['b', 'two words'], ['e', ':colon'], ['I', 'a,b'], ['b', 'bell\x07'], ['e', 'no\u3000space']] as const) {
      op.send(`MODE #hm +${letter} :${bad}`);
      const r = await op.waitFor('696');
      assert.deepEqual(r.msg.params.slice(1, 3), ['#hm', letter], r.raw);
    }
    // What comes next is the valid one: nothing of the refused ones went out.
    assert.deepEqual(await mode(op, '#hm +b fine'), ['#hm', '+b', 'fine!*@*']);
    assert.deepEqual((await member.waitFor('MODE')).msg.params, ['#hm', '+b', 'fine!*@*']);
    assert.deepEqual(await listOf(op, '#hm', 'b'), ['fine!*@*']);
    assert.deepEqual(await listOf(op, '#hm', 'e'), []);
  });
});

describe('a registered room keeps its exception lists across a restart (SQLite)', () => {
  const dir = mkdtempSync(joinPath(tmpdir(), 'parlor-exceptions-'));
  const start = (): Promise<TestServer> => startServer({ accounts: { passwordCost: 4 } }, { store: new SqliteStore({ path: joinPath(dir, 'parlor.db'), flushIntervalMs: 20 }) });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('+b, +e and +I come back and still decide JOIN', async () => {
    const first = await start();
    try {
      await addAccount(first, 'Owner', 'pw-owner');
      const owner = await loginUser(first, 'rr_owner', 'Owner', 'pw-owner');
      await join(owner, 'rr_owner', '#kept');
      owner.send('REGISTER #kept');
      await owner.waitFor((r) => r.msg.command === 'NOTICE' && r.msg.params[1]!.startsWith('#kept is now registered'));
      // The founder, banned by the host ban too, passes by account.
      await mode(owner, '#kept +ibeeII *!*@127.0.0.1 rr_friend $a:Owner rr_friend $a:Owner');
      await first.server.store.flush();
    } finally {
      await first.close();
    }
    const second = await start();
    try {
      const owner = await loginUser(second, 'rr_owner', 'Owner', 'pw-owner');
      await join(owner, 'rr_owner', '#kept');
      assert.deepEqual(await listOf(owner, '#kept', 'b'), ['*!*@127.0.0.1']);
      assert.deepEqual(await listOf(owner, '#kept', 'e'), ['rr_friend!*@*', '$a:Owner']);
      assert.deepEqual(await listOf(owner, '#kept', 'I'), ['rr_friend!*@*', '$a:Owner']);
      const friend = await second.register('rr_friend');
      assert.equal(await tryJoin(friend, '#kept'), 'joined');
      const other = await second.register('rr_other');
      assert.equal(await tryJoin(other, '#kept'), '473');
    } finally {
      await second.close();
    }
  });
});
