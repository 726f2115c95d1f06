// IRC operators over real sockets: OPER and each of its refusals; every operator-only
// command (KILL, KLINE/UNKLINE, MUTE/UNMUTE, LIMIT, WALLOPS, REHASH, STATS, PRIVMSG/NOTICE $*)
// refused with 481 to others and doing what it says for an operator; expiry on a manual
// clock; an audit entry per action.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, parseConfig, type Config, type ConfigInput } from '../../src/server/config.ts';
import { hashPassword } from '../../src/server/passwords.ts';
import type { AuditEntry } from '../../src/server/audit.ts';
import type { AdminInboxMessage } from '../../src/server/server.ts';
import { ManualClock } from '../helpers/clock.ts';
import { during, joinAll, mask, settle } from '../helpers/irc.ts';
import type { RawClient, Received } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const SERVER = 'test.parlor';
const DENIED = "Permission Denied- You're not an IRC operator";
const HASH = await hashPassword('s3cret', 4);
const OPERS: ConfigInput['opers'] = [
  { name: 'root', password: HASH },
  { name: 'far', password: HASH, hosts: ['nobody@nowhere'] },
];

/** Registers `nick` and makes it an operator (OPER root), everything read. */
async function operUp(t: TestServer, nick: string, caps?: string[]): Promise<RawClient> {
  const c = await t.register(nick, caps);
  c.send('OPER root s3cret');
  await c.waitFor('381');
  await settle(c);
  return c;
}

/** The server's reply to `c` with this command (or numeric), its parameters. */
async function reply(c: RawClient, command: string): Promise<string[]> {
  return (await c.waitFor(command)).msg.params;
}

/** A connection (raw, not yet registered) that is turned away: what it is sent, then closed. */
async function refused(t: TestServer, nick?: string): Promise<string[]> {
  const c = await t.connect();
  if (nick !== undefined) c.send(`NICK ${nick}`, `USER ${nick} 0 * :${nick}`);
  await c.waitFor('ERROR');
  await c.waitClose();
  return c.received.map((r) => r.raw);
}

/** `during`, then every client's lines marked read, so that later waits start after them. */
async function watch<T extends RawClient[]>(
  actor: RawClient,
  observers: [...T],
  act: () => void,
): Promise<{ [K in keyof T]: Received[] }> {
  const seen = await during(actor, observers, act);
  for (const c of observers) c.drain();
  return seen;
}

/** `watch`, with the raw lines. */
async function watchRaw<T extends RawClient[]>(
  actor: RawClient,
  observers: [...T],
  act: () => void,
): Promise<{ [K in keyof T]: string[] }> {
  const seen: Received[][] = await watch(actor, observers, act);
  return seen.map((rs) => rs.map((r) => r.raw)) as { [K in keyof T]: string[] };
}

/** Lines with this command among `rs`. */
const only = (rs: Received[], command: string): Received[] => rs.filter((r) => r.msg.command === command);

/** The newest audit entry. */
const lastAudit = (t: TestServer): AuditEntry | undefined => t.server.audit.recent().at(-1);

/** The whole config as startServer builds it from `input` (what a reload would read). */
function fullConfig(input: ConfigInput): Config {
  return parseConfig({
    ...input,
    server: { name: SERVER, port: 0, motd: 'Hello from the test server', ...input.server },
    flood: { burst: 100_000, commandsPerSecond: 100_000 },
    admin: { auditLog: null, ...input.admin },
  });
}

