// Web sockets (page loads, API calls, the chat WebSocket) take their place in the same
// connection limits as IRC connections, so that sockets held open on the web port cannot lock
// anyone else out: counted per address when accepted (no throttle: one page load opens several)
// and in the server's total. A socket upgraded to a chat WebSocket hands its place to the
// session, which then pays the throttle like any new chat connection; it is never counted twice.
import type { Logger } from 'pino';
import type { ConnectionSlot } from '../transport/http.ts';
import type { Admission, ConnectionGate, Refusal } from './admission.ts';

export interface WebSlotsHost {
  readonly gate: ConnectionGate;
  readonly logger: Logger;
  readonly stats: { refused: Record<Refusal['code'], number> };
  now(): number;
  /** Chat sessions open on this node (web sockets handed to a session among them). */
  readonly sessions: { readonly size: number };
}

/** One web socket's place: released when the socket closes, unless handed to a session first. */
export class WebSlot implements ConnectionSlot {
  private state: 'held' | 'handed-over' | 'released' = 'held';

  constructor(
    private readonly owner: WebSlots,
    readonly address: string,
    readonly key: string | undefined,
    /** Admitted as a trusted proxy's socket: the client it carries has not been counted yet. */
    readonly viaProxy: boolean,
  ) {}

  get held(): boolean {
    return this.state === 'held';
  }

  release(): void {
    if (this.state !== 'held') return;
    this.state = 'released';
    this.owner.released(this);
  }

  /** The session takes the place over: its key, released by the session when it closes. */
  handOver(): string | undefined {
    if (this.state !== 'held') throw new Error(`a web socket's place handed over twice (${this.state})`);
    this.state = 'handed-over';
    this.owner.handedOver();
    return this.key;
  }
}

export class WebSlots {
  /** Web sockets holding a place that no session holds yet. */
  private heldCount = 0;

  constructor(private readonly host: WebSlotsHost) {}

  /** Web sockets counted here: add sessions for the server's total. */
  get count(): number {
    return this.heldCount;
  }

  get openConnections(): number {
    return this.host.sessions.size + this.heldCount;
  }

  /**
   * A new web socket: a place in the limits, or the refusal its 503 carries. A trusted proxy's
   * socket counts in the total only: it speaks for many clients, each judged when it upgrades.
   */
  admit(address: string, viaProxy = false): { slot: WebSlot; refusal?: undefined } | { refusal: string } {
    const admission = this.host.gate.admit(address, this.openConnections, this.host.now(), { throttle: false, perAddress: !viaProxy });
    if (admission.refusal) {
      this.host.stats.refused[admission.refusal.code]++;
      // Debug only: a flood of refused sockets must not become a flood of log lines.
      this.host.logger.debug({ address, transport: 'http', reason: admission.refusal.code }, 'connection refused');
      return { refusal: admission.refusal.message };
    }
    this.heldCount++;
    return { slot: new WebSlot(this, address, admission.key, viaProxy) };
  }

  /**
   * A web socket upgraded to a chat connection: it pays the throttle, then its place becomes
   * the session's (released with the session). Refused, the place stays the socket's until it closes.
   */
  upgrade(slot: WebSlot, address: string): Admission {
    // Its socket closed during the handshake: the chat connection is closing too; admitted afresh, its session releases it.
    if (!slot.held) return this.host.gate.admit(address, this.openConnections, this.host.now());
    if (slot.viaProxy) {
      // Through a trusted proxy: the client (its forwarded address) is counted and throttled
      // now, in the place the proxy's socket holds (not counted twice in the total).
      const admission = this.host.gate.admit(address, this.openConnections - 1, this.host.now());
      if (admission.refusal) return admission;
      slot.handOver();
      return admission;
    }
    const refusal = this.host.gate.throttled(slot.key, this.host.now());
    if (refusal) return { refusal };
    return { refusal: undefined, key: slot.handOver() };
  }

  /** @internal WebSlot.release */
  released(slot: WebSlot): void {
    this.heldCount--;
    this.host.gate.release(slot.key);
  }

  /** @internal WebSlot.handOver */
  handedOver(): void {
    this.heldCount--;
  }
}
