// Password guessing, the cases the first limits missed (over real sockets, several loopback
// addresses):
// - guesses sent all at once: each passed the lockout check before any was counted, so every
//   one in flight got its answer, the right password included, after the lockout had begun.
//   Now an attempt whose check was under way when a lockout began gets the lockout's answer.
//   The hashing queue is held by the test so that the guesses are checked one by one in the
//   order sent, after all of them have passed the first check.
// - a wrong bearer token on the admin API was not counted: web.adminToken could be guessed
//   without limit. Now it counts per address, as a wrong password does.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { ConfigInput } from '../../src/server/config.ts';
import { hashPassword } from '../../src/server/passwords.ts';
import { MemoryStore } from '../../src/storage/memory-store.ts';
import { ManualClock } from '../helpers/clock.ts';
import { RawClient, type Received } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const COST = 4; // scrypt log2(N): fast enough for tests
const HASH = await hashPassword('s3cret', COST);
const ATTACKER = '127.0.0.1';
const FRIEND = '127.0.0.2';
/** How long a test waits for the server to queue a check before it gives up. */
const QUEUE_WAIT_MS = 10_000;

const servers: TestServer[] = [];
after(async () => {
  for (const t of servers) await t.close();
});

async function serve(input: ConfigInput, clock = new ManualClock()): Promise<{ t: TestServer; clock: ManualClock }> {
  const t = await startServer(
    { ...input, accounts: { passwordCost: COST, ...input.accounts }, limits: { registrationTimeoutMs: 86_400_000, pingIntervalMs: 86_400_000, ...input.limits } },
    { store: new MemoryStore(), clock },
  );
  servers.push(t);
  return { t, clock };
}

/** Takes the only hashing slot until the returned function is called. */
function holdHashing(t: TestServer): () => Promise<void> {
  let release!: () => void;
  const hog = t.server.hashing.run(() => new Promise<void>((resolve) => (release = resolve)));
  return async () => {
    release();
    await hog;
  };
}