describe('OPER', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({ opers: OPERS });
  });
  after(() => t.close());

  test('the right name and password: 381, MODE +o, 313 in WHOIS, counted by LUSERS; MODE -o drops it', async () => {
    const op = await t.register('opa');
    const other = await t.register('oth');
    const mark = op.received.length;
    op.send('OPER root s3cret');
    await op.waitFor('381');
    await op.sync();
    const lines = op.since(mark).map((r) => r.raw);
    assert.equal(lines.length, 2, lines.join('\n'));
    assert.ok(lines.includes(`:${mask('opa')} MODE opa +o`), lines.join('\n'));
    assert.ok(lines.includes(`:${SERVER} 381 opa :You are now an IRC operator`), lines.join('\n'));
    assert.deepEqual(lastAudit(t), { time: lastAudit(t)!.time, actor: 'oper:root', action: 'oper', target: mask('opa') });

    other.send('WHOIS opa');
    assert.deepEqual(await reply(other, '313'), ['oth', 'opa', 'is an IRC operator']);
    await other.waitFor('318');
    other.send('LUSERS');
    assert.deepEqual(await reply(other, '252'), ['oth', '1', 'operator(s) online']);

    // Operator commands work now.
    op.send('STATS u');
    await op.waitFor('219');

    op.send('MODE opa -o');
    assert.equal((await op.waitFor('MODE')).raw, `:${mask('opa')} MODE opa -o`);
    op.send('KILL oth :bye');
    assert.deepEqual(await reply(op, '481'), ['opa', DENIED]);
    op.send('STATS u');
    assert.deepEqual(await reply(op, '481'), ['opa', DENIED]);
    other.send('LUSERS');
    assert.deepEqual(await reply(other, '252'), ['oth', '0', 'operator(s) online']);
    other.send('WHOIS opa');
    const whois = await watch(other, [other], () => {});
    assert.equal(only(whois[0], '313').length, 0);

    // +o cannot be set with MODE: it comes only from OPER.
    const [self] = await watch(op, [op], () => op.send('MODE opa +o'));
    assert.deepEqual(only(self, 'MODE'), []);
    op.send('KILL oth :bye');
    assert.deepEqual(await reply(op, '481'), ['opa', DENIED]);
    // OPER again restores it.
    op.send('OPER root s3cret');
    await op.waitFor('381');
    op.send('MODE opa -o');
    await op.waitFor('MODE');
    op.close();
    other.close();
  });

  test('refusals: a wrong password, an unknown name and a host not allowed all → 491 alike, too few parameters → 461', async () => {
    const c = await t.register('wannabe');
    const auditBefore = t.server.audit.recent().length;
    const INVALID = ['wannabe', 'Invalid oper credentials'];
    c.send('OPER root wrong');
    assert.deepEqual(await reply(c, '491'), INVALID);
    c.send('OPER nobody s3cret');
    assert.deepEqual(await reply(c, '491'), INVALID);
    c.send('OPER ROOT s3cret');
    assert.deepEqual(await reply(c, '491'), INVALID, 'oper names are exact');
    // From a host not allowed, the right password is answered as a wrong one is.
    c.send('OPER far s3cret');
    assert.deepEqual(await reply(c, '491'), INVALID);
    c.send('OPER far wrong');
    assert.deepEqual(await reply(c, '491'), INVALID);
    c.send('OPER root');
    assert.deepEqual(await reply(c, '461'), ['wannabe', 'OPER', 'Not enough parameters']);
    c.send('OPER');
    assert.deepEqual(await reply(c, '461'), ['wannabe', 'OPER', 'Not enough parameters']);
    // None of these made an operator, and none is in the audit as an action.
    c.send('STATS u');
    assert.deepEqual(await reply(c, '481'), ['wannabe', DENIED]);
    const [seen] = await watch(c, [c], () => {});
    assert.deepEqual(only(seen, 'MODE'), []);
    assert.equal(t.server.audit.recent().length, auditBefore);
    assert.equal(t.server.network.operCount, 0);
    c.close();
  });

  test('every operator command is refused to others with 481, and does nothing', async () => {
    const [pleb, watcher] = await Promise.all([t.register('pleb'), t.register('watcher')]);
    {
      const auditBefore = t.server.audit.recent().length;
      const commands = [
        'KILL watcher :bye',
        'KILL',
        'KLINE 1h watcher :spam',
        'UNKLINE watcher',
        'MUTE watcher :quiet',
        'UNMUTE watcher',
        'LIMIT',
        'LIMIT 5',
        'LIMIT IP 1',
        'WALLOPS :hello opers',
        'REHASH',
        'STATS k',
        'STATS u',
        'PRIVMSG $* :hello all',
        'NOTICE $* :hello all',
        `PRIVMSG $${SERVER} :hello all`,
      ];
      for (const line of commands) {
        pleb.send(line);
        const r = await pleb.waitFor((r) => /^\d{3}$/.test(r.msg.command) || r.msg.command === 'FAIL' || r.msg.command === 'NOTICE');
        assert.equal(r.raw, `:${SERVER} 481 pleb :${DENIED}`, `after ${line}`);
      }
      const [p, w] = await watch(pleb, [pleb, watcher], () => {});
      assert.deepEqual(p, []);
      assert.deepEqual(w, [], 'nothing reached anyone else');
      assert.equal(t.server.audit.recent().length, auditBefore);
      assert.equal(t.server.network.bans.size + t.server.network.mutes.size, 0);
      assert.equal(t.server.gate.maxConnections, 10_000);
      assert.equal(t.server.gate.maxPerIp, 16);
      assert.equal(watcher.closed, false);
    }
    pleb.close();
    watcher.close();
  });
});

