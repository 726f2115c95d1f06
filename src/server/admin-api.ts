// The admin panel's JSON API on the web port: the same actions as the console and IRC
// operators (admin.ts), behind a bearer token from the config (`web.adminToken`).
// The HTTP plumbing is the transport's; this module only maps requests to actions.
import { timingSafeEqual } from 'node:crypto';
import { matchMask } from '../protocol/mask.ts';
import { verifyPassword } from './passwords.ts';
import { lockoutText, operKey, type AuthAttempt, type Lockout } from './auth-guard.ts';
import { HashQueueFullError } from './scrypt-queue.ts';
import { readDuration } from '../protocol/duration.ts';
import { AdminError, type Actor } from './admin.ts';
import type { AdminState } from '../admin/api-contract.ts';
import type { ApiRequestHeaders } from '../transport/http.ts';
import { InvalidAdminBodyError, readBody, refusePost } from './admin-api-guard.ts';
import { ADMIN_UID } from '../network/network-state.ts';
import type { ParlorServer } from './server.ts';

export interface AdminApiRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: unknown;
  /** The client's address, for operator host masks and the audit log. */
  address?: string | undefined;
  /** Origin and Content-Type, checked on every POST (admin-api-guard.ts). */
  headers: ApiRequestHeaders;
}

export interface AdminApiResponse {
  status: number;
  body: Record<string, unknown>;
}

