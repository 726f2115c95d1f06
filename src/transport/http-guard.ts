// What the web port does with hostile requests before any route sees them: the request path
// checked (bad percent-encoding, traversal, NUL → 400, never 500), bodies capped (413 with a
// JSON answer, the socket not reset under the client), security headers on every answer, and
// the raw answers written straight to a socket (refused by the connection limits, a request
// that never finished arriving).
import type http from 'node:http';
import type { Duplex } from 'node:stream';

export type HttpRequestErrorCode = 'bad-url' | 'body-too-large';

/** A request refused for what it is; its status and stable code are what the client gets. */
export class HttpRequestError extends Error {
  override name = 'HttpRequestError';
  constructor(
    readonly status: 400 | 413,
    readonly code: HttpRequestErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A strict Content-Security-Policy (the built client has no inline script or style; the chat
 * WebSocket is same-origin, which CSP3's 'self' covers for ws: and wss:), no framing, no
 * referrer, no powerful features.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; '),
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  // Only features Chromium knows: an unknown one (bluetooth) is a console error on every page.
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), hid=(), midi=(), display-capture=(), interest-cohort=()',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

export function applySecurityHeaders(res: http.ServerResponse): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
}

/**
 * The decoded path of a request target. Only origin-form targets ("/path?query") are served;
 * bad percent-encoding, NUL, backslashes and ".." segments are refused rather than interpreted.
 */
export function requestPath(target: string | undefined): string {
  const raw = target ?? '/';
  if (!raw.startsWith('/')) throw new HttpRequestError(400, 'bad-url', 'The request target must be a path');
  const query = raw.indexOf('?');
  let path: string;
  try {
    path = decodeURIComponent(query === -1 ? raw : raw.slice(0, query));
  } catch {
    throw new HttpRequestError(400, 'bad-url', 'Malformed percent-encoding in the path');
  }
  if (path.includes('\0') || path.includes('\\') || path.split('/').includes('..')) {
    throw new HttpRequestError(400, 'bad-url', 'The path may not hold NUL, backslashes or ".." segments');
  }
  return path;
}

/** The declared body length exceeds the limit (known before reading a byte). */
export function declaredBodyTooLarge(req: http.IncomingMessage, maxBytes: number): boolean {
  const declared = req.headers['content-length'];
  return declared !== undefined && Number(declared) > maxBytes;
}

/**
 * Refuses a body over the limit: what the client still sends is read and dropped, and the 413
 * (resolved here) is answered once the request has arrived, so that closing afterwards never
 * resets the socket before the client has read it. A client that sends more than `drainBytes`
 * is cut off; requestTimeoutMs bounds how long the rest may take.
 */
export function refuseBody(req: http.IncomingMessage, maxBytes: number, drainBytes: number): Promise<HttpRequestError> {
  const refusal = new HttpRequestError(413, 'body-too-large', `The request body is larger than ${maxBytes} bytes`);
  return new Promise((resolve) => {
    let dropped = 0;
    req.on('data', (chunk: Buffer) => {
      dropped += chunk.length;
      if (dropped > drainBytes) req.socket.destroy();
    });
    req.once('end', () => resolve(refusal));
    // Cut off (or gone): answering then fails quietly.
    req.once('close', () => resolve(refusal));
  });
}

/** Reads a JSON body of at most `maxBytes` (see refuseBody); a body that is not JSON reads as undefined. */
export function readJsonBody(req: http.IncomingMessage, maxBytes: number, drainBytes: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    if (declaredBodyTooLarge(req, maxBytes)) return void refuseBody(req, maxBytes, drainBytes).then(reject);
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= maxBytes) return void chunks.push(chunk);
      req.off('data', onData);
      chunks.length = 0;
      void refuseBody(req, maxBytes, drainBytes).then(reject);
    };
    req.on('data', onData);
    req.on('end', () => {
      if (size > maxBytes) return;
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

/** How long a client refused for the connection limits is asked to wait. */
const RETRY_AFTER_SECONDS = 10;

/** 503 for a socket the connection limits refuse, written before any request is read. */
export function refusedSocketAnswer(message: string): string {
  const body = `${message}\n`;
  return [
    'HTTP/1.1 503 Service Unavailable',
    'Content-Type: text/plain; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    `Retry-After: ${RETRY_AFTER_SECONDS}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}

/** Writes a last raw answer to a socket the HTTP parser has given up on, then closes it. */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  // A socket already gone, or in the middle of a response, cannot take a status line.
  const midResponse = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
  if (err.code === 'ECONNRESET' || !socket.writable || midResponse) {
    socket.destroy();
    return;
  }
  const status =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? '431 Request Header Fields Too Large'
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? '408 Request Timeout'
        : '400 Bad Request';
  socket.end(`HTTP/1.1 ${status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`, () => socket.destroy());
}
