// A node's listening sockets: plain TCP, TLS (when a certificate is configured) and the web
// port (the web client, WebSocket, the admin API, metrics). Open once; a renewed certificate
// is swapped in on reload, for new connections.
import { fileURLToPath } from 'node:url';
import type { Connection, SecureListener, TlsCredentials } from '../transport/connection.ts';
import { listenHttp } from '../transport/http.ts';
import { listenTcp } from '../transport/tcp.ts';
import { TrustedProxies, type ProxyPolicy } from '../transport/trusted-proxies.ts';
import { handleAdminApi } from './admin-api.ts';
import type { Config } from './config.ts';
import { serveMetrics } from './metrics.ts';
import { ProxyRefusalLog } from './proxy-refusal-log.ts';
import type { ParlorServer } from './server.ts';
import { loadCertificate, stsPolicy } from './tls.ts';
import type { WebSlot } from './web-slots.ts';

export class Listeners {
  private tcp: SecureListener | undefined;
  private tls: SecureListener | undefined;
  private web: SecureListener | undefined;
  /** The certificate in use is self-signed (then STS is not advertised unless forced). */
  private tlsSelfSigned = false;
  /** The proxy policy of the config in force, made again when a reload brings a new one. */
  private policy: { of: Config['proxy']; policy: ProxyPolicy } | undefined;

  constructor(
    private readonly server: ParlorServer,
    private readonly accept: (conn: Connection, webSlot?: WebSlot) => void,
  ) {}

  async open(config: Config): Promise<{ host: string; port: number }> {
    const server = this.server;
    const l = config.limits;
    // Lines are framed up to the longest any session takes: a plain-text user's may pass an IRC line's.
    const maxLineBytes = Math.max(l.lineBytes + l.tagBytes, config.plainText.maxLineBytes);
    const limits = { maxLineBytes, sendQueueBytes: l.sendQueueBytes, closeTimeoutMs: l.closeTimeoutMs };
    const credentials = await this.readTlsCredentials(config);
    const proxy = (): ProxyPolicy => this.proxyPolicy();
    const refusals = new ProxyRefusalLog(server.logger, () => server.clock.now(), () => server.config.proxy.refusalLogIntervalMs);
    const onProxyRefusal = (peer: string, reason: string): void => refusals.note(peer, reason);
    this.tcp = await listenTcp({ host: config.server.host, port: config.server.port, limits, proxy, onProxyRefusal }, (conn) => this.accept(conn));
    if (credentials) {
      const tls = config.tls;
      this.tls = await listenTcp(
        { host: tls.host ?? config.server.host, port: tls.port, limits, tls: credentials, handshakeTimeoutMs: tls.handshakeTimeoutMs, proxy, onProxyRefusal },
        (conn) => this.accept(conn),
      );
    }
    if (config.web.enabled) {
      const web = config.web;
      this.web = await listenHttp(
        {
          host: web.host ?? config.server.host,
          port: web.port,
          limits,
          ...(credentials && config.tls.web && { tls: credentials }),
          staticDir: web.staticDir ?? fileURLToPath(new URL('../../dist/web', import.meta.url)),
          allowedOrigins: web.allowedOrigins,
          web,
          handshakeTimeoutMs: config.tls.handshakeTimeoutMs,
          proxy,
          admitSocket: (address, viaProxy) => server.webSlots.admit(address, viaProxy),
          api: (req) => handleAdminApi(server, req),
          metrics: (req) => serveMetrics(server, req),
          // Read at each request: a reload's new default room applies to the next page load.
          clientSettings: () => ({ defaultRoom: server.config.plainText.defaultRoom, unicodeNicks: server.config.server.casemapping === 'precis' }),
          health: () => ({ status: 'ok', uptimeSeconds: Math.round((server.now() - server.createdAt) / 1000), connections: server.sessions.size, users: server.network.userCount }),
        },
        (conn, slot) => this.accept(conn, slot),
      );
    }
    return { host: this.tcp.host, port: this.tcp.port };
  }

  /** Trusted proxies and how they say whom they forward, per the config in force. */
  proxyPolicy(): ProxyPolicy {
    const settings = this.server.config.proxy;
    if (this.policy?.of !== settings) {
      const { trusted, protocol, headerTimeoutMs, maxHeaderBytes, webHeader } = settings;
      this.policy = { of: settings, policy: { trusted: new TrustedProxies(trusted), protocol, headerTimeoutMs, maxHeaderBytes, webHeader } };
    }
    return this.policy.policy;
  }

  /** Where the web client and the WebSocket endpoint listen, when enabled. */
  get webAddress(): { host: string; port: number; secure: boolean } | undefined {
    return this.web && { host: this.web.host, port: this.web.port, secure: this.server.config.tls.web && this.tls !== undefined };
  }

  /** Where the TLS listener listens, when a certificate is configured. */
  get tlsAddress(): { host: string; port: number } | undefined {
    return this.tls && { host: this.tls.host, port: this.tls.port };
  }

  /** The IRCv3 STS policy to advertise on a connection, if any (the value of the sts capability). */
  stsPolicy(secure: boolean): string | undefined {
    return stsPolicy(this.server.config.tls, this.tls?.port, this.tlsSelfSigned, secure);
  }

  /** Reads the configured certificate; a bad pair is a ConfigError. */
  private async readTlsCredentials(config: Config): Promise<TlsCredentials | undefined> {
    const loaded = await loadCertificate(config.tls);
    if (loaded) this.tlsSelfSigned = loaded.selfSigned;
    return loaded?.credentials;
  }

  /** On reload: a renewed certificate takes effect for new connections; open ones keep theirs. Returns notes. */
  async reloadCredentials(next: Config, old: Config): Promise<string[]> {
    const notes: string[] = [];
    const credentials = await this.readTlsCredentials(next);
    if ((credentials !== undefined) !== (this.tls !== undefined)) notes.push(`the TLS listener ${credentials ? 'starts' : 'stops'} at the next restart`);
    if (next.tls.port !== old.tls.port || next.tls.host !== old.tls.host || next.tls.web !== old.tls.web) notes.push('tls.host, tls.port and tls.web change at the next restart');
    if (credentials && this.tls) {
      this.tls.setCredentials(credentials);
      if (old.tls.web) this.web?.setCredentials(credentials);
      notes.push('TLS certificate reloaded');
    }
    return notes;
  }

  close(graceMs: number): Promise<unknown> {
    return Promise.all([this.tcp?.close(graceMs), this.tls?.close(graceMs), this.web?.close(graceMs)]);
  }
}
