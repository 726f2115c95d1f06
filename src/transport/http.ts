// The web port: the built web client (static files), the IRC WebSocket endpoint (at /irc and /,
// config web.ircPaths), and a health endpoint. Browsers refuse the IRC ports 6665–6669, hence
// a port of its own.
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { Connection, SecureListener, TlsCredentials, TransportLimits } from './connection.ts';
import { answerClientError, applySecurityHeaders, declaredBodyTooLarge, HttpRequestError, readJsonBody, refuseBody, refusedSocketAnswer, requestPath } from './http-guard.ts';
import { staticFiles, type StaticFiles } from './static-files.ts';
import { normalizeAddress } from './tcp.ts';
import { forwardedClientAddress, type ProxyPolicy } from './trusted-proxies.ts';
import { chooseSubprotocol, WebSocketConnection } from './websocket.ts';

/** A place in the server's connection limits, held by one web socket until it closes. */
export interface ConnectionSlot {
  release(): void;
}

/** The web port's own limits and paths (config `web`). */
export interface WebPortLimits {
  /**
   * Paths where a WebSocket upgrade is IRC; an upgrade elsewhere gets 404. `/` can be one: a page
   * load there is a plain GET, the upgrade a request of its own.
   */
  ircPaths: readonly string[];
  maxConnections: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /** A socket idle this long, neither reading nor being read, is closed. */
  idleTimeoutMs: number;
  maxHeaderBytes: number;
  maxBodyBytes: number;
}

/** What the admin API checks of a request's headers: where it comes from, what its body is. */
export interface ApiRequestHeaders {
  origin: string | undefined;
  host: string | undefined;
  contentType: string | undefined;
}

export interface HttpListenOptions<Slot extends ConnectionSlot = ConnectionSlot> {
  host: string;
  port: number;
  limits: TransportLimits;
  web: WebPortLimits;
  /** With tls: a socket that has not finished its handshake by then is closed. */
  handshakeTimeoutMs?: number;
  /**
   * Every accepted socket (after its TLS handshake) asks for a place in the connection limits;
   * a refused one is answered 503 and closed. The place is released when the socket closes, or
   * handed to the chat connection the socket is upgraded to (onConnection's slot).
   */
  admitSocket?(address: string, viaProxy: boolean): { slot: Slot; refusal?: undefined } | { refusal: string };
  /**
   * Trusted proxies: a request from one is the client's its forwarding header names. Its socket is
   * admitted as the proxy's (viaProxy: no per-address limit; the client's comes with the WebSocket).
   */
  proxy?(): ProxyPolicy | undefined;
  /** Built web client to serve; missing files give 404, a missing directory a hint page. */
  staticDir: string | undefined;
  /** Origins allowed to open the WebSocket; the page's own origin always is; '*' allows any. */
  allowedOrigins: string[];
  /** Serve HTTPS (and WSS) with this certificate and key. */
  tls?: TlsCredentials;
  /** JSON for GET /health. */
  health(): Record<string, unknown>;
  /** JSON for GET /client-settings.json: what the web client needs to know of the server (its landing room). */
  clientSettings?(): Record<string, unknown>;
  /** GET /metrics (Prometheus); the handler decides who may scrape. Without it, /metrics is a static path. */
  metrics?(req: { address: string; authorization: string | undefined }): Promise<{ status: number; contentType: string; body: string }>;
  /** JSON API routes (the admin panel's): undefined when a path is not theirs. */
  api?(req: { method: string; path: string; authorization: string | undefined; body: unknown; address: string; headers: ApiRequestHeaders }): Promise<{ status: number; body: unknown } | undefined>;
}

/** Where the web client reads its settings (web/src/client-settings.ts). */
export const CLIENT_SETTINGS_PATH = '/client-settings.json';

/** Past the body limit, how many times the limit is still read and dropped (1 MiB by default) before the socket is cut. */
const DRAIN_FACTOR = 64;

/** How often Node looks for requests past their timeouts: often enough that they hold. */
export function checkingIntervalMs(web: WebPortLimits): number {
  return Math.max(50, Math.min(1_000, Math.floor(web.headersTimeoutMs / 4)));
}

export function originAllowed(origin: string | undefined, host: string | undefined, allowed: string[]): boolean {
  // Non-browser clients send no Origin; browsers always do, and only they need guarding.
  if (origin === undefined) return true;
  if (allowed.includes('*') || allowed.includes(origin)) return true;
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}

