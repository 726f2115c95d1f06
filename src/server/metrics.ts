// The server's figures, for Prometheus (/metrics on the web port) and the console's `stats`.
// Both read one snapshot(), so they never disagree. Figures are gathered when asked for, from
// the sessions, the network and plain counters the hot paths bump; nothing here runs per
// message. Each server has a registry of its own: a test process runs many servers at once.
import { timingSafeEqual } from 'node:crypto';
import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';
import { Counter, Gauge, Registry } from 'prom-client';
import { cidrContains, parseCidr, parseIp } from '../protocol/address.ts';
import type { TransportKind } from '../transport/connection.ts';
import type { Config } from './config.ts';
import type { ParlorServer } from './server.ts';

export interface MetricsSnapshot {
  uptimeSeconds: number;
  /** Epoch seconds. */
  serverStartTime: number;
  processStartTime: number;
  connections: Record<TransportKind, number> & {
    total: number;
    /** People at nc/telnet (any transport). */
    plainText: number;
    /** Connections that completed registration (users of this server). */
    registered: number;
    peak: number;
    limit: number;
  };
  /** People on the whole network, services not counted. */
  networkUsers: number;
  /** Registrations completed since the start. */
  registrations: number;
  messages: {
    /** PRIVMSG/NOTICE/TAGMSG accepted from clients, one per target. */
    received: number;
    /** Copies written to recipient sessions (echo-message copies not counted). */
    delivered: number;
    perSecondLast10s: number;
    perSecondLastMinute: number;
  };
  rooms: number;
  /** Connections closed because they did not read their output ('SendQ exceeded'). */
  sendQueueDrops: number;
  floodDisconnects: number;
  refused: ParlorServer['stats']['refused'];
  bans: number;
  mutes: number;
  /** Server bans set since the start (applied here, from any node). */
  bansSet: number;
  /** Seconds, over the window since the last reset (see EventLoopLag). */
  eventLoopLag: { p50: number; p99: number; max: number; windowSeconds: number };
  memory: { rss: number; heapUsed: number; heapTotal: number };
}

/** The event loop's delay, sampled by Node, over a window that restarts once it is a minute old. */
class EventLoopLag {
  private static readonly WINDOW_MS = 60_000;
  private monitor: IntervalHistogram | undefined;
  private windowStart = 0;

  start(): void {
    if (this.monitor) return;
    this.monitor = monitorEventLoopDelay({ resolution: 10 });
    this.monitor.enable();
    this.windowStart = performance.now();
  }

  stop(): void {
    this.monitor?.disable();
    this.monitor = undefined;
  }

  read(): MetricsSnapshot['eventLoopLag'] {
    const h = this.monitor;
    const now = performance.now();
    if (!h || h.count === 0) return { p50: 0, p99: 0, max: 0, windowSeconds: h ? (now - this.windowStart) / 1000 : 0 };
    const seconds = (ns: number): number => ns / 1e9;
    const lag = { p50: seconds(h.percentile(50)), p99: seconds(h.percentile(99)), max: seconds(h.max), windowSeconds: (now - this.windowStart) / 1000 };
    // Read first, then restart: this reading still covers the whole window.
    if (now - this.windowStart >= EventLoopLag.WINDOW_MS) {
      h.reset();
      this.windowStart = now;
    }
    return lag;
  }
}

export class ServerMetrics {
  readonly registry = new Registry();
  private readonly lag = new EventLoopLag();
  /** The snapshot a scrape in progress reads, so that all its figures agree. */
  private scrape: MetricsSnapshot | undefined;

  constructor(private readonly server: ParlorServer) {
    this.defineMetrics();
  }

  /** Starts sampling the event loop (when the server listens). */
  start(): void {
    this.lag.start();
  }

  /** Stops sampling (when the server closes): no monitor outlives its server. */
  stop(): void {
    this.lag.stop();
  }

  snapshot(): MetricsSnapshot {
    const server = this.server;
    const now = server.now();
    const st = server.stats;
    const byTransport: Record<TransportKind, number> = { tcp: 0, tls: 0, websocket: 0 };
    let plainText = 0;
    for (const s of server.sessions) {
      byTransport[s.conn.transport]++;
      if (s.isPlainText) plainText++;
    }
    const mem = process.memoryUsage();
    return {
      uptimeSeconds: (now - server.createdAt) / 1000,
      serverStartTime: server.createdAt / 1000,
      processStartTime: performance.timeOrigin / 1000,
      connections: {
        ...byTransport,
        total: server.sessions.size,
        plainText,
        registered: server.localUserCount,
        peak: st.peakConnections,
        limit: server.gate.maxConnections,
      },
      networkUsers: server.network.userCount,
      registrations: st.registrations,
      messages: {
        received: st.messages.total,
        delivered: server.replica.delivery.messagesDelivered,
        perSecondLast10s: st.messages.rate(now, 10),
        perSecondLastMinute: st.messages.rate(now, 59),
      },
      rooms: server.network.channels.size,
      sendQueueDrops: st.sendQueueDrops,
      floodDisconnects: st.floodDisconnects,
      refused: { ...st.refused },
      bans: server.network.bans.size,
      mutes: server.network.mutes.size,
      bansSet: server.replica.delivery.bansSet,
      eventLoopLag: this.lag.read(),
      memory: { rss: mem.rss, heapUsed: mem.heapUsed, heapTotal: mem.heapTotal },
    };
  }

