// Accounts over real sockets: REGISTER and VERIFY (IRCv3 draft/account-registration), SASL
// PLAIN (success, each failure, abort, chunks, too long, before and after registration;
// response length limits in sasl-length.test.ts),
// account-tag, account-notify, extended-join, WHOIS 330 and WHOX %a, the nick an account
// holds (renamed to a guest after the grace period, on a manual clock), and the console's
// accounts / suspend / unsuspend / delete-account.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runConsoleLine } from '../../src/admin/console-commands.ts';
import { hashPassword } from '../../src/server/passwords.ts';
import { MemoryStore } from '../../src/storage/memory-store.ts';
import { ManualClock } from '../helpers/clock.ts';
import { during, is, joinAll, mask, settle } from '../helpers/irc.ts';
import type { RawClient, Received } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const SERVER = 'test.parlor';
const COST = 4; // scrypt log2(N): fast enough for tests
const GRACE = 30_000;

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
const plain = (account: string, password: string, authzid = ''): string => b64(`${authzid}\0${account}\0${password}`);
const capAck = (r: Received): boolean => r.msg.command === 'CAP' && r.msg.params[1] === 'ACK';
const body = (r: Received): string => (r.raw.startsWith('@') ? r.raw.slice(r.raw.indexOf(' ') + 1) : r.raw);

async function addAccount(t: TestServer, name: string, password: string): Promise<void> {
  const ok = await t.server.store.createAccount({ name, passwordHash: await hashPassword(password, COST), createdAt: t.server.now(), verified: true, suspended: false });
  assert.ok(ok, `account ${name} created`);
}

/** Connects with CAP LS 302 and sasl (and `caps`), NICK and USER sent; registration held. */
async function connectSasl(t: TestServer, nick: string, caps: string[] = []): Promise<RawClient> {
  const c = await t.connect();
  c.send('CAP LS 302', `NICK ${nick}`, `USER ${nick} 0 * :${nick} Test`, `CAP REQ :${['sasl', ...caps].join(' ')}`);
  await c.waitFor(capAck);
  return c;
}

/** A user logged in with SASL PLAIN before registration, at the end of the MOTD. */
async function saslUser(t: TestServer, nick: string, account: string, password: string, caps: string[] = []): Promise<RawClient> {
  const c = await connectSasl(t, nick, caps);
  c.send('AUTHENTICATE PLAIN');
  await c.waitFor((r) => r.raw === 'AUTHENTICATE +');
  c.send(`AUTHENTICATE ${plain(account, password)}`);
  await c.waitFor('903');
  c.send('CAP END');
  await c.waitFor('376');
  return c;
}

/** The numeric `code` and what came before it; fails on 001 first. */
async function numeric(c: RawClient, code: string): Promise<string[]> {
  return (await c.waitFor(code)).msg.params;
}