/** Resolves once `n` checks wait for their turn (bounded in time: the server may never queue them). */
async function whenWaiting(t: TestServer, n: number): Promise<void> {
  const deadline = Date.now() + QUEUE_WAIT_MS;
  while (t.server.hashing.load.waiting < n) {
    if (Date.now() > deadline) throw new Error(`${t.server.hashing.load.waiting} checks waiting, not ${n}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

async function connectFrom(t: TestServer, address: string): Promise<RawClient> {
  const c = await RawClient.connectFrom(address, t.port);
  t.clients.push(c);
  return c;
}

const plain = (account: string, password: string): string => Buffer.from(`\0${account}\0${password}`, 'utf8').toString('base64');

/** A connection from `address` that has sent its SASL PLAIN response (registration held). */
async function saslSent(t: TestServer, address: string, nick: string, account: string, password: string): Promise<RawClient> {
  const c = await connectFrom(t, address);
  c.send('CAP LS 302', `NICK ${nick}`, `USER ${nick} 0 * :${nick}`, 'CAP REQ :sasl');
  await c.waitFor((r) => r.msg.command === 'CAP' && r.msg.params[1] === 'ACK');
  c.send('AUTHENTICATE PLAIN');
  await c.waitFor((r) => r.raw === 'AUTHENTICATE +');
  c.send(`AUTHENTICATE ${plain(account, password)}`);
  return c;
}

const saslEnd = (r: Received): boolean => r.msg.command === '903' || r.msg.command === '904';

/** An HTTP request from `localAddress` to the web port: the status and the JSON answer. */
function request(port: number, localAddress: string, method: string, path: string, options: { body?: unknown; token?: string } = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string | number> = {};
    if (body !== undefined) Object.assign(headers, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
    const req = http.request({ host: '127.0.0.1', port, localAddress, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('guesses checked at once', () => {
  test('SASL from several addresses: once the account is locked out, the guesses still being checked get the lockout, the right password too', async () => {
    const { t } = await serve({ auth: { maxFailuresPerAddress: 100, maxFailuresPerAccount: 2, lockoutMs: 60_000, hashConcurrency: 1, hashQueue: 16 } });
    assert.ok(await t.server.store.createAccount({ name: 'victim', passwordHash: HASH, createdAt: t.server.now(), verified: true, suspended: false }));
    const release = holdHashing(t);
    const guesses = ['wrong 1', 'wrong 2', 'wrong 3', 's3cret'];
    const clients: RawClient[] = [];
    for (const [i, guess] of guesses.entries()) {
      clients.push(await saslSent(t, `127.0.0.${10 + i}`, `g${i}`, 'victim', guess));
      await whenWaiting(t, i + 1); // in the queue in the order sent
    }
    await release();
    const answers = await Promise.all(clients.map(async (c) => (await c.waitFor(saslEnd)).msg.params.at(-1)));
    const locked = 'SASL authentication failed: Too many failed logins for this name; try again in 60 seconds';
    assert.deepEqual(answers, ['SASL authentication failed', 'SASL authentication failed', locked, locked]);
    assert.equal(t.server.network.userCount, 0);
  });

  test('OPER from several addresses: the lockout answers the checks under way, the right password too', async () => {
    const { t } = await serve({ opers: [{ name: 'root', password: HASH }], auth: { maxFailuresPerAddress: 100, maxFailuresPerAccount: 2, lockoutMs: 60_000, hashConcurrency: 1, hashQueue: 16 } });
    const clients: RawClient[] = [];
    for (let i = 0; i < 4; i++) {
      const c = await connectFrom(t, `127.0.0.${10 + i}`);
      c.send(`NICK o${i}`, `USER o${i} 0 * :o`);
      await c.waitFor('376');
      clients.push(c);
    }
    const release = holdHashing(t);
    for (const [i, line] of ['OPER root a', 'OPER root b', 'OPER root c', 'OPER root s3cret'].entries()) {
      clients[i]!.send(line);
      await whenWaiting(t, i + 1);
    }
    await release();
    const answers = await Promise.all(clients.map(async (c) => (await c.waitFor((r) => r.msg.command === '491' || r.msg.command === '381')).msg.params.at(-1)));
    const locked = 'Too many failed OPER attempts for this name; try again in 60 seconds';
    assert.deepEqual(answers, ['Invalid oper credentials', 'Invalid oper credentials', locked, locked]);
    assert.equal(t.server.network.operCount, 0);
  });

  test('panel logins posted at once from one address: those checked after the lockout began get 429, the right password too', async () => {
    const { t } = await serve({ web: { enabled: true, port: 0 }, opers: [{ name: 'root', password: HASH }], auth: { maxFailuresPerAddress: 2, maxFailuresPerAccount: 100, lockoutMs: 60_000, hashConcurrency: 1, hashQueue: 16 } });
    const port = t.server.webAddress!.port;
    const release = holdHashing(t);
    const answers: Promise<{ status: number; json: Record<string, unknown> }>[] = [];
    for (const [i, password] of ['a', 'b', 'c', 's3cret'].entries()) {
      answers.push(request(port, ATTACKER, 'POST', '/admin/api/login', { body: { name: 'root', password } }));
      await whenWaiting(t, i + 1);
    }
    await release();
    const results = await Promise.all(answers);
    assert.deepEqual(
      results.map((r) => r.status),
      [401, 401, 429, 429],
    );
    assert.deepEqual(results[3]!.json, { ok: false, error: 'Too many failed logins from your address; try again in 60 seconds', retryAfterSeconds: 60 });
    assert.equal(t.server.panelSessions.size, 0);
  });
});

describe('the admin API bearer token', () => {
  const TOKEN = 'the-admin-token-for-tests';

  test('wrong tokens count against the address: then even the right token gets 429 until the lockout ends; other addresses, open panel sessions and a missing token are not held back', async () => {
    const { t, clock } = await serve({
      web: { enabled: true, port: 0, adminToken: TOKEN },
      opers: [{ name: 'root', password: HASH }],
      auth: { maxFailuresPerAddress: 3, maxFailuresPerAccount: 100, lockoutMs: 60_000 },
    });
    const port = t.server.webAddress!.port;
    const state = (address: string, token?: string): Promise<{ status: number; json: Record<string, unknown> }> =>
      request(port, address, 'GET', '/admin/api/state', token === undefined ? {} : { token });
    // An operator logged in to the panel from the attacker's address (a shared NAT, say).
    const login = await request(port, ATTACKER, 'POST', '/admin/api/login', { body: { name: 'root', password: 's3cret' } });
    assert.equal(login.status, 200);
    const session = String(login.json.token);
    // No token at all guesses nothing.
    for (let i = 0; i < 5; i++) assert.equal((await state(ATTACKER)).status, 401);
    for (const guess of ['guess-number-1', 'guess-number-2', 'guess-number-3']) {
      assert.deepEqual(await state(ATTACKER, guess), { status: 401, json: { ok: false, error: 'Bad or missing admin token' } });
    }
    const hashed = t.server.hashing.started;
    assert.deepEqual(await state(ATTACKER, TOKEN), {
      status: 429,
      json: { ok: false, error: 'Too many failed admin tokens from your address; try again in 60 seconds', retryAfterSeconds: 60 },
    });
    // Actions too, and the panel login: one per-address limit for every kind of guess.
    assert.equal((await request(port, ATTACKER, 'POST', '/admin/api/broadcast', { token: TOKEN, body: { text: 'hi' } })).status, 429);
    assert.equal((await request(port, ATTACKER, 'POST', '/admin/api/login', { body: { name: 'root', password: 's3cret' } })).status, 429);
    assert.equal(t.server.hashing.started, hashed, 'a locked-out login costs no hashing');
    // A panel session's random token is no guess: it goes on working.
    assert.equal((await state(ATTACKER, session)).status, 200);
    assert.equal((await state(FRIEND, TOKEN)).status, 200);
    clock.advance(60_000);
    assert.equal((await state(ATTACKER, TOKEN)).status, 200);
  });
});
