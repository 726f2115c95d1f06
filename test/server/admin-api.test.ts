// The admin panel's JSON API on the web port: token required, state as JSON, and the same
// actions as the console, audited as web-admin.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from '../helpers/irc.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const TOKEN = 'admin-api-test-token';
let t: TestServer;
let base: string;
before(async () => {
  t = await startServer({ web: { enabled: true, port: 0, adminToken: TOKEN } });
  base = `http://127.0.0.1:${t.server.webAddress!.port}/admin/api`;
});
after(() => t.close());

async function call(path: string, body?: unknown, token = TOKEN): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${base}/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

test('without the right token: 401; without a configured token: 404', async () => {
  assert.equal((await call('state', undefined, 'wrong')).status, 401);
  const other = await startServer({ web: { enabled: true, port: 0 } });
  const res = await fetch(`http://127.0.0.1:${other.server.webAddress!.port}/admin/api/state`);
  assert.equal(res.status, 404);
  await other.close();
});

test('state lists users with their rooms and transport, limits and the audit log', async () => {
  const a = await t.register('api_alice');
  await join(a, 'api_alice', '#api');
  const { status, json } = await call('state');
  assert.equal(status, 200);
  const users = json.users as { nick: string; rooms: string[]; transport: string; address: string }[];
  const alice = users.find((u) => u.nick === 'api_alice');
  assert.deepEqual(alice && { rooms: alice.rooms, transport: alice.transport, address: alice.address }, { rooms: ['#api'], transport: 'tcp', address: '127.0.0.1' });
  const server = json.server as { limit: number; perIpLimit: number };
  assert.equal(server.limit, 10_000);
  assert.equal(server.perIpLimit, 16);
});

test('kick, ban/unban, mute, broadcast and limit act like the console, audited as web-admin', async () => {
  const v = await t.register('api_victim');
  const w = await t.register('api_watch');
  assert.deepEqual((await call('broadcast', { text: 'maintenance 维护' })).json, { ok: true, message: `broadcast sent to ${t.server.network.userCount} user(s)` });
  assert.equal((await w.waitFor('NOTICE')).raw, ':test.parlor NOTICE $* :maintenance 维护');
  assert.equal((await call('kick', { nick: 'api_victim', reason: 'bye now' })).status, 200);
  assert.equal((await v.waitFor('ERROR')).raw, 'ERROR :Closing Link: 127.0.0.1 (Killed (admin (bye now)))');
  const ban = await call('ban', { target: 'api_banned', duration: '10m', reason: 'spam' });
  assert.equal(ban.json.message, 'banned api_banned!*@*; 0 client(s) affected');
  const listed = ((await call('state')).json.bans as { mask: string; expiresAt: number | null }[]).find((b) => b.mask === 'api_banned!*@*');
  assert.ok(listed && listed.expiresAt !== null);
  assert.equal((await call('unban', { target: 'api_banned' })).status, 200);
  assert.equal((await call('mute', { target: 'api_watch', reason: 'quiet' })).status, 200);
  await w.waitFor((r) => r.msg.command === 'NOTICE' && /muted/.test(r.msg.params[1] ?? ''));
  assert.deepEqual((await call('limit', { max: 500, perIp: 5 })).json, { ok: true, message: 'at most 500 connections, 5 per IP' });
  const bad = await call('ban', { target: 'a b', duration: 'soon' });
  assert.equal(bad.status, 400);
  assert.match(String(bad.json.error), /Not a duration: soon/);
  assert.equal((await call('kick', { nick: 'nobody_here' })).status, 400);
  const actions = t.server.audit.recent().filter((e) => e.actor === 'web-admin').map((e) => e.action);
  assert.deepEqual(actions, ['broadcast', 'kill', 'ban', 'unban', 'mute', 'limit', 'limit-ip']);
});

test('an IRC operator logs in to the panel with the OPER name and password; the session acts as that operator', async () => {
  const { hashPassword } = await import('../../src/server/passwords.ts');
  const o = await startServer({ web: { enabled: true, port: 0 }, opers: [{ name: 'root', password: await hashPassword('s3cret', 4) }] });
  const api = `http://127.0.0.1:${o.server.webAddress!.port}/admin/api`;
  const post = (path: string, body: unknown, token?: string) =>
    fetch(`${api}/${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...(token && { Authorization: `Bearer ${token}` }) }, body: JSON.stringify(body) });
  assert.equal((await post('login', { name: 'root', password: 'wrong' })).status, 401);
  assert.equal((await post('login', { name: 'nobody', password: 's3cret' })).status, 401);
  const res = await post('login', { name: 'root', password: 's3cret' });
  assert.equal(res.status, 200);
  const { token } = (await res.json()) as { token: string };
  assert.ok(token.length >= 40);
  const state = await fetch(`${api}/state`, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(state.status, 200);
  assert.equal((await post('limit', { max: 77 }, token)).status, 200);
  const actors = o.server.audit.recent().map((e) => `${e.actor} ${e.action}`);
  assert.deepEqual(actors, ['oper:root (web) panel login', 'oper:root (web) limit']);
  await o.close();
});
