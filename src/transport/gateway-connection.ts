// A connection from a web gateway after its WEBIRC was accepted: the same socket, reporting the
// address, port and security of the gateway's user rather than of the gateway, so that every
// reader of `remoteAddress` (bans, mutes, limits, WHOIS, the admin list, logs) sees the user.
import type { Connection, ConnectionHandler, PreparedLine, TransportKind } from './connection.ts';

export interface GatewayClient {
  /** The user's address, canonical (formatIp). */
  readonly address: string;
  /** The user's port at the gateway (WEBIRC remote-port), or 0 when not given. */
  readonly port: number;
  /** The user's connection to the gateway is TLS, and so is the gateway's to us. */
  readonly secure: boolean;
  /** The configured name of the gateway (proxy.webirc[].name). */
  readonly gateway: string;
}

export class GatewayConnection implements Connection {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly secure: boolean;
  readonly gateway: string;

  constructor(
    private readonly socket: Connection,
    client: GatewayClient,
  ) {
    this.remoteAddress = client.address;
    this.remotePort = client.port;
    this.secure = client.secure;
    this.gateway = client.gateway;
  }

  /** The gateway's own address, which the socket comes from. */
  get gatewayAddress(): string {
    return this.socket.remoteAddress;
  }

  get id(): string {
    return this.socket.id;
  }

  get transport(): TransportKind {
    return this.socket.transport;
  }

  get closed(): boolean {
    return this.socket.closed;
  }

  get queuedBytes(): number {
    return this.socket.queuedBytes;
  }

  attach(handler: ConnectionHandler): void {
    this.socket.attach(handler);
  }

  send(line: string): void {
    this.socket.send(line);
  }

  sendPrepared(line: PreparedLine): void {
    this.socket.sendPrepared(line);
  }

  close(reason: string, lastLine?: string): void {
    this.socket.close(reason, lastLine);
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  whenDrained(): Promise<void> {
    return this.socket.whenDrained();
  }

  keepAlive(idleMs: number): void {
    this.socket.keepAlive(idleMs);
  }
}
