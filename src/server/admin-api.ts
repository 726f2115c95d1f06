// The admin panel's JSON API on the web port: the same actions as the console and IRC
// operators (admin.ts), behind a bearer token from the config (`web.adminToken`).
// The HTTP plumbing is the transport's; this module only maps requests to actions.
import { timingSafeEqual } from 'node:crypto';
import { parseDuration } from '../protocol/duration.ts';
import { AdminError, type Actor } from './admin.ts';
import { ADMIN_UID } from './network.ts';
import type { ParlorServer } from './server.ts';

export interface AdminApiRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: unknown;
}

export interface AdminApiResponse {
  status: number;
  body: Record<string, unknown>;
}

function tokenMatches(expected: string, header: string | undefined): boolean {
  const given = Buffer.from(header?.replace(/^Bearer\s+/i, '') ?? '');
  const want = Buffer.from(expected);
  return given.length === want.length && timingSafeEqual(given, want);
}

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
  const token = server.config.web.adminToken;
  if (token === undefined) return { status: 404, body: { ok: false, error: 'The admin API is off: set web.adminToken in the config' } };
  if (!tokenMatches(token, req.authorization)) return { status: 401, body: { ok: false, error: 'Bad or missing admin token' } };
  const action = req.path.slice('/admin/api/'.length);
  if (req.method === 'GET' && action === 'state') return { status: 200, body: { ok: true, ...state(server) } };
  if (req.method !== 'POST') return { status: 405, body: { ok: false, error: 'Use POST for actions' } };
  const b = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, unknown>;
  const actor: Actor = { id: 'web-admin', nick: server.config.admin.nick, source: server.serverName, uid: ADMIN_UID };
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