function tokenMatches(expected: string, given: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Who a bearer token stands for: an operator's panel session, or the configured admin token;
 * else the refusal. A wrong token is a guess at web.adminToken: it counts against the address
 * as a wrong password does (auth-guard.ts), and a locked-out address gets 429 before the token
 * is compared. Panel session tokens are 256 random bits, so looking one up first tells a
 * guesser nothing, and an operator's open panel goes on while its address is locked out.
 */
function authorize(server: ParlorServer, header: string | undefined, address: string, action: string): { actor: Actor } | { refusal: AdminApiResponse } {
  const badToken: AdminApiResponse = { status: 401, body: { ok: false, error: 'Bad or missing admin token' } };
  const given = header?.replace(/^Bearer\s+/i, '') ?? '';
  if (given === '') {
    server.logger.info({ address, action, tokenGiven: header !== undefined }, 'admin API request refused: bad or missing token');
    return { refusal: badToken };
  }
  const base = { nick: server.config.admin.nick, source: server.serverName, uid: ADMIN_UID };
  const oper = server.panelSessions.operFor(given);
  if (oper !== undefined) {
    // An operator taken out of the config (and reloaded) loses the panel at once, not at expiry.
    if (server.config.opers.some((o) => o.name === oper)) return { actor: { id: `oper:${oper} (web)`, ...base } };
    server.panelSessions.end(given);
    return { refusal: badToken };
  }
  const attempt: AuthAttempt = { kind: 'token', address };
  const lockout = server.authGuard.lockout(attempt);
  if (lockout) {
    return { refusal: { status: 429, body: { ok: false, error: lockoutText(lockout, 'admin tokens'), retryAfterSeconds: Math.ceil(lockout.retryAfterMs / 1000) } } };
  }
  const token = server.config.web.adminToken;
  if (token !== undefined && tokenMatches(token, given)) return { actor: { id: 'web-admin', ...base } };
  server.authGuard.failed(attempt, 'admin API request refused: bad or missing token', { address, action, tokenGiven: true });
  return { refusal: badToken };
}

/**
 * POST /admin/api/login {name, password}: an IRC operator's OPER credentials open the panel.
 * Failures count with OPER's (per address, and per operator name); a locked-out attempt
 * gets 429 before any hashing, a full hashing queue 503; both say when to try again.
 */
async function login(server: ParlorServer, body: Record<string, unknown>, address: string): Promise<AdminApiResponse> {
  const name = str(body.name) ?? '';
  const attempt: AuthAttempt = { kind: 'panel', address, account: operKey(name) };
  const locked = (lockout: Lockout): AdminApiResponse => ({
    status: 429,
    body: { ok: false, error: lockoutText(lockout, 'logins'), retryAfterSeconds: Math.ceil(lockout.retryAfterMs / 1000) },
  });
  const lockout = server.authGuard.lockout(attempt);
  if (lockout) return locked(lockout);
  const entry = server.config.opers.find((o) => o.name === name);
  // The host is checked first; from a host not allowed (or for an unknown name) a hash of
  // nothing is checked instead of the operator's, so that neither answer nor timing differ.
  const hostAllowed = entry !== undefined && entry.hosts.some((h) => matchMask(h.slice(h.indexOf('@') + 1), address));
  const hash = hostAllowed && entry ? entry.password : DUMMY_HASH;
  let ok: boolean;
  try {
    ok = await server.hashing.run(() => verifyPassword(typeof body.password === 'string' ? body.password : '', hash));
  } catch (err) {
    if (!(err instanceof HashQueueFullError)) throw err;
    return { status: 503, body: { ok: false, error: err.message, retryAfterSeconds: 1 } };
  }
  // Logins sent at once are checked at once: a lockout one of them began answers the rest.
  const lateLockout = server.authGuard.lockout(attempt);
  if (lateLockout) return locked(lateLockout);
  if (!entry || !hostAllowed || !ok) {
    const reason = !entry ? 'unknown name' : !hostAllowed ? 'host not allowed' : 'wrong password';
    server.authGuard.failed(attempt, 'failed admin panel login', { name, address, reason });
    return { status: 401, body: { ok: false, error: 'Wrong operator name or password' } };
  }
  server.authGuard.succeeded(attempt);
  const { token, expiresInSeconds } = server.panelSessions.open(entry.name);
  server.audit.record({ time: server.now(), actor: `oper:${entry.name} (web)`, action: 'panel login', target: address });
  return { status: 200, body: { ok: true, token, expiresInSeconds } };
}

const DUMMY_HASH = '$scrypt$ln=15,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

function durationOf(v: unknown): number | undefined {
  const text = str(v);
  if (text === undefined) return undefined;
  const reading = readDuration(text);
  if ('problem' in reading) throw new AdminError('invalid-value', reading.problem);
  return reading.ms;
}

function state(server: ParlorServer): AdminState {
  const now = server.now();
  const users = [...server.sessions]
    .filter((s) => s.user !== undefined)
    .map((s) => ({
      nick: s.user!.nick,
      user: s.user!.username,
      address: s.conn.remoteAddress,
      since: s.connectedAt,
      idleSeconds: Math.round((now - s.lastSpokeAt) / 1000),
      rooms: [...s.user!.joined].map((c) => c.name),
      transport: s.conn.transport,
      oper: s.user!.hasMode('o'),
    }));
  const bans = (['ban', 'mute'] as const).flatMap((list) =>
    server.admin.list(list).map((b) => ({ list, mask: b.mask, reason: b.reason, setBy: b.setBy, setAt: b.setAt, expiresAt: b.expiresAt ?? null })),
  );
  return {
    server: {
      name: server.serverName,
      uptimeSeconds: Math.round((now - server.createdAt) / 1000),
      connections: server.sessions.size,
      peakConnections: server.stats.peakConnections,
      limit: server.gate.maxConnections,
      perIpLimit: server.gate.maxPerIp,
      messagesPerSecond: server.stats.messages.rate(now, 10),
      broadcastBytes: server.config.admin.textBytes,
    },
    users,
    bans,
    audit: server.audit.recent(100),
  };
}

/** Answers one admin API request; undefined when the path is not the API's. */
export async function handleAdminApi(server: ParlorServer, req: AdminApiRequest): Promise<AdminApiResponse | undefined> {
  if (!req.path.startsWith('/admin/api/')) return undefined;
  if (server.config.web.adminToken === undefined && server.config.opers.length === 0) {
    return { status: 404, body: { ok: false, error: 'The admin API is off: set web.adminToken or define opers in the config' } };
  }
  const action = req.path.slice('/admin/api/'.length);
  if (req.method === 'POST') {
    const refused = refusePost(req.headers, server.config);
    if (refused) return refused;
  }
  // Asked before any login: the panel says up front whether it is on (this answer) or off (the 404 above).
  if (action === 'login' && req.method === 'GET') return { status: 200, body: { ok: true } };
  if (action === 'login' && req.method === 'POST') {
    try {
      return await login(server, readBody('login', req.body, server.config), req.address ?? 'unknown');
    } catch (err) {
      if (err instanceof InvalidAdminBodyError) return err.refusal;
      throw err;
    }
  }
  const authorized = authorize(server, req.authorization, req.address ?? 'unknown', action);
  if ('refusal' in authorized) return authorized.refusal;
  const { actor } = authorized;
  if (req.method === 'GET' && action === 'state') return { status: 200, body: { ok: true, ...state(server) } };
  if (req.method !== 'POST') return { status: 405, body: { ok: false, error: 'Use POST for actions' } };
  const admin = server.admin;
  const config = server.config;
  try {
    let message: string;
    switch (action) {
      case 'kick': {
        const b = readBody('kick', req.body, config);
        const reason = str(b.reason) ?? 'Disconnected by the server operator';
        message = `disconnected ${await admin.kill(actor, b.nick.trim(), reason)}`;
        break;
      }
      case 'ban':
      case 'mute': {
        const b = readBody(action, req.body, config);
        const reason = str(b.reason) ?? 'No reason given';
        const result = await admin[action](actor, b.target.trim(), durationOf(b.duration), reason);
        message = `${action === 'ban' ? 'banned' : 'muted'} ${result.ban.mask}; ${result.affected} client(s) affected`;
        break;
      }
      case 'unban':
        message = `unbanned ${(await admin.unban(actor, readBody('unban', req.body, config).target.trim())).mask}`;
        break;
      case 'unmute':
        message = `unmuted ${(await admin.unmute(actor, readBody('unmute', req.body, config).target.trim())).mask}`;
        break;
      case 'broadcast':
        message = `broadcast sent to ${await admin.broadcast(actor, readBody('broadcast', req.body, config).text.trim())} user(s)`;
        break;
      case 'limit': {
        const b = readBody('limit', req.body, config);
        if (b.max !== undefined) await admin.setConnectionLimit(actor, b.max);
        if (b.perIp !== undefined) await admin.setPerIpLimit(actor, b.perIp);
        message = `at most ${server.gate.maxConnections} connections, ${server.gate.maxPerIp} per IP`;
        break;
      }
      default:
        return { status: 404, body: { ok: false, error: `No admin action ${action}` } };
    }
    return { status: 200, body: { ok: true, message } };
  } catch (err) {
    if (err instanceof InvalidAdminBodyError) return err.refusal;
    if (err instanceof AdminError) return { status: 400, body: { ok: false, error: err.message } };
    throw err;
  }
}
