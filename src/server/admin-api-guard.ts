// What an admin API request must be before anything acts on it: a POST from the panel's own
// page (or a site in web.allowedOrigins) with a JSON body of the action's schema
// (api-contract.ts). Browsers send Origin with every POST, so a page elsewhere that makes the
// operator's browser post (with the token it cannot read, or a login of its own) is refused;
// a request with no Origin at all is not a browser's, and is judged by its token alone, as a
// script's (curl) should be: any header it sends could be forged anyway.
import type { z } from 'zod';
import { adminRequestSchemas, type AdminApiError, type AdminRequestSchemas } from '../admin/api-contract.ts';
import type { ApiRequestHeaders } from '../transport/http.ts';
import type { Config } from './config.ts';

export interface AdminApiRefusal {
  status: 400 | 403 | 415;
  body: AdminApiError & { code: AdminApiRefusalCode };
}

export type AdminApiRefusalCode = 'cross-origin' | 'not-json' | 'invalid-body';

function refusal(status: AdminApiRefusal['status'], code: AdminApiRefusalCode, error: string, field?: string): AdminApiRefusal {
  return { status, body: { ok: false, code, error, ...(field !== undefined && { field }) } };
}

/**
 * Whether a POST may come from `origin`: none (not a browser), the page's own origin (same
 * host as the request's), or one listed in web.allowedOrigins. A '*' there lets any site's
 * page open the chat WebSocket; it does not open the admin API to them.
 */
export function adminOriginAllowed(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined) return true;
  if (origin !== '*' && allowed.includes(origin)) return true;
  if (host === undefined) return false;
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.host === host.toLowerCase();
  } catch {
    return false; // "null" (a sandboxed page, a file) and anything else unreadable
  }
}

/** `application/json`, with or without parameters (`; charset=utf-8`). */
function isJson(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const semicolon = contentType.indexOf(';');
  return (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase() === 'application/json';
}

/**
 * A POST refused before it is read: from another site's page (403), or with a body that is
 * not declared JSON (415) — `text/plain` is what a page elsewhere can post without asking.
 */
export function refusePost(headers: ApiRequestHeaders, config: Pick<Config, 'web'>): AdminApiRefusal | undefined {
  if (!adminOriginAllowed(headers.origin, headers.host, config.web.allowedOrigins)) {
    return refusal(403, 'cross-origin', `Requests from ${String(headers.origin).slice(0, 100)} are refused: the admin API answers only its own page (or web.allowedOrigins)`);
  }
  if (!isJson(headers.contentType)) return refusal(415, 'not-json', 'The body must be JSON, sent as Content-Type: application/json');
  return undefined;
}

/** Readable issues: `reason: at most 390 bytes of UTF-8; nick: …`. */
function describe(error: z.ZodError): { text: string; field: string } {
  const parts = error.issues.map((issue) => {
    const keys = issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : undefined;
    const where = issue.path.length > 0 ? issue.path.join('.') : keys ?? 'body';
    return { where, text: `${where}: ${issue.message}` };
  });
  return { text: parts.map((p) => p.text).join('; '), field: parts[0]?.where ?? 'body' };
}

export type AdminBody<A extends keyof AdminRequestSchemas> = z.output<AdminRequestSchemas[A]>;

/** A body its action's schema refuses: answered 400, naming the (first) wrong field. */
export class InvalidAdminBodyError extends Error {
  override name = 'InvalidAdminBodyError';
  readonly code = 'invalid-body';
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }

  get refusal(): AdminApiRefusal {
    return refusal(400, this.code, this.message, this.field);
  }
}

/** The body of a POST to `action` as its schema reads it; throws InvalidAdminBodyError. */
export function readBody<A extends keyof AdminRequestSchemas>(action: A, body: unknown, config: Pick<Config, 'admin' | 'limits'>): AdminBody<A> {
  const schemas = adminRequestSchemas({ textBytes: config.admin.textBytes, reasonBytes: config.limits.kickLength });
  const result = schemas[action].safeParse(body);
  if (result.success) return result.data as AdminBody<A>;
  const { text, field } = describe(result.error);
  throw new InvalidAdminBodyError(text, field);
}