describe('KILL, WALLOPS, NOTICE $*, STATS', () => {
  let t: TestServer;
  let op: RawClient;
  before(async () => {
    t = await startServer({ opers: OPERS });
    op = await operUp(t, 'op');
  });
  after(() => t.close());

  test('KILL: the victim gets KILL then ERROR, its rooms see the QUIT, the operator a notice', async () => {
    const [vic, by] = await Promise.all([t.register('vic'), t.register('by')]);
    await joinAll('#kill', vic, by);
    op.send('KILL vic :too loud');
    assert.equal((await vic.waitFor('KILL')).raw, `:${mask('op')} KILL vic :Killed (op (too loud))`);
    assert.equal((await vic.waitFor('ERROR')).raw, 'ERROR :Closing Link: 127.0.0.1 (Killed (op (too loud)))');
    await vic.waitClose();
    assert.equal((await by.waitFor('QUIT')).raw, `:${mask('vic')} QUIT :Killed (op (too loud))`);
    assert.equal((await op.waitFor('NOTICE')).raw, `:${SERVER} NOTICE op :*** Killed vic (too loud)`);
    assert.deepEqual(lastAudit(t), { time: lastAudit(t)!.time, actor: 'oper:root', action: 'kill', target: 'vic', detail: 'too loud' });
    // The nick is free again.
    op.send('WHOIS vic');
    assert.deepEqual((await reply(op, '401')).slice(0, 2), ['op', 'vic']);
    by.close();
  });

  test('KILL with a reason in several parameters, with none, of an unknown nick, of the admin nick', async () => {
    const v2 = await t.register('v2');
    op.send('KILL V2 go away now');
    assert.equal((await v2.waitFor('KILL')).raw, `:${mask('op')} KILL v2 :Killed (op (go away now))`);
    await v2.waitClose();
    assert.equal((await op.waitFor('NOTICE')).msg.params[1], '*** Killed v2 (go away now)');

    const v3 = await t.register('v3');
    op.send('KILL v3');
    assert.equal((await v3.waitFor('KILL')).msg.params[1], 'Killed (op (No reason given))');
    await v3.waitClose();
    await op.waitFor('NOTICE');

    op.send('KILL ghost :boo');
    assert.deepEqual((await reply(op, '401')).slice(0, 2), ['op', 'ghost']);
    op.send('KILL admin :boo');
    assert.deepEqual((await reply(op, '401')).slice(0, 2), ['op', 'admin']);
    op.send('KILL');
    assert.deepEqual(await reply(op, '461'), ['op', 'KILL', 'Not enough parameters']);
  });

  test('WALLOPS reaches users with +w only', async () => {
    const [w1, nw] = await Promise.all([t.register('w1'), t.register('nw')]);
    w1.send('MODE w1 +w');
    assert.equal((await w1.waitFor('MODE')).raw, `:${mask('w1')} MODE w1 +w`);
    const [o, a, b] = await watchRaw(op, [op, w1, nw], () => op.send('WALLOPS :server restart at noon'));
    assert.deepEqual(a, [`:${mask('op')} WALLOPS :server restart at noon`]);
    assert.deepEqual(b, []);
    assert.deepEqual(o, [], 'the operator has no +w');
    assert.deepEqual(lastAudit(t), { time: lastAudit(t)!.time, actor: 'oper:root', action: 'wallops', target: undefined, detail: 'server restart at noon' });
    op.send('WALLOPS');
    assert.deepEqual(await reply(op, '461'), ['op', 'WALLOPS', 'Not enough parameters']);
    w1.close();
    nw.close();
  });

  test('NOTICE $* and PRIVMSG $* from an operator reach every user', async () => {
    const [u1, u2] = await Promise.all([t.register('u1'), t.register('u2')]);
    const line = `:${mask('op')} NOTICE $* :maintenance at noon`;
    const [o, a, b] = await watchRaw(op, [op, u1, u2], () => op.send('NOTICE $* :maintenance at noon'));
    assert.deepEqual(a, [line]);
    assert.deepEqual(b, [line]);
    assert.deepEqual(o, [line]);
    assert.deepEqual(lastAudit(t), { time: lastAudit(t)!.time, actor: 'oper:root', action: 'broadcast', target: '$*', detail: 'maintenance at noon' });
    const [, a2] = await watchRaw(op, [op, u1], () => op.send(`PRIVMSG $${SERVER} :hello all`));
    assert.deepEqual(a2, [`:${mask('op')} PRIVMSG $* :hello all`]);
    op.send('PRIVMSG $elsewhere.net :hi');
    assert.deepEqual(await reply(op, '401'), ['op', '$elsewhere.net', 'No such server']);
    u1.close();
    u2.close();
  });

  test('STATS u → 242 then 219; an unknown letter → just 219; no letter → 461', async () => {
    const [u] = await watch(op, [op], () => op.send('STATS u'));
    assert.deepEqual(
      u.map((r) => r.msg.command),
      ['242', '219'],
    );
    assert.equal(u[0]!.msg.params[0], 'op');
    assert.match(u[0]!.msg.params[1]!, /^Server Up /);
    assert.deepEqual(u[1]!.msg.params, ['op', 'u', 'End of /STATS report']);
    const [x] = await watchRaw(op, [op], () => op.send('STATS x'));
    assert.deepEqual(x, [`:${SERVER} 219 op x :End of /STATS report`]);
    op.send('STATS');
    assert.deepEqual(await reply(op, '461'), ['op', 'STATS', 'Not enough parameters']);
  });

  test('REHASH without a config to reload: 382 then FAIL REHASH RELOAD_FAILED', async () => {
    const [lines] = await watch(op, [op], () => op.send('REHASH'));
    assert.deepEqual(lines[0]!.msg.params, ['op', 'config', 'Rehashing']);
    assert.equal(lines[0]!.msg.command, '382');
    assert.equal(lines.length, 2);
    assert.equal(lines[1]!.msg.command, 'FAIL');
    assert.deepEqual(lines[1]!.msg.params.slice(0, 2), ['REHASH', 'RELOAD_FAILED']);
    assert.equal(lastAudit(t)?.action, 'reload');
    assert.match(lastAudit(t)?.detail ?? '', /^failed: /);
  });

  test('labeled-response: a label on an operator command comes back on its reply', async () => {
    const lop = await operUp(t, 'lop', ['batch', 'labeled-response']);
    const vic = await t.register('lvic');
    lop.send('@label=k1 KILL lvic :labelled');
    const r = await lop.waitFor('NOTICE');
    assert.equal(r.msg.tags.label, 'k1');
    assert.equal(r.msg.params[1], '*** Killed lvic (labelled)');
    await vic.waitClose();
    lop.send('@label=s1 STATS u');
    const start = await lop.waitFor('BATCH');
    assert.equal(start.msg.tags.label, 's1');
    assert.equal(start.msg.params[1], 'labeled-response');
    const ref = start.msg.params[0]!.slice(1);
    const s242 = await lop.waitFor('242');
    assert.equal(s242.msg.tags.batch, ref);
    assert.equal((await lop.waitFor('219')).msg.tags.batch, ref);
    assert.equal((await lop.waitFor('BATCH')).msg.params[0], `-${ref}`);
    lop.send('@label=w1 WALLOPS :labelled wallops');
    const ack = await lop.waitFor('ACK');
    assert.equal(ack.msg.tags.label, 'w1');
    lop.close();
  });
});

