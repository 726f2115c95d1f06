// Messages between the benchmark's main thread and its load-generator workers.
import type { HistogramData } from './histogram.ts';

export interface ClientSpec {
  id: number;
  nick: string;
  rooms: string[];
}

export interface SenderSpec {
  /** Sender id, carried in each message. */
  id: number;
  clientId: number;
  /** A room or a nick. */
  target: string;
  count: number;
  /** The client (in the same worker) whose receipt of a message acknowledges it. */
  witness: number;
}

export type WorkerCommand =
  /** loginPassword: each client logs in (SASL PLAIN) to the account named after its nick. */
  | { type: 'register'; port: number; clients: ClientSpec[]; concurrency: number; loginPassword?: string | undefined }
  | { type: 'join' }
  /**
   * sampleEvery (private pairs, where a witness hears only the one sender it acknowledges):
   * every Nth such witness parses lines for latency, the others acknowledge by counting.
   */
  | { type: 'send'; senders: SenderSpec[]; window: number; ratePerSender?: number | undefined; padding: number; sampleEvery?: number | undefined }
  | { type: 'stop' }
  | { type: 'close' };

export type WorkerReply =
  | { type: 'registered'; times: number[]; failed: number; errors: string[] }
  | { type: 'joined'; times: number[]; errors: string[] }
  | { type: 'progress'; received: number }
  | { type: 'stopped'; received: number; sent: number; lastReceivedAt: number; histogram: HistogramData; disconnects: number; errors: string[] }
  | { type: 'closed' }
  | { type: 'ready' };