  /** The Prometheus text exposition of one snapshot. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    this.scrape = this.snapshot();
    try {
      return { contentType: this.registry.contentType, body: await this.registry.metrics() };
    } finally {
      this.scrape = undefined;
    }
  }

  private current(): MetricsSnapshot {
    return (this.scrape ??= this.snapshot());
  }

  private defineMetrics(): void {
    const registers = [this.registry];
    const current = (): MetricsSnapshot => this.current();
    const gauge = (name: string, help: string, read: (s: MetricsSnapshot) => number): void => {
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read(current()));
        },
      });
    };
    // The figures are totals kept elsewhere: each scrape sets the counter to them.
    const counter = (name: string, help: string, read: (s: MetricsSnapshot) => number): void => {
      new Counter({
        name,
        help,
        registers,
        collect() {
          this.reset();
          this.inc(read(current()));
        },
      });
    };

    new Gauge({
      name: 'parlor_connections',
      help: 'Open client connections by transport, registered or not',
      labelNames: ['transport'],
      registers,
      collect() {
        const c = current().connections;
        for (const transport of ['tcp', 'tls', 'websocket'] as const) this.set({ transport }, c[transport]);
      },
    });
    gauge('parlor_plain_text_sessions', 'Connections of people without an IRC client (nc, telnet)', (s) => s.connections.plainText);
    gauge('parlor_connections_peak', 'Most connections open at once since the start', (s) => s.connections.peak);
    gauge('parlor_connections_limit', 'Connections the server accepts at once', (s) => s.connections.limit);
    gauge('parlor_users', 'Registered users connected to this server', (s) => s.connections.registered);
    gauge('parlor_network_users', 'Users on the whole network', (s) => s.networkUsers);
    counter('parlor_registrations_total', 'Connections that completed registration', (s) => s.registrations);
    counter('parlor_messages_received_total', 'PRIVMSG/NOTICE/TAGMSG accepted from clients, one per target', (s) => s.messages.received);
    counter('parlor_messages_delivered_total', 'Message copies written to recipient connections', (s) => s.messages.delivered);
    gauge('parlor_rooms', 'Rooms that exist now', (s) => s.rooms);
    counter('parlor_sendq_drops_total', 'Connections closed because their output queue overflowed (SendQ exceeded)', (s) => s.sendQueueDrops);
    counter('parlor_flood_disconnects_total', 'Connections closed for sending too fast (Excess Flood)', (s) => s.floodDisconnects);
    new Counter({
      name: 'parlor_connections_refused_total',
      help: 'Connections refused on arrival, by reason',
      labelNames: ['reason'],
      registers,
      collect() {
        this.reset();
        for (const [reason, n] of Object.entries(current().refused)) this.inc({ reason }, n);
      },
    });
    gauge('parlor_server_bans', 'Server bans in force', (s) => s.bans);
    gauge('parlor_server_mutes', 'Server mutes in force', (s) => s.mutes);
    counter('parlor_server_bans_set_total', 'Server bans set since the start', (s) => s.bansSet);
    new Gauge({
      name: 'parlor_event_loop_lag_seconds',
      help: 'Event-loop delay over the last minute or less: median, 99th percentile and maximum',
      labelNames: ['stat'],
      registers,
      collect() {
        const lag = current().eventLoopLag;
        this.set({ stat: 'p50' }, lag.p50);
        this.set({ stat: 'p99' }, lag.p99);
        this.set({ stat: 'max' }, lag.max);
      },
    });
    gauge('parlor_process_resident_memory_bytes', 'Resident memory of the process', (s) => s.memory.rss);
    gauge('parlor_process_heap_used_bytes', 'V8 heap in use', (s) => s.memory.heapUsed);
    gauge('parlor_process_heap_total_bytes', 'V8 heap allocated', (s) => s.memory.heapTotal);
    gauge('parlor_uptime_seconds', 'Seconds since the server started', (s) => s.uptimeSeconds);
    gauge('parlor_start_time_seconds', 'When the server started, in Unix seconds', (s) => s.serverStartTime);
    gauge('parlor_process_start_time_seconds', 'When the process started, in Unix seconds', (s) => s.processStartTime);
  }
}

export interface MetricsRequest {
  address: string;
  authorization: string | undefined;
}

export interface MetricsResponse {
  status: number;
  contentType: string;
  body: string;
}

function plain(status: number, text: string): MetricsResponse {
  return { status, contentType: 'text/plain; charset=utf-8', body: `${text}\n` };
}

function tokenMatches(expected: string, given: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function addressAllowed(allowFrom: string[], address: string): boolean {
  const ip = parseIp(address);
  if (!ip) return false;
  return allowFrom.some((range) => {
    const cidr = parseCidr(range);
    return cidr !== undefined && cidrContains(cidr, ip);
  });
}

/** Why a scrape is refused, or undefined when it may go ahead. */
export function metricsRefusal(settings: Config['metrics'], req: MetricsRequest): string | undefined {
  if (addressAllowed(settings.allowFrom, req.address)) return undefined;
  const given = /^Bearer\s+(.+)$/i.exec(req.authorization ?? '')?.[1]?.trim();
  if (settings.token === undefined) return `metrics are not served to ${req.address}: it is not in metrics.allowFrom`;
  if (given === undefined) return `metrics are not served to ${req.address} without a token: send Authorization: Bearer <metrics.token>`;
  return tokenMatches(settings.token, given) ? undefined : 'the bearer token does not match metrics.token';
}

/** GET /metrics: read at each request, so that a reload's settings apply at once. */
export async function serveMetrics(server: ParlorServer, req: MetricsRequest): Promise<MetricsResponse> {
  const settings = server.config.metrics;
  if (!settings.enabled) return plain(404, 'metrics are turned off (metrics.enabled: false)');
  const refusal = metricsRefusal(settings, req);
  if (refusal !== undefined) return plain(403, refusal);
  return { status: 200, ...(await server.metrics.exposition()) };
}