describe('KLINE and UNKLINE', () => {
  let t: TestServer;
  let op: RawClient;
  before(async () => {
    t = await startServer({ opers: OPERS });
    op = await operUp(t, 'op');
  });
  after(() => t.close());

  test('KLINE <duration> <nick> :reason disconnects the user with 465 and ERROR; reconnecting is refused; UNKLINE lifts it', async () => {
    const [bob, by] = await Promise.all([t.register('bob'), t.register('by')]);
    await joinAll('#k', bob, by);
    op.send('KLINE 1h bob :spam');
    const numeric = await bob.waitFor('465');
    assert.equal(numeric.msg.source, SERVER);
    assert.equal(numeric.msg.params[0], 'bob');
    assert.match(numeric.msg.params[1]!, /^You are banned from this server: spam \(expires in (1h|59m 59s)\)$/);
    assert.equal((await bob.waitFor('ERROR')).raw, 'ERROR :Closing Link: 127.0.0.1 (Banned: spam)');
    await bob.waitClose();
    assert.equal((await by.waitFor('QUIT')).raw, `:${mask('bob')} QUIT :Banned: spam`);
    assert.equal((await op.waitFor('NOTICE')).msg.params[1], '*** Banned bob!*@* for 1h (spam); 1 client(s) here disconnected');
    const entry = lastAudit(t)!;
    assert.deepEqual(entry, { time: entry.time, actor: 'oper:root', action: 'ban', target: 'bob!*@*', detail: '3600s: spam' });

    // Coming back under the same nick is refused at registration; another nick is fine.
    const lines = await refused(t, 'bob');
    assert.match(lines[0]!, /^:test\.parlor 465 bob :You are banned from this server: spam \(expires in (1h|59m \d+s)\)$/);
    assert.equal(lines.at(-1), 'ERROR :Closing Link: 127.0.0.1 (Banned: spam)');
    assert.equal(lines.length, 2, lines.join('\n'));
    const bobby = await t.register('bobby');
    // Nor may someone take the nick.
    bobby.send('NICK bob');
    assert.deepEqual(await reply(bobby, '432'), ['bobby', 'bob', 'That nickname is banned on this server']);

    const [stats] = await watch(op, [op], () => op.send('STATS k'));
    assert.deepEqual(
      stats.map((r) => r.msg.command),
      ['216', '219'],
    );
    const [, letter, banMask, left, reason] = stats[0]!.msg.params;
    assert.deepEqual([letter, banMask, reason], ['K', 'bob!*@*', 'spam (set by oper:root)']);
    assert.match(left!, /^(1h|59m\d+s)$/);
    assert.deepEqual(stats[1]!.msg.params, ['op', 'k', 'End of /STATS report']);

    op.send('UNKLINE bob');
    assert.equal((await op.waitFor('NOTICE')).msg.params[1], '*** Removed the ban on bob!*@*');
    assert.deepEqual(lastAudit(t), { time: lastAudit(t)!.time, actor: 'oper:root', action: 'unban', target: 'bob!*@*', detail: undefined });
    const [after] = await watchRaw(op, [op], () => op.send('STATS K'));
    assert.deepEqual(after, [`:${SERVER} 219 op K :End of /STATS report`]);
    const back = await t.register('bob');
    back.close();
    bobby.close();
    by.close();
  });

  test('the duration may come after the mask, and a reason in several parameters is kept whole', async () => {
    const carl = await t.register('carl');
    op.send('KLINE carl 1h spam spam');
    assert.equal((await carl.waitFor('ERROR')).raw, 'ERROR :Closing Link: 127.0.0.1 (Banned: spam spam)');
    assert.equal((await op.waitFor('NOTICE')).msg.params[1], '*** Banned carl!*@* for 1h (spam spam); 1 client(s) here disconnected');
    const [b] = t.server.admin.list('ban').filter((x) => x.mask === 'carl!*@*');
    assert.equal(b!.expiresAt! - b!.setAt, 3_600_000);
    op.send('UNKLINE CARL');
    assert.equal((await op.waitFor('NOTICE')).msg.params[1], '*** Removed the ban on carl!*@*');
  });

  test('with no duration, 0 or perm the ban is permanent', async () => {
    const [dan, eve, fay] = await Promise.all([t.register('dan'), t.register('eve'), t.register('fay')]);
    op.send('KLINE dan :flooding');
    const n = await dan.waitFor('465');
    assert.deepEqual(n.msg.params, ['dan', 'You are banned from this server: flooding']);
    assert.equal((await op.waitFor('NOTICE')).msg.params[1], '*** Banned dan!*@* permanently (flooding); 1 client(s) here disconnected');
    op.send('KLINE 0 eve :zero');
    await eve.waitFor('465');
    assert.equal((await op.waitFor('NOTICE')).msg.params[1], '*** Banned eve!*@* permanently (zero); 1 client(s) here disconnected');
    op.send('KLINE fay perm');
    await fay.waitFor('465');
    assert.equal((await op.waitFor('NOTICE')).msg.params[1], '*** Banned fay!*@* permanently (No reason given); 1 client(s) here disconnected');
    assert.equal(lastAudit(t)?.detail, 'permanent: No reason given');
    const [stats] = await watch(op, [op], () => op.send('STATS k'));
    const listed = only(stats, '216').map((r) => r.msg.params.slice(1, 4));
    assert.deepEqual(listed, [
      ['K', 'dan!*@*', 'permanent'],
      ['K', 'eve!*@*', 'permanent'],
      ['K', 'fay!*@*', 'permanent'],
    ]);
    for (const nick of ['dan', 'eve', 'fay']) {
      op.send(`UNKLINE ${nick}`);
      await op.waitFor('NOTICE');
    }
    // A K-line on a nick nobody holds disconnects no one.
    op.send('KLINE 10m nobody :later');
    assert.equal((await op.waitFor('NOTICE')).msg.params[1], '*** Banned nobody!*@* for 10m (later); 0 client(s) here disconnected');
    op.send('UNKLINE nobody!*@*');
    await op.waitFor('NOTICE');
    assert.equal(t.server.network.bans.size, 0);
  });

  test('refusals: UNKLINE of an unknown mask → FAIL NOT_FOUND, an invalid target → FAIL INVALID_TARGET, no mask → 461', async () => {
    op.send('UNKLINE zed');
    const nf = await op.waitFor('FAIL');
    assert.equal(nf.msg.source, SERVER);
    assert.deepEqual(nf.msg.params, ['UNKLINE', 'NOT_FOUND', 'No ban on zed!*@*']);
    op.send('KLINE 1h :a b');
    assert.deepEqual(await reply(op, 'FAIL'), ['KLINE', 'INVALID_TARGET', 'Not a nick, nick!user@host mask, IP or CIDR range: a b']);
    op.send('KLINE 1h');
    assert.deepEqual(await reply(op, '461'), ['op', 'KLINE', 'Not enough parameters']);
    op.send('KLINE');
    assert.deepEqual(await reply(op, '461'), ['op', 'KLINE', 'Not enough parameters']);
    op.send('UNKLINE');
    assert.deepEqual(await reply(op, '461'), ['op', 'UNKLINE', 'Not enough parameters']);
    assert.equal(t.server.network.bans.size, 0);
  });
});

