// Password guessing over real sockets, from several loopback addresses (127.0.0.x): failures
// per address and per name lock SASL, PASS, OPER and the panel login out (a locked-out
// attempt costs no hashing), while other addresses and names go on; lockouts end on a
// manual clock and double in a row; a full hashing queue answers "try again" at once
// without counting a failure; OPER answers every failure alike; the log has one line per
// kind, then one summary per address per minute.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import pino from 'pino';
import type { ConfigInput } from '../../src/server/config.ts';
import { hashPassword } from '../../src/server/passwords.ts';
import { MemoryStore } from '../../src/storage/memory-store.ts';
import { ManualClock } from '../helpers/clock.ts';
import { is } from '../helpers/irc.ts';
import { RawClient, type Received } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const COST = 4; // scrypt log2(N): fast enough for tests
const HASH = await hashPassword('s3cret', COST);
const ATTACKER = '127.0.0.1';
const FRIEND = '127.0.0.2';

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
const plain = (account: string, password: string): string => b64(`\0${account}\0${password}`);
const capAck = (r: Received): boolean => r.msg.command === 'CAP' && r.msg.params[1] === 'ACK';

const servers: TestServer[] = [];
after(async () => {
  for (const t of servers) await t.close();
});

/** A server on a manual clock whose unregistered clients are never timed out meanwhile. */
async function serve(input: ConfigInput, clock = new ManualClock(), logger?: pino.Logger): Promise<{ t: TestServer; clock: ManualClock }> {
  const t = await startServer(
    { ...input, accounts: { passwordCost: COST, ...input.accounts }, limits: { registrationTimeoutMs: 86_400_000, pingIntervalMs: 86_400_000, ...input.limits } },
    { store: new MemoryStore(), clock, ...(logger && { logger }) },
  );
  servers.push(t);
  return { t, clock };
}

async function addAccount(t: TestServer, name: string, password: string): Promise<void> {
  assert.ok(await t.server.store.createAccount({ name, passwordHash: await hashPassword(password, COST), createdAt: t.server.now(), verified: true, suspended: false }));
}

/** A connection from `address`, closed with the server. */
async function connectFrom(t: TestServer, address: string): Promise<RawClient> {
  const c = await RawClient.connectFrom(address, t.port);
  t.clients.push(c);
  return c;
}

/** Connected from `address` with the sasl capability; registration held. */
async function saslClient(t: TestServer, address: string, nick: string): Promise<RawClient> {
  const c = await connectFrom(t, address);
  c.send('CAP LS 302', `NICK ${nick}`, `USER ${nick} 0 * :${nick}`, 'CAP REQ :sasl');
  await c.waitFor(capAck);
  return c;
}

/** One SASL PLAIN exchange: the 903 or 904 that ends it. */
async function sasl(c: RawClient, account: string, password: string): Promise<Received> {
  c.send('AUTHENTICATE PLAIN');
  await c.waitFor((r) => r.raw === 'AUTHENTICATE +');
  c.send(`AUTHENTICATE ${plain(account, password)}`);
  return c.waitFor((r) => r.msg.command === '903' || r.msg.command === '904');
}

/** A fresh connection from `address` logs in to `account`: the 903/904 line's text. */
async function saslFrom(t: TestServer, address: string, account: string, password: string): Promise<string> {
  const c = await saslClient(t, address, `n${Math.random().toString(36).slice(2, 8)}`);
  const r = await sasl(c, account, password);
  c.close();
  return `${r.msg.command} ${r.msg.params.at(-1)}`;
}

/** Registers `nick` from `address` (with a PASS when given); waits for the MOTD's end. */
async function registerFrom(t: TestServer, address: string, nick: string, pass?: string): Promise<RawClient> {
  const c = await connectFrom(t, address);
  c.send(...(pass === undefined ? [] : [`PASS ${pass}`]), `NICK ${nick}`, `USER ${nick} 0 * :${nick}`);
  await c.waitFor((r) => r.msg.command === '376' || r.msg.command === '422');
  return c;
}

