// The admin API's contract (/admin/api/*), shared by the server (admin-api.ts), which
// validates every request body with these schemas, and the web admin panel
// (web/src/admin/api.ts), which takes its types from them. Pure: no Node imports, so that the
// browser build can import it too.
import { z } from 'zod';
import { readDuration } from '../protocol/duration.ts';
import { breaksLine, utf8ByteLength } from '../protocol/wire-text.ts';

/** The server's limits on text in a body; its config sets them (admin.textBytes, limits.kickLength). */
export interface AdminTextLimits {
  /** A broadcast: it must fit in one line as a PRIVMSG does. */
  textBytes: number;
  /** A kick, ban or mute reason. */
  reasonBytes: number;
}

export const DEFAULT_ADMIN_TEXT_LIMITS: AdminTextLimits = { textBytes: 400, reasonBytes: 390 };

/** A nick, mask, IP or CIDR: its meaning is the server's to check; here only its shape. */
const NAME_BYTES = 255;
const PASSWORD_BYTES = 1024;

/** Text of at most `max` UTF-8 bytes (CR, LF and NUL are the server's to remove). */
const text = (max: number) => z.string().refine((s) => utf8ByteLength(s) <= max, `at most ${max} bytes of UTF-8`);

/** A single name (nick, mask, operator): non-empty, one line, at most NAME_BYTES. */
const name = z
  .string()
  .refine((s) => s.trim() !== '', 'must not be empty')
  .refine((s) => utf8ByteLength(s) <= NAME_BYTES && !breaksLine(s), `one line of at most ${NAME_BYTES} bytes`);

const duration = z.string().superRefine((s, ctx) => {
  const given = s.trim();
  if (given === '') return; // blank: permanent, as if left out
  const reading = readDuration(given);
  if ('problem' in reading) ctx.addIssue({ code: 'custom', message: reading.problem });
});

const count = z.number().int().min(1).max(10_000_000);

/** Request bodies, one strict schema per POST action: unknown fields are refused too. */
export function adminRequestSchemas(limits: AdminTextLimits) {
  const reason = text(limits.reasonBytes);
  const target = z.strictObject({ target: name });
  const entry = z.strictObject({ target: name, duration: duration.optional(), reason: reason.optional() });
  return {
    login: z.strictObject({ name, password: text(PASSWORD_BYTES) }),
    kick: z.strictObject({ nick: name, reason: reason.optional() }),
    ban: entry,
    mute: entry,
    unban: target,
    unmute: target,
    broadcast: z.strictObject({ text: text(limits.textBytes).refine((s) => s.trim() !== '', 'Nothing to broadcast') }),
    limit: z.strictObject({ max: count.optional(), perIp: count.optional() }),
  };
}

export type AdminRequestSchemas = ReturnType<typeof adminRequestSchemas>;
export type AdminAction = Exclude<keyof AdminRequestSchemas, 'login'>;
/** The JSON body of a POST to /admin/api/<action>. */
export type AdminRequestBody<A extends keyof AdminRequestSchemas> = z.input<AdminRequestSchemas[A]>;

/** GET /admin/api/state. */
export const AdminStateSchema = z.object({
  server: z.object({
    name: z.string(),
    uptimeSeconds: z.number(),
    connections: z.number(),
    peakConnections: z.number(),
    limit: z.number(),
    perIpLimit: z.number(),
    messagesPerSecond: z.number(),
    /** The longest broadcast, in UTF-8 bytes (admin.textBytes): the panel counts down to it. */
    broadcastBytes: z.number(),
  }),
  users: z.array(
    z.object({
      nick: z.string(),
      user: z.string(),
      address: z.string(),
      since: z.number(),
      idleSeconds: z.number(),
      rooms: z.array(z.string()),
      transport: z.enum(['tcp', 'websocket', 'tls']),
      oper: z.boolean(),
    }),
  ),
  bans: z.array(
    z.object({
      list: z.enum(['ban', 'mute']),
      mask: z.string(),
      reason: z.string(),
      setBy: z.string(),
      setAt: z.number(),
      expiresAt: z.number().nullable(),
    }),
  ),
  audit: z.array(
    z.object({
      time: z.number(),
      actor: z.string(),
      action: z.string(),
      target: z.string().optional(),
      detail: z.string().optional(),
    }),
  ),
});

export type AdminState = z.infer<typeof AdminStateSchema>;

/** A refused request's body; `field` names the first field of the body that was wrong. */
export type AdminApiError = {
  ok: false;
  error: string;
  field?: string;
};