describe('KLINE on a host mask and on a CIDR range (everyone here is 127.0.0.1)', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({ opers: OPERS });
  });
  after(() => t.close());

  test('a user@host K-line disconnects matching users and refuses them at registration', async () => {
    const op = await operUp(t, 'op');
    const u = await t.register('hosty');
    op.send('KLINE 1h *!hosty@127.0.0.1 :host ban');
    assert.equal((await u.waitFor('ERROR')).raw, 'ERROR :Closing Link: 127.0.0.1 (Banned: host ban)');
    assert.equal((await op.waitFor('NOTICE')).msg.params[1], '*** Banned *!hosty@127.0.0.1 for 1h (host ban); 1 client(s) here disconnected');
    const lines = await refused(t, 'hosty');
    assert.match(lines[0]!, / 465 hosty :You are banned from this server: host ban/);
    op.send('UNKLINE *!hosty@127.0.0.1');
    await op.waitFor('NOTICE');
    op.close();
  });

  test('a CIDR K-line disconnects everyone in the range and refuses new connections before registration', async () => {
    const op = await operUp(t, 'op2');
    const u = await t.register('net');
    op.send('KLINE 127.0.0.0/8 :whole net');
    assert.equal((await u.waitFor('ERROR')).raw, 'ERROR :Closing Link: 127.0.0.1 (Banned: whole net)');
    // The operator is in the range too; KLINE does not spare its author.
    await op.waitClose();
    assert.deepEqual(
      t.server.admin.list('ban').map((b) => [b.kind, b.mask]),
      [['cidr', '127.0.0.0/8']],
    );
    const lines = await refused(t);
    assert.deepEqual(lines, [`:${SERVER} 465 * :You are banned from this server: whole net`, 'ERROR :Closing Link: 127.0.0.1 (Banned: whole net)']);
    assert.equal(t.server.stats.refused.banned >= 1, true);
    t.server.admin.unban(t.server.admin.consoleActor, '127.0.0.0/8');
    const back = await t.register('back');
    back.close();
  });
});