/** Two ordinary users chatting: alice's line reaches bob (the attacks must not stop that). */
async function chatters(t: TestServer): Promise<() => Promise<void>> {
  const alice = await t.register('alice');
  const bob = await t.register('bob');
  let n = 0;
  return async () => {
    const text = `hello ${++n}`;
    alice.send(`PRIVMSG bob :${text}`);
    await bob.waitFor(is('PRIVMSG', 'bob', text));
  };
}

describe('SASL', () => {
  test('wrong guesses lock their address out (even the right password, to any account), not other addresses; the lockout ends, and doubles in a row', async () => {
    const { t, clock } = await serve({ auth: { maxFailuresPerAddress: 3, maxFailuresPerAccount: 100, lockoutMs: 60_000, maxLockoutMs: 600_000 } });
    await addAccount(t, 'victim', 'victim password');
    await addAccount(t, 'other', 'other password');
    const chat = await chatters(t);
    const attacker = await saslClient(t, ATTACKER, 'attacker');
    for (const guess of ['a', 'b', 'c']) {
      assert.equal((await sasl(attacker, 'victim', guess)).msg.params.at(-1), 'SASL authentication failed');
      await chat();
    }
    const hashed = t.server.hashing.started;
    const locked = await sasl(attacker, 'other', 'other password');
    assert.deepEqual(locked.msg.params, ['attacker', 'SASL authentication failed: Too many failed logins from your address; try again in 60 seconds']);
    assert.equal(t.server.hashing.started, hashed, 'a locked-out attempt costs no hashing');
    await chat();
    // Another address, to either account, is not held back.
    assert.equal(await saslFrom(t, FRIEND, 'other', 'other password'), '903 SASL authentication successful');
    assert.equal(await saslFrom(t, FRIEND, 'victim', 'victim password'), '903 SASL authentication successful');
    clock.advance(59_000);
    assert.match(await saslFrom(t, ATTACKER, 'other', 'other password'), /^904 .*try again in 1 second$/);
    clock.advance(1_000);
    assert.equal(await saslFrom(t, ATTACKER, 'other', 'other password'), '903 SASL authentication successful');
    // A second lockout in a row lasts twice as long.
    for (const guess of ['d', 'e', 'f']) await sasl(attacker, 'victim', guess);
    assert.match((await sasl(attacker, 'victim', 'victim password')).msg.params.at(-1)!, /from your address; try again in 2 minutes$/);
  });

  test('wrong guesses from many addresses lock the account (case-folded) out, even for the right password, while its owner’s address and other accounts go on', async () => {
    const { t, clock } = await serve({ auth: { maxFailuresPerAddress: 100, maxFailuresPerAccount: 3, lockoutMs: 30_000 } });
    await addAccount(t, 'Carol', 'carol password');
    await addAccount(t, 'dave', 'dave password');
    assert.match(await saslFrom(t, '127.0.0.3', 'carol', 'x'), /^904 SASL authentication failed$/);
    assert.match(await saslFrom(t, '127.0.0.4', 'CAROL', 'y'), /^904 SASL authentication failed$/);
    assert.match(await saslFrom(t, '127.0.0.5', 'Carol', 'z'), /^904 SASL authentication failed$/);
    const hashed = t.server.hashing.started;
    assert.equal(await saslFrom(t, FRIEND, 'carol', 'carol password'), '904 SASL authentication failed: Too many failed logins for this name; try again in 30 seconds');
    assert.equal(t.server.hashing.started, hashed, 'a locked-out attempt costs no hashing');
    assert.equal(await saslFrom(t, '127.0.0.3', 'dave', 'dave password'), '903 SASL authentication successful');
    clock.advance(30_000);
    assert.equal(await saslFrom(t, FRIEND, 'carol', 'carol password'), '903 SASL authentication successful');
    // The right password forgets the account's failures: two more do not lock it again.
    await saslFrom(t, '127.0.0.3', 'carol', 'x');
    await saslFrom(t, '127.0.0.3', 'carol', 'y');
    assert.equal(await saslFrom(t, FRIEND, 'carol', 'carol password'), '903 SASL authentication successful');
  });

  test('ten connections guessing at once: the lockout stops the hashing, the chat goes on', async () => {
    const { t } = await serve({ auth: { maxFailuresPerAddress: 10, hashConcurrency: 2, hashQueue: 16 } });
    await addAccount(t, 'victim', 'victim password');
    const chat = await chatters(t);
    const guessers = await Promise.all(Array.from({ length: 10 }, (_, i) => saslClient(t, ATTACKER, `guess${i}`)));
    const answers: string[] = [];
    const guessing = Promise.all(
      guessers.map(async (c, i) => {
        for (let k = 0; k < 5; k++) answers.push((await sasl(c, 'victim', `guess ${i} ${k}`)).msg.params.at(-1)!);
      }),
    );
    await chat();
    await guessing;
    await chat();
    assert.equal(answers.length, 50);
    // At most the limit, plus what was already waiting for its turn when the lockout began.
    assert.ok(t.server.hashing.started <= 10 + 2 + 16, `hashed ${t.server.hashing.started} times`);
    assert.ok(answers.filter((a) => a.includes('Too many failed logins from your address')).length >= 50 - 28);
    assert.ok(!answers.some((a) => a.includes('successful')));
  });
});

