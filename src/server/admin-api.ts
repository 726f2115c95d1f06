// The admin panel's JSON API on the web port: the same actions as the console and IRC
// operators (admin.ts), behind a bearer token from the config (`web.adminToken`).
// The HTTP plumbing is the transport's; this module only maps requests to actions.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { matchMask } from '../protocol/mask.ts';
import { verifyPassword } from './passwords.ts';
import { parseDuration } from '../protocol/duration.ts';
import { AdminError, type Actor } from './admin.ts';
import { ADMIN_UID } from './network.ts';
import type { ParlorServer } from './server.ts';

export interface AdminApiRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: unknown;
  /** The client's address, for operator host masks and the audit log. */
  address?: string | undefined;
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

/** Panel sessions of IRC operators who logged in with their OPER name and password. */
interface OperSession {
  oper: string;
  expiresAt: number;
}

const SESSION_MS = 12 * 3_600_000;
const operSessions = new WeakMap<ParlorServer, Map<string, OperSession>>();

function sessionsOf(server: ParlorServer): Map<string, OperSession> {
  let map = operSessions.get(server);
  if (!map) operSessions.set(server, (map = new Map()));
  return map;
}

/** Who a bearer token stands for: the configured admin token, or an operator's panel session. */
function actorFor(server: ParlorServer, header: string | undefined): Actor | undefined {
  const given = header?.replace(/^Bearer\s+/i, '') ?? '';
  if (given === '') return undefined;
  const base = { nick: server.config.admin.nick, source: server.serverName, uid: ADMIN_UID };
  const token = server.config.web.adminToken;
  if (token !== undefined && tokenMatches(token, given)) return { id: 'web-admin', ...base };
  const session = sessionsOf(server).get(given);
  if (!session) return undefined;
  if (session.expiresAt <= server.now()) {
    sessionsOf(server).delete(given);
    return undefined;
  }
  return { id: `oper:${session.oper} (web)`, ...base };
}

/** POST /admin/api/login {name, password}: an IRC operator's OPER credentials open the panel. */
async function login(server: ParlorServer, body: Record<string, unknown>, address: string): Promise<AdminApiResponse> {
  const name = str(body.name) ?? '';
  const entry = server.config.opers.find((o) => o.name === name);
  // The hash is checked even for an unknown name, so that timing does not tell names apart.
  const ok = await verifyPassword(typeof body.password === 'string' ? body.password : '', entry?.password ?? DUMMY_HASH);
  if (!entry || !ok || !entry.hosts.some((h) => matchMask(h.slice(h.indexOf('@') + 1), address))) {
    server.logger.warn({ name, address }, 'failed admin panel login');
    return { status: 401, body: { ok: false, error: 'Wrong operator name or password' } };
  }
  const token = randomBytes(32).toString('base64url');
  sessionsOf(server).set(token, { oper: entry.name, expiresAt: server.now() + SESSION_MS });
  server.audit.record({ time: server.now(), actor: `oper:${entry.name} (web)`, action: 'panel login', target: address });
  return { status: 200, body: { ok: true, token, expiresInSeconds: SESSION_MS / 1000 } };
}

const DUMMY_HASH = '$scrypt$ln=15,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

function durationOf(v: unknown): number | undefined {
  const text = str(v);
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === undefined) throw new AdminError('invalid-value', `Not a duration: ${text} (use 30s, 10m, 2h, 7d)`);
  return ms;
}

function state(server: ParlorServer): Record<string, unknown> {
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
  const b = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, unknown>;
  if (action === 'login' && req.method === 'POST') return login(server, b, req.address ?? 'unknown');
  const actor = actorFor(server, req.authorization);
  if (!actor) {
    server.logger.info({ address: req.address, action, tokenGiven: req.authorization !== undefined }, 'admin API request refused: bad or missing token');
    return { status: 401, body: { ok: false, error: 'Bad or missing admin token' } };
  }
  if (req.method === 'GET' && action === 'state') return { status: 200, body: { ok: true, ...state(server) } };
  if (req.method !== 'POST') return { status: 405, body: { ok: false, error: 'Use POST for actions' } };
  const admin = server.admin;
  try {
    let message: string;
    switch (action) {
      case 'kick': {
        const reason = str(b.reason) ?? 'Disconnected by the server operator';
        message = `disconnected ${admin.kill(actor, str(b.nick) ?? '', reason)}`;
        break;
      }
      case 'ban':
      case 'mute': {
        const target = str(b.target) ?? '';
        const reason = str(b.reason) ?? 'No reason given';
        const result = admin[action](actor, target, durationOf(b.duration), reason);
        message = `${action === 'ban' ? 'banned' : 'muted'} ${result.ban.mask}; ${result.affected} client(s) affected`;
        break;
      }
      case 'unban':
        message = `unbanned ${admin.unban(actor, str(b.target) ?? '').mask}`;
        break;
      case 'unmute':
        message = `unmuted ${admin.unmute(actor, str(b.target) ?? '').mask}`;
        break;
      case 'broadcast':
        message = `broadcast sent to ${admin.broadcast(actor, str(b.text) ?? '')} user(s)`;
        break;
      case 'limit': {
        if (b.max !== undefined) admin.setConnectionLimit(actor, Number(b.max));
        if (b.perIp !== undefined) admin.setPerIpLimit(actor, Number(b.perIp));
        message = `at most ${server.gate.maxConnections} connections, ${server.gate.maxPerIp} per IP`;
        break;
      }
      default:
        return { status: 404, body: { ok: false, error: `No admin action ${action}` } };
    }
    return { status: 200, body: { ok: true, message } };
  } catch (err) {
    if (err instanceof AdminError) return { status: 400, body: { ok: false, error: err.message } };
    throw err;
  }
}