export async function listenHttp<Slot extends ConnectionSlot>(
  options: HttpListenOptions<Slot>,
  onConnection: (conn: Connection, slot: Slot | undefined) => void,
): Promise<SecureListener> {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.limits.maxLineBytes + 2,
    handleProtocols: (protocols) => chooseSubprotocol(protocols),
  });
  /** The place each admitted socket holds; a socket missing here was refused (its 503 is on its way). */
  const slots = new WeakMap<object, Slot>();
  const refused = (socket: object): boolean => options.admitSocket !== undefined && !slots.has(socket);
  const files = staticFiles(options.staticDir);
  const handle = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    if (refused(req.socket)) return;
    applySecurityHeaders(res);
    void serveRequest(req, res, options, files).catch((err: unknown) => {
      if (res.headersSent) return void res.destroy();
      if (err instanceof HttpRequestError) {
        res.writeHead(err.status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(JSON.stringify({ error: err.message, code: err.code }));
      } else res.writeHead(500).end();
    });
  };
  const web = options.web;
  const serverOptions: http.ServerOptions = {
    headersTimeout: web.headersTimeoutMs,
    requestTimeout: web.requestTimeoutMs,
    maxHeaderSize: web.maxHeaderBytes,
    connectionsCheckingInterval: checkingIntervalMs(web),
  };
  const server = options.tls
    ? https.createServer({ ...serverOptions, cert: options.tls.cert, key: options.tls.key, handshakeTimeout: options.handshakeTimeoutMs ?? 10_000 }, handle)
    : http.createServer(serverOptions, handle);
  server.maxConnections = web.maxConnections;
  server.keepAliveTimeout = web.keepAliveTimeoutMs;
  // A socket making no progress either way (a client that stops reading an answer) is
  // destroyed, its place with it; ws turns this off on a socket upgraded to a chat WebSocket.
  server.timeout = web.idleTimeoutMs;
  // A TLS socket is admitted once its handshake is done, as on the TLS chat port.
  server.on(options.tls ? 'secureConnection' : 'connection', (socket: net.Socket) => {
    if (!options.admitSocket) return;
    const peer = normalizeAddress(socket.remoteAddress ?? 'unknown');
    const admission = options.admitSocket(peer, options.proxy?.()?.trusted.trusts(peer) === true);
    if (admission.refusal !== undefined) {
      socket.write(refusedSocketAnswer(admission.refusal), () => socket.destroy());
      return;
    }
    slots.set(socket, admission.slot);
    socket.once('close', () => admission.slot.release());
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    if (refused(req.socket)) return;
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const isIrcPath = web.ircPaths.includes(path);
    if (!isIrcPath || !originAllowed(req.headers.origin, req.headers.host, options.allowedOrigins)) {
      // Destroyed once the answer is written: the HTTP server has let go of an upgraded socket
      // (no timeout watches it, its peer's FIN is never read), so only closing it here gives its
      // place back.
      socket.end(`HTTP/1.1 ${isIrcPath ? '403 Forbidden' : '404 Not Found'}\r\nConnection: close\r\n\r\n`, () => socket.destroy());
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const address = clientAddress(req, options.proxy?.());
      // The socket's place in the limits goes with it to the chat connection.
      const slot = slots.get(req.socket);
      slots.delete(req.socket);
      onConnection(new WebSocketConnection(ws, address, req.socket.remotePort ?? 0, options.tls !== undefined, options.limits, req.socket), slot);
    });
  });
  server.on('clientError', answerClientError);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: options.host, port: options.port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as { address: string; port: number };
  return {
    host: addr.address,
    port: addr.port,
    setCredentials(credentials) {
      if (server instanceof https.Server) server.setSecureContext({ cert: credentials.cert, key: credentials.key });
    },
    close: (graceMs = 0) =>
      new Promise<void>((resolve) => {
        const cut = (): void => {
          for (const ws of wss.clients) ws.terminate();
          server.closeAllConnections();
        };
        const timer = graceMs > 0 ? setTimeout(cut, graceMs) : undefined;
        wss.close();
        // Called once the last connection has closed; page loads in progress may finish.
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
        if (timer === undefined) cut();
      }),
  };
}

/** The request's client: its peer, or whom a trusted proxy's forwarding header names. */
function clientAddress(req: http.IncomingMessage, policy: ProxyPolicy | undefined): string {
  const peer = normalizeAddress(req.socket.remoteAddress ?? 'unknown');
  return policy ? forwardedClientAddress(peer, req.headers, policy.trusted, policy.webHeader) : peer;
}

async function serveRequest<Slot extends ConnectionSlot>(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  options: HttpListenOptions<Slot>,
  files: StaticFiles,
): Promise<void> {
  const path = requestPath(req.url);
  const { maxBodyBytes } = options.web;
  if (declaredBodyTooLarge(req, maxBodyBytes)) throw await refuseBody(req, maxBodyBytes, maxBodyBytes * DRAIN_FACTOR);
  if (options.api && path.startsWith('/admin/api/')) {
    const body = req.method === 'POST' ? await readJsonBody(req, maxBodyBytes, maxBodyBytes * DRAIN_FACTOR) : undefined;
    const address = clientAddress(req, options.proxy?.());
    const headers = { origin: req.headers.origin, host: req.headers.host, contentType: req.headers['content-type'] };
    const answer = await options.api({ method: req.method ?? 'GET', path, authorization: req.headers.authorization, body, address, headers });
    if (answer) {
      // A refusal that says when to come back (429, 503) says it in the standard header too.
      const retry = (answer.body as { retryAfterSeconds?: unknown } | null)?.retryAfterSeconds;
      const head: Record<string, string> = { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' };
      if (typeof retry === 'number' && Number.isFinite(retry)) head['Retry-After'] = String(Math.max(0, Math.ceil(retry)));
      res.writeHead(answer.status, head).end(JSON.stringify(answer.body));
      return;
    }
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    return;
  }
  if (path === '/metrics' && options.metrics) {
    const address = clientAddress(req, options.proxy?.());
    const answer = await options.metrics({ address, authorization: req.headers.authorization });
    res.writeHead(answer.status, { 'Content-Type': answer.contentType, 'Cache-Control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : answer.body);
    return;
  }
  if (path === '/health') {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(JSON.stringify(options.health()));
    return;
  }
  if (path === CLIENT_SETTINGS_PATH && options.clientSettings) {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(JSON.stringify(options.clientSettings()));
    return;
  }
  await files.serve(req, res, path);
}