describe('PASS', () => {
  test('wrong connection passwords lock the address out, even the right one; another address connects; no password at all is no guess', async () => {
    const { t, clock } = await serve({ server: { password: 'letmein' }, auth: { maxFailuresPerAddress: 3, lockoutMs: 60_000 } });
    for (let i = 0; i < 3; i++) {
      const c = await connectFrom(t, ATTACKER);
      c.send(`PASS guess${i}`, `NICK g${i}`, `USER g${i} 0 * :g`);
      assert.deepEqual((await c.waitFor('464')).msg.params, [`g${i}`, 'Password incorrect']);
      await c.waitClose();
    }
    const hopeful = await connectFrom(t, ATTACKER);
    hopeful.send('PASS letmein', 'NICK hopeful', 'USER hopeful 0 * :h');
    assert.deepEqual((await hopeful.waitFor('464')).msg.params, ['hopeful', 'Too many failed connection passwords from your address; try again in 60 seconds']);
    await hopeful.waitClose();
    assert.ok(!hopeful.received.some((r) => r.msg.command === '001'));
    await registerFrom(t, FRIEND, 'friend', 'letmein');
    // Forgetting the password is not guessing one.
    for (let i = 0; i < 5; i++) {
      const c = await connectFrom(t, '127.0.0.5');
      c.send(`NICK f${i}`, `USER f${i} 0 * :f`);
      await c.waitFor('464');
      await c.waitClose();
    }
    await registerFrom(t, '127.0.0.5', 'forgetful', 'letmein');
    clock.advance(60_000);
    await registerFrom(t, ATTACKER, 'patient', 'letmein');
  });
});