describe('accounts', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({ accounts: { passwordCost: COST } }, { store: new MemoryStore() });
    await addAccount(t, 'Sasha', 'sasha password');
  });
  after(() => t.close());

  test('CAP LS 302 gives sasl=PLAIN,SCRAM-SHA-256 and draft/account-registration=before-connect; plain LS no values', async () => {
    const c = await t.connect();
    c.send('CAP LS 302');
    const caps = (await c.waitFor('CAP')).msg.params.at(-1)!.split(' ');
    for (const cap of ['sasl=PLAIN,SCRAM-SHA-256', 'draft/account-registration=before-connect', 'account-notify', 'account-tag', 'extended-join']) {
      assert.ok(caps.includes(cap), `${cap} in ${caps.join(' ')}`);
    }
    const d = await t.connect();
    d.send('CAP LS');
    const old = (await d.waitFor('CAP')).msg.params.at(-1)!.split(' ');
    assert.ok(old.includes('sasl') && old.includes('draft/account-registration'));
    assert.ok(old.every((cap) => !cap.includes('=')), old.join(' '));
  });

  test('REGISTER after connecting: 900, REGISTER SUCCESS, then WHOIS 330 and WHOX %a', async () => {
    const c = await t.register('Regina');
    c.send('REGISTER * regina@example.org sekrit-pass');
    assert.deepEqual(await numeric(c, '900'), ['Regina', mask('Regina'), 'Regina', 'You are now logged in as Regina']);
    const ok = await c.waitFor('REGISTER');
    assert.equal(ok.msg.source, SERVER);
    assert.deepEqual(ok.msg.params.slice(0, 2), ['SUCCESS', 'Regina']);
    const stored = await t.server.store.getAccount('regina');
    assert.equal(stored?.name, 'Regina');
    assert.equal(stored?.email, 'regina@example.org');
    assert.match(stored!.passwordHash, /^\$scrypt\$ln=4,/);
    assert.ok(!stored!.passwordHash.includes('sekrit-pass'));

    const w = await t.register('watcher');
    w.send('WHOIS regina');
    assert.deepEqual(await numeric(w, '330'), ['watcher', 'Regina', 'Regina', 'is logged in as']);
    await w.waitFor('318');
    w.send('WHO regina %na', 'WHO watcher %na');
    assert.deepEqual(await numeric(w, '354'), ['watcher', 'Regina', 'Regina']);
    assert.deepEqual(await numeric(w, '354'), ['watcher', 'watcher', '0']);
  });

  test('REGISTER refusals: each FAIL code, and 461 for too few parameters', async () => {
    const fail = async (c: RawClient, line: string): Promise<string[]> => {
      c.send(line);
      const r = await c.waitFor('FAIL');
      assert.equal(r.msg.params[0], 'REGISTER', r.raw);
      return r.msg.params.slice(1, 3);
    };
    const c = await t.register('refused');
    assert.deepEqual(await fail(c, 'REGISTER * * short'), ['WEAK_PASSWORD', 'refused']);
    assert.deepEqual(await fail(c, 'REGISTER * * REFUSED'), ['WEAK_PASSWORD', 'refused'], 'the nick as password');
    assert.deepEqual(await fail(c, 'REGISTER someoneelse * long-enough'), ['ACCOUNT_NAME_MUST_BE_NICK', 'someoneelse']);
    assert.deepEqual(await fail(c, 'REGISTER * not-an-address long-enough'), ['INVALID_EMAIL', 'refused']);
    assert.deepEqual(await fail(c, `REGISTER * * ${'x'.repeat(301)}`), ['UNACCEPTABLE_PASSWORD', 'refused']);
    c.send('REGISTER refused *');
    assert.deepEqual(await numeric(c, '461'), ['refused', 'REGISTER', 'Not enough parameters']);

    const g = await t.register('Guest123');
    assert.deepEqual(await fail(g, 'REGISTER * * long-enough'), ['BAD_ACCOUNT_NAME', 'Guest123']);

    // Sasha's account exists; someone using the nick cannot take it.
    const s = await t.register('sasha');
    assert.deepEqual(await fail(s, 'REGISTER * * long-enough'), ['ACCOUNT_EXISTS', 'sasha']);

    const a = await t.register('already');
    a.send('REGISTER * * long-enough');
    await a.waitFor('REGISTER');
    assert.deepEqual(await fail(a, 'REGISTER * * long-enough'), ['ALREADY_AUTHENTICATED', 'already']);
    a.send('VERIFY already 123456');
    assert.deepEqual((await a.waitFor('FAIL')).msg.params.slice(0, 3), ['VERIFY', 'ALREADY_AUTHENTICATED', 'already']);
    c.send('VERIFY refused 123456');
    assert.deepEqual((await c.waitFor('FAIL')).msg.params.slice(0, 3), ['VERIFY', 'INVALID_CODE', 'refused']);
  });

  test('REGISTER before connecting: NEED_NICK first, then logged in before 001', async () => {
    const c = await t.connect();
    c.send('CAP LS 302', 'REGISTER * * early-password');
    assert.deepEqual((await c.waitFor('FAIL')).msg.params.slice(0, 3), ['REGISTER', 'NEED_NICK', '*']);
    c.send('NICK early', 'USER early 0 * :Early Bird', 'REGISTER * * early-password');
    assert.deepEqual(await numeric(c, '900'), ['early', 'early!early@127.0.0.1', 'early', 'You are now logged in as early']);
    assert.deepEqual((await c.waitFor('REGISTER')).msg.params.slice(0, 2), ['SUCCESS', 'early']);
    await c.sync();
    assert.ok(!c.received.some((r) => r.msg.command === '001'), 'registration waits for CAP END');
    c.send('CAP END', 'WHOIS early');
    await c.waitFor('001');
    assert.deepEqual(await numeric(c, '330'), ['early', 'early', 'early', 'is logged in as']);
  });

  test('SASL PLAIN before registration: 900 and 903, 001 only after CAP END', async () => {
    const c = await connectSasl(t, 'sash');
    c.send('AUTHENTICATE PLAIN');
    const plus = await c.waitFor('AUTHENTICATE');
    assert.equal(plus.raw, 'AUTHENTICATE +');
    c.send(`AUTHENTICATE ${plain('sasha', 'sasha password', 'SASHA')}`);
    assert.deepEqual(await numeric(c, '900'), ['sash', 'sash!sash@127.0.0.1', 'Sasha', 'You are now logged in as Sasha']);
    assert.deepEqual(await numeric(c, '903'), ['sash', 'SASL authentication successful']);
    await c.sync();
    assert.ok(!c.received.some((r) => r.msg.command === '001'));
    c.send('AUTHENTICATE PLAIN');
    assert.deepEqual(await numeric(c, '907'), ['sash', 'You have already authenticated using SASL']);
    c.send('CAP END');
    await c.waitFor('001');
    c.send('WHOIS sash');
    assert.deepEqual(await numeric(c, '330'), ['sash', 'sash', 'Sasha', 'is logged in as']);
  });

  test('SASL failures: wrong password, unknown account, other authzid, bad base64, no cap, other mechanism', async () => {
    const c = await connectSasl(t, 'failing');
    const attempt = async (payload: string): Promise<string[]> => {
      c.send('AUTHENTICATE PLAIN');
      await c.waitFor((r) => r.raw === 'AUTHENTICATE +');
      c.send(`AUTHENTICATE ${payload}`);
      return numeric(c, '904');
    };
    assert.deepEqual(await attempt(plain('sasha', 'wrong password')), ['failing', 'SASL authentication failed']);
    await attempt(plain('nobody', 'sasha password'));
    await attempt(plain('sasha', 'sasha password', 'someoneelse'));
    await attempt('!!!not base64');
    await attempt('+');
    c.send('AUTHENTICATE EXTERNAL');
    assert.deepEqual(await numeric(c, '908'), ['failing', 'PLAIN,SCRAM-SHA-256', 'are available SASL mechanisms']);
    await c.waitFor('904');
    c.send('CAP END');
    await c.waitFor('001');
    c.send('WHOIS failing');
    await c.waitFor('318');
    assert.ok(!c.received.some((r) => r.msg.command === '900' || r.msg.command === '330'));

    const nocap = await t.connect();
    nocap.send('NICK nocap', 'AUTHENTICATE PLAIN');
    await nocap.waitFor('904');
  });

  test('SASL abort (906), too long (905), CAP END mid-exchange (906, registered without account)', async () => {
    const c = await connectSasl(t, 'aborter');
    c.send('AUTHENTICATE PLAIN');
    await c.waitFor('AUTHENTICATE');
    c.send('AUTHENTICATE *');
    assert.deepEqual(await numeric(c, '906'), ['aborter', 'SASL authentication aborted']);
    c.send('AUTHENTICATE PLAIN');
    await c.waitFor('AUTHENTICATE');
    c.send(`AUTHENTICATE ${'A'.repeat(401)}`);
    assert.deepEqual(await numeric(c, '905'), ['aborter', 'SASL message too long']);
    // After an error the exchange starts over from the mechanism.
    c.send('AUTHENTICATE PLAIN');
    await c.waitFor('AUTHENTICATE');
    c.send('CAP END');
    await c.waitFor('906');
    await c.waitFor('001');
    c.send('WHOIS aborter');
    await c.waitFor('318');
    assert.ok(!c.received.some((r) => r.msg.command === '330'));
  });

  test('SASL chunks: 400 bytes then the rest, and exactly 400 then +', async () => {
    const long = 'p'.repeat(300);
    await addAccount(t, 'chunky', long);
    const payload = plain('chunky', long);
    assert.ok(payload.length > 400 && payload.length < 800);
    const c = await connectSasl(t, 'chunker');
    c.send('AUTHENTICATE PLAIN');
    await c.waitFor('AUTHENTICATE');
    c.send(`AUTHENTICATE ${payload.slice(0, 400)}`);
    await c.sync();
    assert.ok(!c.drain().some((r) => /^90\d$/.test(r.msg.command)), 'a full chunk waits for more');
    c.send(`AUTHENTICATE ${payload.slice(400)}`);
    await c.waitFor('903');

    const exact = 'q'.repeat(300 - 2 - 'exact'.length); // 300 bytes: 400 in base64
    await addAccount(t, 'exact', exact);
    assert.equal(plain('exact', exact).length, 400);
    const d = await connectSasl(t, 'exacting');
    d.send('AUTHENTICATE PLAIN');
    await d.waitFor('AUTHENTICATE');
    d.send(`AUTHENTICATE ${plain('exact', exact)}`);
    await d.sync();
    assert.ok(!d.drain().some((r) => /^90\d$/.test(r.msg.command)));
    d.send('AUTHENTICATE +');
    assert.deepEqual((await d.waitFor('900')).msg.params[2], 'exact');
  });

  test('SASL after registration: 900/903, ACCOUNT to neighbours with account-notify and to oneself', async () => {
    const me = await t.register('latecomer', ['account-notify']);
    const seer = await t.register('seer', ['account-notify']);
    const blind = await t.register('blind');
    await joinAll('#late', me, seer, blind);
    await addAccount(t, 'Late', 'late password');
    me.send('CAP REQ sasl');
    await me.waitFor(capAck);
    const [mine, seen, unseen] = await during(me, [me, seer, blind], () => {
      me.send('AUTHENTICATE PLAIN', `AUTHENTICATE ${plain('late', 'late password')}`);
    });
    const account = `:${mask('latecomer')} ACCOUNT Late`;
    assert.deepEqual(mine.map((r) => r.raw), ['AUTHENTICATE +', account, `:${SERVER} 900 latecomer ${mask('latecomer')} Late :You are now logged in as Late`, `:${SERVER} 903 latecomer :SASL authentication successful`]);
    assert.deepEqual(seen.map((r) => r.raw), [account]);
    assert.deepEqual(unseen, []);
  });

  test('account-tag on PRIVMSG, NOTICE and TAGMSG from a logged-in user, only with the cap', async () => {
    const s = await saslUser(t, 'tagger', 'sasha', 'sasha password');
    const tagged = await t.register('tagged', ['account-tag', 'message-tags']);
    const untagged = await t.register('untagged');
    const anon = await t.register('anon');
    await joinAll('#tags', s, tagged, untagged, anon);
    const [a, b] = await during(s, [tagged, untagged], () => s.send('PRIVMSG #tags :hi all', 'NOTICE #tags :a note', '@+typing=active TAGMSG #tags', 'PRIVMSG tagged :direct'));
    assert.deepEqual(a.map((r) => [r.msg.command, r.msg.tags.account]), [['PRIVMSG', 'Sasha'], ['NOTICE', 'Sasha'], ['TAGMSG', 'Sasha'], ['PRIVMSG', 'Sasha']]);
    assert.deepEqual(b.map((r) => r.raw), [`:${mask('tagger')} PRIVMSG #tags :hi all`, `:${mask('tagger')} NOTICE #tags :a note`]);
    const [c] = await during(anon, [tagged], () => anon.send('PRIVMSG #tags :no account'));
    assert.equal(c.length, 1);
    assert.equal(c[0]!.msg.tags.account, undefined, 'no tag for a user not logged in');
    // The history keeps the account.
    const [stored] = await t.server.store.latest('#tags', 1, undefined);
    assert.equal(stored?.text, 'no account');
    const older = await t.server.store.before('#tags', { msgid: stored!.msgid }, 10);
    assert.equal(older.find((m) => m.text === 'hi all')?.account, 'Sasha');
  });

  test('extended-join: the account (or *) and realname, for members and the joiner with the cap', async () => {
    const ext = await t.register('extender', ['extended-join']);
    const old = await t.register('oldjoin');
    await joinAll('#ext', ext, old);
    const s = await saslUser(t, 'joiner', 'sasha', 'sasha password', ['extended-join']);
    const [mine, e, o] = await during(s, [s, ext, old], () => s.send('JOIN #ext'));
    assert.equal(mine[0]!.raw, `:${mask('joiner')} JOIN #ext Sasha :joiner Test`);
    assert.deepEqual(e.map((r) => r.raw), [`:${mask('joiner')} JOIN #ext Sasha :joiner Test`]);
    assert.deepEqual(o.map((r) => r.raw), [`:${mask('joiner')} JOIN #ext`]);
    const anon = await t.register('anonjoin');
    const [e2] = await during(anon, [ext], () => anon.send('JOIN #ext'));
    assert.deepEqual(e2.map(body), [`:${mask('anonjoin')} JOIN #ext * :anonjoin Test`]);
  });
});

