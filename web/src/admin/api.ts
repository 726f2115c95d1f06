// The admin API on the web port (/admin/api/*): a bearer token on every request, JSON both ways.
export interface AdminState {
  server: { name: string; uptimeSeconds: number; connections: number; peakConnections: number; limit: number; perIpLimit: number; messagesPerSecond: number };
  users: { nick: string; user: string; address: string; since: number; idleSeconds: number; rooms: string[]; transport: 'tcp' | 'websocket' | 'tls'; oper: boolean }[];
  bans: { list: 'ban' | 'mute'; mask: string; reason: string; setBy: string; setAt: number; expiresAt: number | null }[];
  audit: { time: number; actor: string; action: string; target?: string; detail?: string }[];
}

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
  let data: { ok?: boolean; error?: string } | undefined;
  try {
    data = (await res.json()) as typeof data;
  } catch {
    data = undefined;
  }
  if (!res.ok || data?.ok === false) {
    const fallback = res.status === 404 ? 'The admin API is not enabled (set web.adminToken).' : `HTTP ${res.status}`;
    throw new AdminError(data?.error ?? fallback, res.status);
  }
  return data as T;
}

export const fetchState = (token: string) => call<AdminState>(token, 'state');

/** An IRC operator's OPER name and password exchanged for a panel session token. */
export async function loginAsOper(name: string, password: string): Promise<string> {
  const r = await call<{ token: string }>('', 'login', { name, password });
  return r.token;
}

/** Runs an action; resolves to the server's message. */
export async function act(token: string, action: string, body: Record<string, unknown>): Promise<string> {
  const r = await call<{ message?: string }>(token, action, body);
  return r.message ?? 'Done.';
}
