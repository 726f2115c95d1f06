// The transport sections of the configuration (proxy, web, tls), kept apart from config.ts
// to keep each file readable; ConfigSchema (config.ts) puts them together.
import { z } from 'zod';
import { parseCidr } from '../protocol/address.ts';
import { PROXY_HEADER_MAX_LIMIT, PROXY_HEADER_MIN_LIMIT } from '../transport/proxy-protocol.ts';

const ms = z.number().int().positive();

const cidr = z.string().refine((v) => parseCidr(v) !== undefined, 'an IP address or CIDR range, e.g. 10.0.0.0/8');

/**
 * Reverse proxies in front of Parlor (HAProxy, nginx): from their addresses only, the client's
 * real address is taken from the PROXY protocol (IRC ports) or a forwarding header (web port).
 */
export const proxySection = z
  .strictObject({
    /** Addresses or CIDR ranges of the proxies (trustedProxies); empty: every peer is the client itself. */
    trusted: z.array(cidr).default([]),
    /**
     * On the IRC ports (plain and TLS), from a trusted address: the PROXY header (v1 or v2) must
     * come first (required), may (optional: a connection without one is the proxy's own), or is never read (off).
     */
    protocol: z.enum(['required', 'optional', 'off']).default('required'),
    /** A trusted peer's PROXY header must have arrived by then; else it is closed (optional: taken as direct). */
    headerTimeoutMs: ms.max(60_000).default(5_000),
    /** Longest PROXY header, v2 TLVs included (at least 232: a v2 header with UNIX addresses). */
    maxHeaderBytes: z.number().int().min(PROXY_HEADER_MIN_LIMIT).max(PROXY_HEADER_MAX_LIMIT).default(4_096),
    /** A trusted peer refused for its PROXY header is logged (warn) at most once per reason in this period. */
    refusalLogIntervalMs: ms.default(60_000),
    /**
     * On the web port, from a trusted address: the header naming the client. Only the one the
     * proxy sets may be read (a client could send the other itself).
     */
    webHeader: z.enum(['x-forwarded-for', 'forwarded', 'none']).default('x-forwarded-for'),
    /**
     * Web gateways (KiwiIRC's webircgateway, The Lounge, irc-framework's webirc option) that may
     * begin a connection with IRCv3 WEBIRC to give their user's address and host. From the
     * listed addresses, with the password, only; empty: WEBIRC is refused.
     */
    webirc: z
      .array(
        z.strictObject({
          /** Shown in the log of each connection it brings. */
          name: z.string().regex(/^\S+$/, 'no spaces'),
          /** The password the gateway sends, as a hash from `parlor mkpasswd`. */
          password: z.string().regex(/^\$scrypt\$/, 'a hash made by `parlor mkpasswd` (starts with $scrypt$)'),
          /** Addresses or CIDR ranges the gateway connects from. */
          hosts: z.array(cidr).min(1),
        }),
      )
      .default([]),
  })
  .prefault({});

export const webSection = z
  .strictObject({
    /** Serve the web client and the IRC WebSocket endpoint (ircPaths) over HTTP. */
    enabled: z.boolean().default(true),
    /** Defaults to server.host. */
    host: z.string().min(1).optional(),
    /** Browsers refuse 6665–6669, so never the chat port. */
    port: z
      .number()
      .int()
      .min(0)
      .max(65535)
      .refine((p) => p < 6665 || p > 6669, 'browsers refuse ports 6665–6669')
      .default(8080),
    /**
     * Other sites whose pages may open the WebSocket (the web client's own origin always may); '*' for any.
     * Admin API POSTs are held to the same list, '*' excepted: only listed sites or the page's own.
     */
    allowedOrigins: z.array(z.string()).default([]),
    /**
     * Paths of the IRC WebSocket endpoint: web IRC clients default to different ones (/ or /irc).
     * A WebSocket upgrade elsewhere gets 404; page loads at / are unaffected.
     */
    ircPaths: z
      .array(z.string().regex(/^\/[^\s?#]*$/, 'a path starting with /, without spaces, ? or #'))
      .min(1)
      .default(['/irc', '/']),
    /** The built web client; defaults to dist/web of this package. */
    staticDir: z.string().min(1).optional(),
    /** Bearer token for the admin panel's API (/admin/api/…); unset turns the API off. Keep it secret. */
    adminToken: z.string().min(8, 'at least 8 characters (longer is better)').optional(),
    /**
     * Hard cap on the web port's sockets, those still in their TLS handshake included; beyond it
     * new sockets are closed at once. Admitted web sockets also count in `connections`.
     */
    maxConnections: z.number().int().min(1).default(10_000),
    /** A request whose headers have not all arrived by then gets 408 and is closed (slowloris). */
    headersTimeoutMs: ms.max(300_000).default(10_000),
    /** A request (headers and body) not received in full by then gets 408 and is closed. */
    requestTimeoutMs: ms.max(3_600_000).default(30_000),
    /** An idle keep-alive socket is closed after this long. */
    keepAliveTimeoutMs: ms.max(300_000).default(5_000),
    /** A web socket making no progress either way this long (a client that stops reading an answer) is closed; chat WebSockets excepted. */
    idleTimeoutMs: ms.max(3_600_000).default(30_000),
    /** Largest request head (request line and headers); beyond it 431 and the socket is closed. */
    maxHeaderBytes: z.number().int().min(1024).max(65_536).default(16_384),
    /** Largest request body (the admin API's JSON); beyond it 413, once the rest (up to 64 times this, else the socket is cut) is read and dropped. */
    maxBodyBytes: z.number().int().min(1024).max(16_777_216).default(16_384),
  })
  .prefault({})
  .refine((w) => w.headersTimeoutMs <= w.requestTimeoutMs, 'web.headersTimeoutMs may not exceed web.requestTimeoutMs');

/** TLS: a listener of its own, and HTTPS/WSS on the web port. */
export const tlsSection = z
  .strictObject({
    /** PEM certificate chain; the TLS listener runs when cert and key are both set. */
    cert: z.string().min(1).optional(),
    /** PEM private key (keep it readable by the server's user only). */
    key: z.string().min(1).optional(),
    /** Defaults to server.host. */
    host: z.string().min(1).optional(),
    port: z.number().int().min(0).max(65535).default(6697),
    /** Serve the web port as HTTPS (and the WebSocket as WSS) with the same certificate. */
    web: z.boolean().default(false),
    /**
     * Advertise IRCv3 STS (clients then use TLS only): auto does so when the certificate is not
     * self-signed, since a client that cannot verify it would then fail to connect at all.
     */
    sts: z.union([z.boolean(), z.literal('auto')]).default('auto'),
    /** How long clients keep the STS policy, in seconds. */
    stsDurationSeconds: z.number().int().min(0).default(2_592_000),
    /** A connection that has not finished its TLS handshake by then is closed. */
    handshakeTimeoutMs: ms.max(120_000).default(10_000),
  })
  .prefault({})
  .refine((t) => (t.cert === undefined) === (t.key === undefined), 'tls.cert and tls.key go together')
  .refine((t) => !t.web || t.cert !== undefined, 'tls.web needs tls.cert and tls.key');