describe('MUTE and UNMUTE', () => {
  let t: TestServer;
  let op: RawClient;
  before(async () => {
    t = await startServer({ opers: OPERS });
    op = await operUp(t, 'op');
  });
  after(() => t.close());

  test('a muted user is told, cannot speak in rooms (404) or to people (531), may still write to the admin', async () => {
    const [mo, friend] = await Promise.all([t.register('mo'), t.register('friend')]);
    await joinAll('#q', mo, friend);
    op.send('MUTE 1h mo :rude');
    const told = await mo.waitFor('NOTICE');
    assert.equal(told.msg.source, SERVER);
    assert.match(told.msg.params[1]!, /^You have been muted by the server operators for (1h|59m 59s): rude\. You can read but not speak\.$/);
    assert.equal((await op.waitFor('NOTICE')).msg.params[1], '*** Muted mo!*@* for 1h (rude); 1 client(s) here silenced');
    assert.deepEqual(lastAudit(t), { time: lastAudit(t)!.time, actor: 'oper:root', action: 'mute', target: 'mo!*@*', detail: '3600s: rude' });
    assert.equal(mo.closed, false);

    const inbox: AdminInboxMessage[] = [];
    const listener = (m: AdminInboxMessage): void => void inbox.push(m);
    t.server.adminInbox.add(listener);
    const [m, f] = await watch(mo, [mo, friend], () => {
      mo.send('PRIVMSG #q :hello', 'PRIVMSG friend :psst', 'NOTICE friend :psst', 'NOTICE #q :hi', 'PRIVMSG admin :please unmute me');
    });
    t.server.adminInbox.delete(listener);
    // A mute with an end says when it ends (UTC, to the minute).
    const until = String.raw`until \d{4}-\d\d-\d\d \d\d:\d\d UTC`;
    assert.equal(m.length, 2, m.map((r) => r.raw).join('\n'));
    assert.match(m[0]!.raw, new RegExp(String.raw`^:${SERVER} 404 mo #q :Cannot send to channel \(you are muted ${until}: rude\)$`));
    assert.match(m[1]!.raw, new RegExp(String.raw`^:${SERVER} 531 mo friend :You are muted ${until}: rude$`));
    assert.deepEqual(f, [], 'nothing reached anyone');
    assert.deepEqual(
      inbox.map((x) => [x.from, x.command, x.text]),
      [['mo', 'PRIVMSG', 'please unmute me']],
    );

    // Others still reach the muted user.
    friend.send('PRIVMSG #q :you there?');
    assert.equal((await mo.waitFor('PRIVMSG')).raw, `:${mask('friend')} PRIVMSG #q :you there?`);

    const [stats] = await watch(op, [op], () => op.send('STATS q'));
    assert.deepEqual(
      stats.map((r) => r.msg.command),
      ['216', '219'],
    );
    const [, letter, muteMask, left, reason] = stats[0]!.msg.params;
    assert.deepEqual([letter, muteMask, reason], ['Q', 'mo!*@*', 'rude (set by oper:root)']);
    assert.match(left!, /^(1h|59m\d+s)$/);
    assert.deepEqual(stats[1]!.msg.params, ['op', 'q', 'End of /STATS report']);
    // A mute is not a K-line.
    const [k] = await watchRaw(op, [op], () => op.send('STATS k'));
    assert.deepEqual(k, [`:${SERVER} 219 op k :End of /STATS report`]);

    op.send('UNMUTE mo');
    assert.equal((await op.waitFor('NOTICE')).msg.params[1], '*** Removed the mute on mo!*@*');
    assert.deepEqual(lastAudit(t), { time: lastAudit(t)!.time, actor: 'oper:root', action: 'unmute', target: 'mo!*@*', detail: undefined });
    const [, f2] = await watchRaw(mo, [mo, friend], () => mo.send('PRIVMSG #q :thanks a lot'));
    assert.deepEqual(f2, [`:${mask('mo')} PRIVMSG #q :thanks a lot`]);
    mo.close();
    friend.close();
  });

  test('MUTE with the duration after the mask, permanent, and its refusals', async () => {
    const pm = await t.register('pm');
    op.send('MUTE pm 10m no spam please');
    await pm.waitFor('NOTICE');
    assert.equal((await op.waitFor('NOTICE')).msg.params[1], '*** Muted pm!*@* for 10m (no spam please); 1 client(s) here silenced');
    op.send('MUTE pm');
    assert.match((await pm.waitFor('NOTICE')).msg.params[1]!, /^You have been muted by the server operators: No reason given\./);
    assert.equal((await op.waitFor('NOTICE')).msg.params[1], '*** Muted pm!*@* permanently (No reason given); 1 client(s) here silenced');
    assert.equal(t.server.network.mutes.size, 1, 'the second MUTE replaced the first');
    op.send('UNMUTE pm');
    await op.waitFor('NOTICE');
    op.send('UNMUTE pm');
    assert.deepEqual(await reply(op, 'FAIL'), ['UNMUTE', 'NOT_FOUND', 'No mute on pm!*@*']);
    op.send('MUTE 1h :a b');
    assert.deepEqual(await reply(op, 'FAIL'), ['MUTE', 'INVALID_TARGET', 'Not a nick, nick!user@host mask, IP or CIDR range: a b']);
    op.send('MUTE 1h');
    assert.deepEqual(await reply(op, '461'), ['op', 'MUTE', 'Not enough parameters']);
    pm.close();
  });
});