describe('OPER', () => {
  const opers: ConfigInput['opers'] = [
    { name: 'root', password: HASH },
    { name: 'far', password: HASH, hosts: ['nobody@nowhere'] },
  ];

  test('from a host not allowed, the right password is answered exactly as a wrong one (491), as are an unknown name and a wrong password', async () => {
    const { t } = await serve({ opers, auth: { maxFailuresPerAddress: 100 } });
    const c = await t.register('wannabe');
    const answers: string[] = [];
    for (const line of ['OPER far s3cret', 'OPER far wrong', 'OPER root wrong', 'OPER nobody s3cret']) {
      c.send(line);
      answers.push((await c.waitFor((r) => /^\d{3}$/.test(r.msg.command))).raw);
    }
    assert.deepEqual(answers, Array(4).fill(':test.parlor 491 wannabe :Invalid oper credentials'));
    assert.equal(t.server.network.operCount, 0);
  });

  test('failed OPER attempts lock the address out (the right password too); another address opers up', async () => {
    const { t, clock } = await serve({ opers, auth: { maxFailuresPerAddress: 3, maxFailuresPerAccount: 100, lockoutMs: 60_000 } });
    const c = await registerFrom(t, ATTACKER, 'guesser');
    for (const line of ['OPER root a', 'OPER far s3cret', 'OPER nobody b']) {
      c.send(line);
      await c.waitFor('491');
    }
    const hashed = t.server.hashing.started;
    c.send('OPER root s3cret');
    assert.deepEqual((await c.waitFor('491')).msg.params, ['guesser', 'Too many failed OPER attempts from your address; try again in 60 seconds']);
    assert.equal(t.server.hashing.started, hashed);
    const friend = await registerFrom(t, FRIEND, 'friend');
    friend.send('OPER root s3cret');
    await friend.waitFor('381');
    clock.advance(60_000);
    c.send('OPER root s3cret');
    await c.waitFor('381');
  });
});