describe('a registered nick', () => {
  let t: TestServer;
  const clock = new ManualClock();
  before(async () => {
    t = await startServer({ accounts: { passwordCost: COST, nickGraceMs: GRACE } }, { store: new MemoryStore(), clock });
    await addAccount(t, 'owner', 'owner password');
    await addAccount(t, 'other', 'other password');
  });
  after(() => t.close());

  const isNotice = (r: Received): boolean => r.msg.command === 'NOTICE' && /belongs to the account/.test(r.msg.params[1] ?? '');

  test('someone not logged in to it is told, then renamed Guest… when the grace period is over', async () => {
    const squatter = await t.register('owner');
    const notice = await squatter.waitFor(isNotice);
    assert.match(notice.msg.params[1]!, /within 30 seconds/);
    const friend = await t.register('friend');
    await joinAll('#hang', squatter, friend);
    clock.advance(GRACE - 1);
    await squatter.sync();
    assert.ok(!squatter.drain().some((r) => r.msg.command === 'NICK'), 'not before the end of the grace period');
    const [mine, theirs] = await during(squatter, [squatter, friend], () => clock.advance(1));
    const nick = mine.find((r) => r.msg.command === 'NICK');
    assert.ok(nick, mine.map((r) => r.raw).join('\n'));
    assert.equal(nick.msg.source, mask('owner'));
    assert.match(nick.msg.params[0]!, /^Guest\d{5}$/);
    assert.deepEqual(theirs.map((r) => r.raw), [nick.raw]);
    assert.ok(mine.some((r) => r.msg.command === 'NOTICE' && r.msg.params[1]!.includes(`you are now ${nick.msg.params[0]}`)));
  });

  test('no notice and no rename for the account holder (SASL), nor for one who logs in in time', async () => {
    const owner = await saslUser(t, 'owner', 'owner', 'owner password');
    const late = await t.register('other', ['sasl']);
    await late.waitFor(isNotice);
    late.send('AUTHENTICATE PLAIN', `AUTHENTICATE ${plain('other', 'other password')}`);
    await late.waitFor('903');
    clock.advance(GRACE * 2);
    await settle(owner, late);
    assert.ok(!owner.received.some((r) => r.msg.command === 'NICK' || isNotice(r)));
    assert.ok(!late.received.some((r) => r.msg.command === 'NICK'));
    owner.send('QUIT');
    late.send('QUIT');
    await owner.waitClose();
    await late.waitClose();
  });

  test('REGISTER: the new owner, logged in, is told nothing about the nick; someone else on it later is', async () => {
    const owner = await t.register('fresh');
    owner.send('REGISTER * * fresh-password');
    assert.deepEqual((await owner.waitFor('REGISTER')).msg.params.slice(0, 2), ['SUCCESS', 'fresh']);
    await owner.sync();
    assert.ok(!owner.received.some(isNotice), owner.received.map((r) => r.raw).join('\n'));
    clock.advance(GRACE * 2);
    await owner.sync();
    assert.ok(!owner.received.some((r) => r.msg.command === 'NICK'));
    // The guard still stands for anyone else: the owner leaves the nick, another takes it.
    owner.send('NICK fresh_away');
    await owner.waitFor('NICK');
    const other = await t.register('fresh');
    assert.match((await other.waitFor(isNotice)).msg.params[1]!, /^The nick fresh belongs to the account fresh\b/);
    assert.ok(!owner.received.some(isNotice));
  });

  test('REGISTER before connecting: whoever took the nick meanwhile is told, the registrant is not', async () => {
    const registrant = await t.connect();
    registrant.send('CAP LS 302', 'NICK racer', 'USER racer 0 * :racer Test');
    await registrant.waitFor('CAP');
    const holder = await t.register('racer');
    registrant.send('REGISTER * * racer-password');
    assert.deepEqual((await registrant.waitFor('REGISTER')).msg.params.slice(0, 2), ['SUCCESS', 'racer']);
    await holder.waitFor(isNotice);
    await registrant.sync();
    assert.ok(!registrant.received.some(isNotice));
  });

  test('NICK to a registered nick starts the count; changing away stops it', async () => {
    const c = await t.register('wanderer');
    c.send('NICK other');
    await c.waitFor(isNotice);
    c.send('NICK wanderer');
    await c.waitFor('NICK');
    clock.advance(GRACE);
    await c.sync();
    assert.ok(!c.drain().some((r) => r.msg.command === 'NICK'));
  });
});