describe('LIMIT', () => {
  let t: TestServer;
  let op: RawClient;
  before(async () => {
    // The per-IP limit applies to 127.0.0.1 only without the loopback exemption.
    t = await startServer({ opers: OPERS, connections: { exempt: [], throttleConnections: 0 } });
    op = await operUp(t, 'op');
  });
  after(() => t.close());

  test('LIMIT shows the figures; LIMIT IP <n> sets the per-IP limit, then enforced', async () => {
    op.send('LIMIT');
    assert.equal((await op.waitFor('NOTICE')).raw, `:${SERVER} NOTICE op :*** Connections: 1 of at most 10000; at most 16 per IP`);
    op.send('LIMIT IP 3');
    assert.equal((await op.waitFor('NOTICE')).msg.params[1], '*** Connections: 1 of at most 10000; at most 3 per IP');
    assert.deepEqual(lastAudit(t), { time: lastAudit(t)!.time, actor: 'oper:root', action: 'limit-ip', target: 'connections per IP', detail: '3' });
    const a = await t.register('a1');
    const b = await t.register('a2');
    await joinAll('#ip', a, b);
    assert.deepEqual(await refused(t), ['ERROR :Too many connections from your address (3 allowed)']);
    assert.equal(t.server.stats.refused['per-ip'], 1);
    // Once one closes (its QUIT seen), there is room again.
    b.close();
    await a.waitFor('QUIT');
    const c0 = await t.register('a0');
    await joinAll('#ip', c0);
    c0.close();
    await a.waitFor('QUIT');
    op.send('LIMIT ip 16');
    await op.waitFor('NOTICE');
    const c = await t.register('a3');
    a.close();
    c.close();
  });

  test('LIMIT <n>: a connection past it is told the server is full', async () => {
    op.send('LIMIT 1');
    assert.match((await op.waitFor('NOTICE')).msg.params[1]!, /^\*\*\* Connections: \d+ of at most 1; at most 16 per IP$/);
    assert.deepEqual(lastAudit(t), { time: lastAudit(t)!.time, actor: 'oper:root', action: 'limit', target: 'connections', detail: '1' });
    assert.deepEqual(await refused(t), ['ERROR :Server is full (1 connections); try again later']);
    assert.equal(t.server.stats.refused['server-full'], 1);
    op.send('LIMIT 100');
    assert.match((await op.waitFor('NOTICE')).msg.params[1]!, /of at most 100;/);
    const ok = await t.register('fits');
    ok.close();
  });

  test('LIMIT 0, LIMIT abc, LIMIT 2.5, LIMIT IP 0 → FAIL LIMIT INVALID_PARAMS, nothing changed', async () => {
    for (const line of ['LIMIT 0', 'LIMIT abc', 'LIMIT 2.5', 'LIMIT -3']) {
      op.send(line);
      assert.deepEqual(await reply(op, 'FAIL'), ['LIMIT', 'INVALID_PARAMS', 'The connection limit is a whole number of at least 1'], line);
    }
    op.send('LIMIT IP 0');
    assert.deepEqual(await reply(op, 'FAIL'), ['LIMIT', 'INVALID_PARAMS', 'The per-IP limit is a whole number of at least 1']);
    const [after] = await watch(op, [op], () => {});
    assert.deepEqual(after, [], 'no NOTICE after a FAIL');
    assert.equal(t.server.gate.maxConnections, 100);
    assert.equal(t.server.gate.maxPerIp, 16);
  });
});

