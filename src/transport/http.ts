// The web port: the built web client (static files), the IRC WebSocket endpoint at /irc, and
// a health endpoint. Browsers refuse the IRC ports 6665–6669, hence a port of its own.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer } from 'ws';
import type { Connection, SecureListener, TlsCredentials, TransportLimits } from './connection.ts';
import { normalizeAddress } from './tcp.ts';
import { IRC_SUBPROTOCOLS, WebSocketConnection } from './websocket.ts';

export interface HttpListenOptions {
  host: string;
  port: number;
  limits: TransportLimits;
  /** Built web client to serve; missing files give 404, a missing directory a hint page. */
  staticDir: string | undefined;
  /** Origins allowed to open the WebSocket; the page's own origin always is; '*' allows any. */
  allowedOrigins: string[];
  /** Serve HTTPS (and WSS) with this certificate and key. */
  tls?: TlsCredentials;
  /** JSON for GET /health. */
  health(): Record<string, unknown>;
  /** GET /metrics (Prometheus); the handler decides who may scrape. Without it, /metrics is a static path. */
  metrics?(req: { address: string; authorization: string | undefined }): Promise<{ status: number; contentType: string; body: string }>;
  /** JSON API routes (the admin panel's): undefined when a path is not theirs. */
  api?(req: { method: string; path: string; authorization: string | undefined; body: unknown; address: string }): Promise<{ status: number; body: unknown } | undefined>;
}

/** Largest JSON body the API reads. */
const MAX_BODY = 64 * 1024;

function readJson(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => {
      if (size === 0) return resolve(undefined);
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        resolve(undefined);
      }
    });
    req.on('error', reject);
  });
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.woff2': 'font/woff2',
};

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

export async function listenHttp(options: HttpListenOptions, onConnection: (conn: Connection) => void): Promise<SecureListener> {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.limits.maxLineBytes + 2,
    handleProtocols: (protocols) => IRC_SUBPROTOCOLS.find((p) => protocols.has(p)) ?? false,
  });
  const handle = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    void serveRequest(req, res, options).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  };
  const server = options.tls ? https.createServer({ cert: options.tls.cert, key: options.tls.key }, handle) : http.createServer(handle);
  server.on('upgrade', (req, socket, head) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/irc' || !originAllowed(req.headers.origin, req.headers.host, options.allowedOrigins)) {
      socket.end(`HTTP/1.1 ${path !== '/irc' ? '404 Not Found' : '403 Forbidden'}\r\nConnection: close\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const address = normalizeAddress(req.socket.remoteAddress ?? 'unknown');
      onConnection(new WebSocketConnection(ws, address, req.socket.remotePort ?? 0, options.tls !== undefined, options.limits));
    });
  });
  server.on('clientError', (_err, socket) => socket.destroy());
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

async function serveRequest(req: http.IncomingMessage, res: http.ServerResponse, options: HttpListenOptions): Promise<void> {
  const path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
  if (options.api && path.startsWith('/admin/api/')) {
    const body = req.method === 'POST' ? await readJson(req) : undefined;
    const address = normalizeAddress(req.socket.remoteAddress ?? 'unknown');
    const answer = await options.api({ method: req.method ?? 'GET', path, authorization: req.headers.authorization, body, address });
    if (answer) {
      res.writeHead(answer.status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(JSON.stringify(answer.body));
      return;
    }
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    return;
  }
  if (path === '/metrics' && options.metrics) {
    const address = normalizeAddress(req.socket.remoteAddress ?? 'unknown');
    const answer = await options.metrics({ address, authorization: req.headers.authorization });
    res.writeHead(answer.status, { 'Content-Type': answer.contentType, 'Cache-Control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : answer.body);
    return;
  }
  if (path === '/health') {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(JSON.stringify(options.health()));
    return;
  }
  const root = options.staticDir;
  if (root === undefined) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('The web client is not built: run `npm run build`.\n');
    return;
  }
  // Stay inside the static directory whatever the path says.
  const file = normalize(join(root, path === '/' ? 'index.html' : path));
  if (file !== root && !file.startsWith(root.endsWith(sep) ? root : root + sep)) {
    res.writeHead(403).end();
    return;
  }
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found\n');
    return;
  }
  res.writeHead(200, {
    'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
    'Content-Length': info.size,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file).pipe(res);
}