describe('accounts from the console and IRC operators', () => {
  let t: TestServer;
  before(async () => {
    const opers = [{ name: 'root', password: await hashPassword('s3cret', COST) }];
    t = await startServer({ accounts: { passwordCost: COST }, opers }, { store: new MemoryStore() });
    await addAccount(t, 'victim', 'victim password');
    await addAccount(t, 'Suzy', 'suzy password');
    await addAccount(t, 'doomed', 'doomed password');
  });
  after(() => t.close());

  test('accounts lists them; suspend logs out (ACCOUNT *, 901) and refuses SASL; unsuspend lets in', async () => {
    const lines = await runConsoleLine(t.server, 'accounts');
    assert.match(lines[0]!, /^ACCOUNT\s+CREATED\s+SUSPENDED\s+ONLINE$/);
    assert.ok(lines.some((l) => /^Suzy\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+no\s+0$/.test(l)), lines.join('\n'));

    const suzy = await saslUser(t, 'suzy', 'Suzy', 'suzy password', ['account-notify']);
    const friend = await t.register('pal', ['account-notify']);
    await joinAll('#suzy', suzy, friend);
    assert.ok((await runConsoleLine(t.server, 'accounts')).some((l) => /^Suzy\s.*\s1$/.test(l)));
    const marks = [suzy.received.length, friend.received.length];
    assert.deepEqual(await runConsoleLine(t.server, 'suspend suzy'), ['suspended Suzy; 1 connection(s) logged out']);
    await suzy.waitFor(is('901', 'suzy', mask('suzy'), 'You are now logged out'));
    await friend.sync();
    const out = `:${mask('suzy')} ACCOUNT *`;
    assert.deepEqual(suzy.since(marks[0]!).map((r) => r.raw).slice(0, 2), [out, `:${SERVER} 901 suzy ${mask('suzy')} :You are now logged out`]);
    // Logged out, she now holds a registered nick like anyone else who is not logged in to it.
    await suzy.waitFor((r) => r.msg.command === 'NOTICE' && r.msg.params[1]!.startsWith('The nick suzy belongs to the account Suzy'));
    assert.deepEqual(friend.since(marks[1]!).map((r) => r.raw), [out]);

    const again = await connectSasl(t, 'suzy2');
    again.send('AUTHENTICATE PLAIN', `AUTHENTICATE ${plain('Suzy', 'suzy password')}`);
    await again.waitFor('904');
    assert.ok((await runConsoleLine(t.server, 'accounts')).some((l) => /^Suzy\s.*\syes\s+0$/.test(l)));
    assert.deepEqual(await runConsoleLine(t.server, 'suspend suzy'), ['error: Suzy is already suspended']);
    assert.deepEqual(await runConsoleLine(t.server, 'unsuspend Suzy'), ['Suzy is no longer suspended']);
    again.send('AUTHENTICATE PLAIN', `AUTHENTICATE ${plain('Suzy', 'suzy password')}`);
    await again.waitFor('903');
    assert.equal(t.server.audit.recent(5).filter((e) => e.target === 'Suzy').map((e) => e.action).join(' '), 'suspend unsuspend');
  });

  test('delete-account logs out and forgets the account; unknown names are an error', async () => {
    const c = await saslUser(t, 'doomer', 'doomed', 'doomed password');
    assert.deepEqual(await runConsoleLine(t.server, 'delete-account doomed'), ['deleted the account doomed; 1 connection(s) logged out']);
    await c.waitFor('901');
    assert.equal(await t.server.store.getAccount('doomed'), undefined);
    c.send('WHOIS doomer');
    await c.waitFor('318');
    assert.ok(!c.received.some((r) => r.msg.command === '330' && r.msg.params[1] === 'doomer'));
    assert.deepEqual(await runConsoleLine(t.server, 'delete-account doomed'), ['error: No account named doomed']);
    assert.deepEqual(await runConsoleLine(t.server, 'suspend'), ['error: usage: suspend <account>']);
  });

  test('ACCOUNTS for IRC operators: 481 to others; LIST, SUSPEND, UNSUSPEND, DELETE with notices', async () => {
    const user = await t.register('notoper');
    user.send('ACCOUNTS LIST');
    await user.waitFor('481');
    const op = await t.register('theoper');
    op.send('OPER root s3cret');
    await op.waitFor('381');
    const v = await saslUser(t, 'victim', 'victim', 'victim password');
    const notice = async (line: string): Promise<string> => {
      op.send(line);
      return (await op.waitFor((r) => r.msg.command === 'NOTICE' && r.msg.params[1]!.startsWith('***'))).msg.params[1]!;
    };
    op.send('ACCOUNTS LIST');
    await op.waitFor((r) => r.msg.command === 'NOTICE' && /^\*\*\* victim: active, created .*, 1 connection\(s\) logged in$/.test(r.msg.params[1]!));
    assert.match((await op.waitFor('NOTICE')).msg.params[1]!, /^\*\*\* \d+ account\(s\)$/);
    assert.equal(await notice('ACCOUNTS SUSPEND victim'), '*** victim is suspended; 1 connection(s) logged out');
    await v.waitFor('901');
    assert.equal(await notice('ACCOUNTS UNSUSPEND victim'), '*** victim is no longer suspended');
    assert.equal(await notice('ACCOUNTS DELETE victim'), '*** Deleted the account victim; 0 connection(s) logged out');
    op.send('ACCOUNTS DELETE victim');
    assert.deepEqual((await op.waitFor('FAIL')).msg.params.slice(0, 2), ['ACCOUNTS', 'NOT_FOUND']);
    op.send('ACCOUNTS FROB');
    assert.deepEqual((await op.waitFor('FAIL')).msg.params.slice(0, 2), ['ACCOUNTS', 'INVALID_PARAMS']);
    assert.deepEqual(t.server.audit.recent(3).map((e) => [e.actor, e.action, e.target]), [
      ['oper:root', 'suspend', 'victim'],
      ['oper:root', 'unsuspend', 'victim'],
      ['oper:root', 'delete-account', 'victim'],
    ]);
  });
});