describe('REHASH', () => {
  const base: ConfigInput = { opers: OPERS };
  let t: TestServer;
  let op: RawClient;
  let next: () => Promise<Config> = () => Promise.resolve(fullConfig(base));
  before(async () => {
    t = await startServer(base, { reloadConfig: () => next() });
    op = await operUp(t, 'op');
  });
  after(() => t.close());

  test('a good config: 382, then a notice; the new values are in force', async () => {
    next = () => Promise.resolve(fullConfig({ ...base, connections: { max: 77 } }));
    const [lines] = await watch(op, [op], () => op.send('REHASH'));
    assert.deepEqual(
      lines.map((r) => [r.msg.source, r.msg.command, ...r.msg.params]),
      [
        [SERVER, '382', 'op', 'config', 'Rehashing'],
        [SERVER, 'NOTICE', 'op', '*** Configuration reloaded'],
      ],
    );
    assert.deepEqual(lastAudit(t), { time: lastAudit(t)!.time, actor: 'oper:root', action: 'reload', target: undefined, detail: 'ok' });
    op.send('LIMIT');
    assert.match((await op.waitFor('NOTICE')).msg.params[1]!, /of at most 77;/);
    // A reload gives way to the config: live LIMIT changes are reset by it.
    op.send('LIMIT 5');
    await op.waitFor('NOTICE');
    op.send('REHASH');
    await op.waitFor('NOTICE');
    assert.equal(t.server.gate.maxConnections, 77);
  });

  test('what needs a restart is named, and kept as it was', async () => {
    next = () => Promise.resolve(fullConfig({ ...base, server: { name: 'renamed.parlor' } }));
    op.send('REHASH');
    await op.waitFor('382');
    assert.equal((await op.waitFor('NOTICE')).raw, `:${SERVER} NOTICE op :*** Configuration reloaded: server.name changes at the next restart`);
    assert.equal(t.server.config.server.name, SERVER);
    op.send('STATS x');
    assert.equal((await op.waitFor('219')).msg.source, SERVER);
  });

  test('a config that fails to load: FAIL REHASH RELOAD_FAILED on one line, and the old config stays', async () => {
    next = () => Promise.resolve(fullConfig({ ...base, connections: { max: 42 } }));
    op.send('REHASH');
    await op.waitFor('NOTICE');
    const before = t.server.config;
    let error: unknown;
    try {
      parseConfig({ connections: { max: 0 }, limits: { nickLength: 0 } });
    } catch (err) {
      error = err;
    }
    assert.ok(error instanceof ConfigError);
    next = () => Promise.reject(error as Error);
    const [lines] = await watch(op, [op], () => op.send('REHASH'));
    assert.deepEqual(
      lines.map((r) => r.msg.command),
      ['382', 'FAIL'],
      lines.map((r) => r.raw).join('\n'),
    );
    const fail = lines[1]!.msg.params;
    assert.deepEqual(fail.slice(0, 2), ['REHASH', 'RELOAD_FAILED']);
    assert.equal(fail.length, 3);
    assert.match(fail[2]!, /^The config was not reloaded and the old one stays in force: Invalid config/);
    assert.match(fail[2]!, /connections\.max/);
    assert.match(fail[2]!, /limits\.nickLength/);
    assert.equal(t.server.config, before);
    assert.equal(t.server.gate.maxConnections, 42);
    assert.equal(lastAudit(t)?.actor, 'oper:root');
    assert.match(lastAudit(t)?.detail ?? '', /^failed: Invalid config/);
  });
});

describe('expiry on a manual clock', () => {
  let t: TestServer;
  let op: RawClient;
  const clock = new ManualClock();
  before(async () => {
    t = await startServer({ opers: OPERS }, { clock });
    op = await operUp(t, 'op');
  });
  after(() => t.close());

  test('a 30s K-line applies for 30 seconds, then no more', async () => {
    const bob = await t.register('bob');
    op.send('KLINE 30s bob :cool off');
    assert.deepEqual((await bob.waitFor('465')).msg.params, ['bob', 'You are banned from this server: cool off (expires in 30s)']);
    await bob.waitClose();
    await op.waitFor('NOTICE');
    clock.advance(29_000);
    const lines = await refused(t, 'bob');
    assert.equal(lines[0], `:${SERVER} 465 bob :You are banned from this server: cool off (expires in 1s)`);
    op.send('STATS k');
    assert.deepEqual((await op.waitFor('216')).msg.params.slice(1, 4), ['K', 'bob!*@*', '1s']);
    clock.advance(2_000);
    const back = await t.register('bob');
    const [stats] = await watchRaw(op, [op], () => op.send('STATS k'));
    assert.deepEqual(stats, [`:${SERVER} 219 op k :End of /STATS report`]);
    assert.equal(t.server.network.bans.size, 0, 'the sweep dropped it');
    back.close();
  });

  test('a 30s mute lets the user speak again after 30 seconds', async () => {
    const [mo, friend] = await Promise.all([t.register('mo'), t.register('friend')]);
    op.send('MUTE 30s mo :hush');
    assert.match((await mo.waitFor('NOTICE')).msg.params[1]!, /^You have been muted by the server operators for 30s: hush\./);
    mo.send('PRIVMSG friend :hi');
    const refused = await reply(mo, '531');
    assert.deepEqual(refused.slice(0, 2), ['mo', 'friend']);
    assert.match(refused[2]!, /^You are muted until \d{4}-\d\d-\d\d \d\d:\d\d UTC: hush$/);
    clock.advance(31_000);
    mo.send('PRIVMSG friend :hi again');
    assert.equal((await friend.waitFor('PRIVMSG')).raw, `:${mask('mo')} PRIVMSG friend :hi again`);
    op.send('STATS q');
    assert.deepEqual((await op.waitFor('219')).msg.params, ['op', 'q', 'End of /STATS report']);
    mo.close();
    friend.close();
  });
});
