// What the admin API accepts, over real HTTP on 127.0.0.1: every POST body is checked against
// its action's schema (the contract shared with the web panel), POSTs from another site's
// page are refused (403), bodies not sent as JSON are refused (415), and operators' panel
// logins expire on the server's sweep timer (a ManualClock moves time) and are capped.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AdminStateSchema, DEFAULT_ADMIN_TEXT_LIMITS } from '../../src/admin/api-contract.ts';
import { parseConfig } from '../../src/server/config.ts';
import { hashPassword } from '../../src/server/passwords.ts';
import { ManualClock } from '../helpers/clock.ts';
import { joinAll } from '../helpers/irc.ts';
import type { RawClient } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const TOKEN = 'admin-guard-test-token';

interface Answer {
  status: number;
  json: Record<string, unknown>;
}

async function request(url: string, init: { body?: string; headers?: Record<string, string>; method?: string }): Promise<Answer> {
  const res = await fetch(url, { method: init.method ?? 'POST', headers: init.headers, body: init.body });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('request bodies, Origin and Content-Type', () => {
  let t: TestServer;
  let base: string;
  let page: string;
  let alice: RawClient;
  let bob: RawClient;

  before(async () => {
    t = await startServer({ web: { enabled: true, port: 0, adminToken: TOKEN, allowedOrigins: ['https://chat.example', '*'] } });
    const port = t.server.webAddress!.port;
    base = `http://127.0.0.1:${port}/admin/api`;
    page = `http://127.0.0.1:${port}`;
    alice = await t.register('alice');
    bob = await t.register('bob');
    await joinAll('#chat', alice, bob);
  });
  after(() => t.close());

  const post = (action: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> =>
    request(`${base}/${action}`, {
      body: typeof body === 'string' ? body : JSON.stringify(body),
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json', ...headers },
    });

  /** What the audit log holds of the API's actions: nothing refused may show up there. */
  const audited = (): string[] => t.server.audit.recent().map((e) => `${e.action} ${e.detail ?? ''}`.trim());

  async function stillChatting(text: string): Promise<void> {
    alice.send(`PRIVMSG #chat :${text}`);
    await bob.waitFor((r) => r.msg.command === 'PRIVMSG' && r.msg.params[1] === text);
  }

  test('wrong types, missing and unknown fields: 400 with a JSON error naming the field; nothing done', async () => {
    const rows: [string, unknown, string, RegExp][] = [
      ['kick', { nick: 42 }, 'nick', /nick: .*expected string/i],
      ['kick', {}, 'nick', /nick: /],
      ['kick', { nick: 'alice', reason: ['a'] }, 'reason', /reason: /],
      ['kick', { nick: 'alice', extra: true }, 'extra', /extra/],
      ['ban', { target: 'x', duration: 5 }, 'duration', /duration: /],
      ['ban', { target: 'x', duration: 'soon' }, 'duration', /Not a duration: soon/],
      ['ban', { target: 'a\r\nb' }, 'target', /target: /],
      ['limit', { max: '500' }, 'max', /max: /],
      ['limit', { max: 1.5 }, 'max', /max: /],
      ['limit', { perIp: 0 }, 'perIp', /perIp: /],
      ['broadcast', { text: '   ' }, 'text', /Nothing to broadcast/],
      ['broadcast', 'not json at all', 'body', /body: /],
      ['broadcast', [], 'body', /body: /],
      ['unban', null, 'body', /body: /],
    ];
    for (const [action, body, field, error] of rows) {
      const { status, json } = await post(action, body);
      assert.equal(status, 400, `${action} ${JSON.stringify(body)}: ${JSON.stringify(json)}`);
      assert.equal(json.ok, false);
      assert.equal(json.code, 'invalid-body');
      assert.equal(json.field, field, `${action} ${JSON.stringify(body)}: ${JSON.stringify(json)}`);
      assert.match(String(json.error), error);
    }
    assert.equal(t.server.gate.maxConnections, 10_000);
    assert.deepEqual(audited(), []);
    await stillChatting('after the refused bodies');
  });

  test('a broadcast is at most 400 bytes of UTF-8, like a PRIVMSG: 400 passes, 401 is refused', async () => {
    assert.equal(DEFAULT_ADMIN_TEXT_LIMITS.textBytes, 400);
    assert.equal(parseConfig({}).admin.textBytes, 400);
    const mark = bob.received.length;
    const exact = '中'.repeat(133) + 'a'; // 399 + 1 bytes
    assert.equal((await post('broadcast', { text: exact })).status, 200);
    const over = '中'.repeat(133) + 'ab';
    const refused = await post('broadcast', { text: over });
    assert.equal(refused.status, 400);
    assert.equal(refused.json.field, 'text');
    assert.match(String(refused.json.error), /at most 400 bytes/);
    await bob.sync();
    const notices = bob.since(mark).filter((r) => r.msg.command === 'NOTICE');
    assert.deepEqual(
      notices.map((r) => r.msg.params[1]),
      [exact],
    );
    // A reason is held to limits.kickLength (390) bytes.
    const long = await post('kick', { nick: 'alice', reason: 'x'.repeat(391) });
    assert.equal(long.json.field, 'reason');
    assert.ok(!alice.closed);
  });

  test('a POST from another site is refused with 403, with or without the token; nothing is done', async () => {
    const mark = bob.received.length;
    for (const origin of ['http://evil.example', 'null', 'http://127.0.0.1:1', `${page}.evil.example`, 'file://']) {
      const answer = await post('broadcast', { text: `from ${origin}` }, { Origin: origin });
      assert.equal(answer.status, 403, origin);
      assert.equal(answer.json.code, 'cross-origin');
    }
    // The login, too: a page elsewhere may not try passwords through the operator's browser.
    const login = await post('login', { name: 'root', password: 'x' }, { Origin: 'http://evil.example' });
    assert.equal(login.status, 403);
    await bob.sync();
    assert.deepEqual(
      bob.since(mark).filter((r) => r.msg.command === 'NOTICE'),
      [],
    );
    assert.ok(!audited().some((a) => a.startsWith('broadcast from')));
  });

  test("the page's own origin, a listed origin and no Origin at all (curl) are accepted; '*' does not open the API", async () => {
    assert.equal((await post('limit', {}, { Origin: page })).status, 200);
    assert.equal((await post('limit', {}, { Origin: 'https://chat.example' })).status, 200);
    assert.equal((await post('limit', {})).status, 200);
    // allowedOrigins has '*' (any site may open the chat WebSocket); the admin API stays closed to them.
    assert.equal((await post('limit', {}, { Origin: 'https://other.example' })).status, 403);
  });

  test('a body that is not declared JSON is refused with 415: text/plain (what any page may post), form data, none', async () => {
    for (const type of ['text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonp']) {
      const answer = await post('broadcast', { text: 'sneaky' }, { 'Content-Type': type });
      assert.equal(answer.status, 415, type);
      assert.equal(answer.json.code, 'not-json');
    }
    const none = await request(`${base}/broadcast`, { body: undefined, headers: { Authorization: `Bearer ${TOKEN}` } });
    assert.equal(none.status, 415);
    assert.equal((await post('limit', {}, { 'Content-Type': 'Application/JSON; charset=utf-8' })).status, 200);
    assert.ok(!audited().includes('broadcast sneaky'));
    await stillChatting('after the refused content types');
  });

  test('GET state matches the schema the web panel is compiled against', async () => {
    const res = await fetch(`${base}/state`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    const state = AdminStateSchema.parse(await res.json());
    assert.ok(state.users.some((u) => u.nick === 'alice' && u.rooms.includes('#chat')));
  });
});

describe('operator panel logins', () => {
  const PASSWORD = 'panel-pass';
  let hash: string;
  before(async () => {
    hash = await hashPassword(PASSWORD, 4);
  });

  async function operServer(clock: ManualClock | undefined, admin: Record<string, number> = {}): Promise<{ t: TestServer; base: string }> {
    const t = await startServer({ web: { enabled: true, port: 0 }, opers: [{ name: 'root', password: hash }], admin }, clock ? { clock } : {});
    return { t, base: `http://127.0.0.1:${t.server.webAddress!.port}/admin/api` };
  }

  async function login(base: string): Promise<string> {
    const answer = await request(`${base}/login`, { body: JSON.stringify({ name: 'root', password: PASSWORD }), headers: { 'Content-Type': 'application/json' } });
    assert.equal(answer.status, 200, JSON.stringify(answer.json));
    return answer.json.token as string;
  }

  const stateWith = async (base: string, token: string): Promise<number> =>
    (await fetch(`${base}/state`, { headers: { Authorization: `Bearer ${token}` } })).status;

  test('expired tokens are dropped by the sweep timer, without being presented again', async () => {
    const clock = new ManualClock();
    const { t, base } = await operServer(clock, { panelSessionMs: 60_000 });
    try {
      assert.equal(parseConfig({}).admin.panelSessionMs, 12 * 3_600_000);
      const first = await login(base);
      clock.advance(30_000);
      const second = await login(base);
      assert.equal(t.server.panelSessions.size, 2);
      assert.equal(await stateWith(base, first), 200);
      clock.advance(35_000); // the first has expired, the second has not
      assert.equal(t.server.panelSessions.size, 1, 'the sweep dropped the expired token');
      assert.equal(await stateWith(base, second), 200);
      assert.equal(await stateWith(base, first), 401);
      clock.advance(60_000);
      assert.equal(t.server.panelSessions.size, 0);
      assert.equal(await stateWith(base, second), 401);
    } finally {
      await t.close();
    }
  });

  test('at most admin.panelSessions logins are held: one more ends the oldest', async () => {
    assert.equal(parseConfig({}).admin.panelSessions, 100);
    const { t, base } = await operServer(undefined, { panelSessions: 2 });
    try {
      const tokens = [await login(base), await login(base), await login(base)];
      assert.equal(t.server.panelSessions.size, 2);
      assert.deepEqual(await Promise.all(tokens.map((token) => stateWith(base, token))), [401, 200, 200]);
    } finally {
      await t.close();
    }
  });

  test('an operator removed from the config loses the panel at once', async () => {
    const { t, base } = await operServer(undefined);
    try {
      const token = await login(base);
      assert.equal(await stateWith(base, token), 200);
      // What a reload that keeps another operator but not root leaves.
      t.server.config = { ...t.server.config, opers: [{ ...t.server.config.opers[0]!, name: 'other' }] };
      assert.equal(await stateWith(base, token), 401);
      assert.equal(t.server.panelSessions.size, 0);
    } finally {
      await t.close();
    }
  });

  test('closing the server ends every panel login', async () => {
    const { t, base } = await operServer(undefined);
    await login(base);
    assert.equal(t.server.panelSessions.size, 1);
    await t.close();
    assert.equal(t.server.panelSessions.size, 0);
  });
});
