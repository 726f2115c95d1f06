// A recording TCP relay for interop tests: a real client connects to the tap, the tap to the
// server, and every IRC line each way is kept (numbered by connection) so that a test can
// check what a program it does not control sent and received, and show the exchange when
// something fails.
import net from 'node:net';

export interface TappedLine {
  /** 1 for the first connection through the tap, 2 for the next… */
  connection: number;
  /** 'C' from the client to the server, 'S' from the server to the client. */
  from: 'C' | 'S';
  line: string;
  /** When the tap relayed it (Date.now()). */
  at: number;
}

export class WireTap {
  readonly lines: TappedLine[] = [];
  private readonly sockets = new Set<net.Socket>();
  /** When set, what to relay instead of a line (undefined: the line as it is); to play a broken peer. */
  rewrite: ((from: 'C' | 'S', line: string) => string | undefined) | undefined;
  private connections = 0;

  private constructor(private readonly listener: net.Server) {}

  /** A tap on 127.0.0.1 (port 0) relaying to the server at 127.0.0.1:`serverPort`. */
  static async start(serverPort: number): Promise<WireTap> {
    const listener = net.createServer();
    const tap = new WireTap(listener);
    listener.on('connection', (client) => tap.relay(client, serverPort));
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    return tap;
  }

  get port(): number {
    return (this.listener.address() as net.AddressInfo).port;
  }

  private relay(client: net.Socket, serverPort: number): void {
    const connection = ++this.connections;
    const server = net.connect(serverPort, '127.0.0.1');
    for (const s of [client, server]) {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      // The other side's close ends this one; errors only end the relay.
      s.on('error', () => {});
    }
    this.record(client, server, connection, 'C');
    this.record(server, client, connection, 'S');
  }

  private record(source: net.Socket, sink: net.Socket, connection: number, from: 'C' | 'S'): void {
    let pending = '';
    source.setEncoding('utf8');
    source.on('data', (chunk: string) => {
      pending += chunk;
      let end: number;
      // Relayed line by line, so that `rewrite` sees whole lines; what is recorded is what was relayed.
      while ((end = pending.indexOf('\n')) >= 0) {
        const original = pending.slice(0, end).replace(/\r$/, '');
        pending = pending.slice(end + 1);
        const line = this.rewrite?.(from, original) ?? original;
        sink.write(`${line}\r\n`);
        this.lines.push({ connection, from, line, at: Date.now() });
      }
    });
    source.on('end', () => sink.end());
    source.on('close', () => sink.destroy());
  }

  /** The lines one way on one connection (all connections when not given). */
  sent(from: 'C' | 'S', connection?: number): string[] {
    return this.lines.filter((l) => l.from === from && (connection === undefined || l.connection === connection)).map((l) => l.line);
  }

  /** How many connections have been made through the tap so far. */
  get connectionCount(): number {
    return this.connections;
  }

  /** The exchange as text, for failure messages: `+12ms #1 C> line`, `#1 S> line` (time since the first line); only lines matching `only` when given. */
  trace(only?: (line: string) => boolean): string {
    const start = this.lines[0]?.at ?? 0;
    return this.lines
      .filter((l) => !only || only(l.line))
      .map((l) => `+${l.at - start}ms #${l.connection} ${l.from}> ${l.line}`)
      .join('\n');
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.listener.close(() => resolve()));
  }
}
