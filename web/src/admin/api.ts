// The admin API on the web port (/admin/api/*): a bearer token on every request, JSON both ways.
// Its types are the server's own (src/admin/api-contract.ts): what the server validates each
// body against is what this client is compiled against. Type-only imports: no zod in the bundle.
import type { AdminAction, AdminApiError, AdminRequestBody, AdminState } from '../../../src/admin/api-contract.ts';

export type { AdminAction, AdminRequestBody, AdminState };

/** A refused request: `status` 401 means the token is wrong, 404 that the API is off. */
export class AdminError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

const TOKEN_KEY = 'parlor.adminToken';

// sessionStorage: the token lasts for the tab, not on the device.
export function loadToken(): string {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? '';
  } catch {
    return '';
  }
}

export function saveToken(token: string): void {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // storage disabled: the token only lives in memory
  }
}

async function call<T>(token: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(new URL(`admin/api/${path}`, location.href), {
    method: body === undefined ? 'GET' : 'POST',
    headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data: { ok?: boolean; error?: AdminApiError['error'] } | undefined;
  try {
    data = (await res.json()) as typeof data;
  } catch {
    data = undefined;
  }
  // Without the server's own words (no JSON: the API is off, a proxy refused), the message is
  // empty and the panel says what the status means, in the page's language.
  if (!res.ok || data?.ok === false) throw new AdminError(data?.error ?? '', res.status);
  return data as T;
}

export const fetchState = (token: string) => call<AdminState>(token, 'state');

/** Whether the server has the admin API on (a token or operators configured); undefined if it cannot be told. */
export async function adminApiOn(): Promise<boolean | undefined> {
  try {
    const res = await fetch(new URL('admin/api/login', location.href));
    return res.status === 404 ? false : res.ok ? true : undefined;
  } catch {
    return undefined;
  }
}

/** An IRC operator's OPER name and password exchanged for a panel session token. */
export async function loginAsOper(name: string, password: string): Promise<string> {
  const body: AdminRequestBody<'login'> = { name, password };
  const r = await call<{ token: string }>('', 'login', body);
  return r.token;
}

/** Runs an action; resolves once the server has done it (the panel says so in its own language). */
export async function act<A extends AdminAction>(token: string, action: A, body: AdminRequestBody<A>): Promise<void> {
  await call<{ message?: string }>(token, action, body);
}
