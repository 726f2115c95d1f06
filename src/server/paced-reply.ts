// A long reply (LIST, WHO, NAMES, a history batch) written in pieces the asker's send queue
// can hold. Its entries are made as they go out, never all at once: while the bytes waiting
// for the client stay under half its send queue more are written, past that the reply waits
// until the client has read them. Every few hundred entries it lets other clients have a turn.
// A reply that fits at once is sent synchronously, as any other; one that has to wait returns
// a promise, which the command handler returns: the session then holds that client's next
// commands back until the reply has ended, and no other client is slowed.
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import type { Context } from './context.ts';
import { Outgoing } from './outgoing.ts';

/** Entries written in one event-loop turn before others get theirs. */
const ENTRIES_PER_TURN = 256;
/** How often a reply looks again when the queue stays full after a drain it did not cause. */
const DRAIN_POLL_MS = 10;

export interface PacedReplyOptions {
  /** The batch (e.g. chathistory) every entry belongs to. */
  batch?: string;
  /** Runs after the last entry, if the client is still connected: the end numeric. */
  end?: () => void;
}

/** A numeric reply to the asker as a message, for an entry of a paced reply. */
export function numericReply(ctx: Context, numeric: string, ...params: string[]): Outgoing {
  return new Outgoing(ctx.serverName, numeric, [ctx.session.nickOrStar, ...params], ctx.now());
}

/**
 * Sends `entries` then runs `options.end`. Synchronous (undefined) when the whole reply went
 * out in one turn; otherwise a promise, resolved once the reply has ended or the client left.
 */
export function sendPaced(ctx: Context, entries: Iterator<Outgoing>, options: PacedReplyOptions = {}): void | Promise<void> {
  const reply = new PacedReply(ctx, entries, options);
  if (reply.writeSome()) return reply.finish();
  return reply.continueLater();
}

class PacedReply {
  /** Bytes of the entries held for a label, not yet queued on the connection. */
  private heldBytes = 0;
  private readonly lowWaterBytes: number;

  constructor(
    private readonly ctx: Context,
    private readonly entries: Iterator<Outgoing>,
    private readonly options: PacedReplyOptions,
  ) {
    this.lowWaterBytes = Math.floor(ctx.config.limits.sendQueueBytes / 2);
  }

  /** Writes entries until the last (true: done, or the client left), the low-water mark or the turn's share. */
  writeSome(): boolean {
    const { rb, session } = this.ctx;
    const conn = session.conn;
    for (let n = 0; n < ENTRIES_PER_TURN; n++) {
      if (conn.closed) return true;
      if (conn.queuedBytes + this.heldBytes >= this.lowWaterBytes) return false;
      const next = this.entries.next();
      if (next.done) return true;
      rb.add(next.value, this.options.batch);
      if (rb.holding) this.heldBytes += lineBytes(next.value, session.tagVariant, session.maxBodyBytes);
    }
    return false;
  }

  async continueLater(): Promise<void> {
    const { rb, session } = this.ctx;
    const conn = session.conn;
    // Held replies go out now, in the label's batch, and later ones as they are made.
    rb.stream();
    this.heldBytes = 0;
    do {
      if (conn.queuedBytes >= this.lowWaterBytes) {
        await conn.whenDrained();
        // Bytes the transport writes by itself (a WebSocket's automatic pongs) are not ours to
        // wait for: if they keep the queue full, poll gently rather than spin on resolved waits.
        if (conn.queuedBytes >= this.lowWaterBytes) {
          await sleep(DRAIN_POLL_MS);
          continue;
        }
        // The client read what it was sent: it is there, even though its input waits unread.
        session.lastActivity = this.ctx.now();
        session.pingSentAt = 0;
      } else {
        await nextTurn();
      }
    } while (!this.writeSome());
    this.finish();
  }

  finish(): void {
    if (this.ctx.session.conn.closed) {
      this.entries.return?.();
      return;
    }
    this.options.end?.();
  }
}

/** What a held entry will take on the wire; one that cannot be serialized is never sent. */
function lineBytes(out: Outgoing, tagVariant: number, maxBodyBytes: number): number {
  try {
    return Buffer.byteLength(out.line(tagVariant, undefined, maxBodyBytes)) + 2;
  } catch {
    return 0;
  }
}