/** POST /admin/api/login from `localAddress`: the status and the JSON answer. */
function panelLogin(port: number, localAddress: string, name: string, password: string): Promise<{ status: number; json: Record<string, unknown>; retryAfter?: string }> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ name, password });
    const req = http.request(
      { host: '127.0.0.1', port, localAddress, method: 'POST', path: '/admin/api/login', headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        const retryAfter = res.headers['retry-after'];
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as Record<string, unknown>, ...(retryAfter !== undefined && { retryAfter }) }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('the admin panel login', () => {
  test('counts with SASL in the per-address limit: locked out with 429 and when to retry; another address logs in', async () => {
    const { t, clock } = await serve({ web: { enabled: true, port: 0 }, opers: [{ name: 'root', password: HASH }], auth: { maxFailuresPerAddress: 3, maxFailuresPerAccount: 100, lockoutMs: 60_000 } });
    await addAccount(t, 'acct', 'acct password');
    const port = t.server.webAddress!.port;
    assert.equal((await panelLogin(port, ATTACKER, 'root', 'wrong')).status, 401);
    assert.equal((await panelLogin(port, ATTACKER, 'nobody', 's3cret')).status, 401);
    assert.equal(await saslFrom(t, ATTACKER, 'acct', 'wrong'), '904 SASL authentication failed');
    const locked = await panelLogin(port, ATTACKER, 'root', 's3cret');
    assert.deepEqual(locked, { status: 429, json: { ok: false, error: 'Too many failed logins from your address; try again in 60 seconds', retryAfterSeconds: 60 }, retryAfter: '60' });
    // The panel's failures hold SASL back too.
    assert.match(await saslFrom(t, ATTACKER, 'acct', 'acct password'), /^904 .*from your address/);
    const friend = await panelLogin(port, FRIEND, 'root', 's3cret');
    assert.equal(friend.status, 200);
    clock.advance(60_000);
    assert.equal((await panelLogin(port, ATTACKER, 'root', 's3cret')).status, 200);
  });

  test('shares the operator name’s limit with OPER', async () => {
    const { t } = await serve({ web: { enabled: true, port: 0 }, opers: [{ name: 'root', password: HASH }], auth: { maxFailuresPerAddress: 100, maxFailuresPerAccount: 2 } });
    const c = await registerFrom(t, '127.0.0.3', 'guesser');
    c.send('OPER root wrong');
    await c.waitFor('491');
    assert.equal((await panelLogin(t.server.webAddress!.port, '127.0.0.4', 'root', 'wrong')).status, 401);
    const locked = await panelLogin(t.server.webAddress!.port, FRIEND, 'root', 's3cret');
    assert.equal(locked.status, 429);
    assert.match(String(locked.json.error), /for this name/);
  });
});

describe('the hashing queue', () => {
  test('full: SASL, OPER, REGISTER and the panel are told to try again at once, and it is not counted as a failure', async () => {
    const { t } = await serve({ web: { enabled: true, port: 0 }, opers: [{ name: 'root', password: HASH }], auth: { hashConcurrency: 1, hashQueue: 0, maxFailuresPerAddress: 1 } });
    await addAccount(t, 'acct', 'acct password');
    let release!: () => void;
    const hog = t.server.hashing.run(() => new Promise<void>((resolve) => (release = resolve)));
    assert.equal(await saslFrom(t, ATTACKER, 'acct', 'acct password'), '904 SASL authentication failed: The server is busy checking passwords; try again in a moment');
    const op = await t.register('op');
    op.send('OPER root s3cret');
    assert.deepEqual((await op.waitFor('491')).msg.params, ['op', 'The server is busy checking passwords; try again in a moment']);
    const newcomer = await t.register('newcomer');
    newcomer.send('REGISTER * * newcomer-password');
    assert.equal((await newcomer.waitFor('FAIL')).raw, ':test.parlor FAIL REGISTER TEMPORARILY_UNAVAILABLE newcomer :The server is busy checking passwords; try again in a moment');
    const panel = await panelLogin(t.server.webAddress!.port, ATTACKER, 'root', 's3cret');
    assert.deepEqual(panel, { status: 503, json: { ok: false, error: 'The server is busy checking passwords; try again in a moment', retryAfterSeconds: 1 }, retryAfter: '1' });
    release();
    await hog;
    // None of those counted: with one failure allowed, the address would be locked now.
    assert.equal(await saslFrom(t, ATTACKER, 'acct', 'acct password'), '903 SASL authentication successful');
    op.send('OPER root s3cret');
    await op.waitFor('381');
  });
});

describe('the log', () => {
  test('the first failure of each kind from an address, then one summary line per address per minute', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    const { t, clock } = await serve({ opers: [{ name: 'root', password: HASH }], auth: { maxFailuresPerAddress: 100, maxFailuresPerAccount: 100, logIntervalMs: 60_000 } }, new ManualClock(), logger);
    const auth = (): Record<string, unknown>[] => lines.filter((l) => /fail|refused/.test(String(l.msg)));
    const c = await saslClient(t, ATTACKER, 'noisy');
    for (let i = 0; i < 12; i++) await sasl(c, 'victim', `guess ${i}`);
    c.send('CAP END');
    await c.waitFor('376');
    c.send('OPER root a', 'OPER root b');
    await c.waitFor('491');
    await c.waitFor('491');
    assert.deepEqual(
      auth().map((l) => l.msg),
      ['failed SASL login', 'failed OPER attempt'],
    );
    assert.deepEqual(auth().map((l) => [l.address, l.reason ?? l.account]), [[ATTACKER, 'victim'], [ATTACKER, 'wrong password']]);
    clock.advance(60_000);
    const summary = auth().slice(2);
    assert.equal(summary.length, 1);
    assert.deepEqual({ ...summary[0], time: undefined, pid: undefined, hostname: undefined, level: undefined }, {
      msg: 'failed logins from one address (summary)',
      address: '127.0.0.1/32',
      periodSeconds: 60,
      failures: { sasl: 12, oper: 2 },
      refusedWhileLocked: 0,
      names: ['victim', 'root'],
      time: undefined,
      pid: undefined,
      hostname: undefined,
      level: undefined,
    });
    // Still going: no line per attempt, one summary at the end of the next minute.
    for (let i = 0; i < 3; i++) {
      c.send(`OPER root again${i}`);
      await c.waitFor('491');
    }
    assert.equal(auth().length, 3);
    clock.advance(60_000);
    assert.equal(auth().length, 4);
    assert.deepEqual(auth()[3]!.failures, { oper: 3 });
    // A quiet minute ends it: the next failure is logged as it happens again.
    clock.advance(120_000);
    assert.equal(auth().length, 4);
    c.send('OPER root later');
    await c.waitFor('491');
    assert.equal(auth().length, 5);
    assert.equal(auth()[4]!.msg, 'failed OPER attempt');
  });
});
