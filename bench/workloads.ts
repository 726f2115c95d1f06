// The benchmark's workloads. Each says who connects, which rooms they join, who sends what.
import type { ClientSpec, SenderSpec } from './load/protocol.ts';

export type Measure = 'throughput' | 'latency' | 'registration' | 'join' | 'idle';

export interface Workload {
  name: string;
  title: string;
  measure: Measure;
  clients: ClientSpec[];
  senders: SenderSpec[];
  /** Deliveries expected: each message times its recipients. */
  expected: number;
  /** Which worker thread owns client k (a sender and its witness share one). */
  workerOf: (clientId: number) => number;
  window: number;
  ratePerSender?: number;
  /** Clients registering at once. */
  concurrency: number;
  /**
   * Clients log in (SASL PLAIN) to accounts made for them, where the server has accounts
   * (Parlor), and the run checks that every message sent was stored.
   */
  login?: boolean;
  /** Every witness hears only the sender it acknowledges: all but every Nth count instead of parsing. */
  sampleEvery?: number;
}

export const WORKERS = 2;
const PAD = 40;
/** Messages a sender may have in flight (sent, not yet seen by its witness). */
export const WINDOW = Number(process.env.BENCH_WINDOW ?? 50);
export const PADDING = PAD;

const nick = (k: number): string => `c${k}`;
const byIndex = (k: number): number => k % WORKERS;

/** `rooms` rooms of `perRoom` members each; `sendersPerRoom` of each room send `count` messages. */
function roomWorkload(name: string, title: string, rooms: number, perRoom: number, sendersPerRoom: number, count: number): Workload {
  const clients: ClientSpec[] = [];
  const senders: SenderSpec[] = [];
  for (let r = 0; r < rooms; r++) {
    for (let j = 0; j < perRoom; j++) {
      const id = r * perRoom + j;
      clients.push({ id, nick: nick(id), rooms: [`#r${r}`] });
      if (j < sendersPerRoom) senders.push({ id: senders.length, clientId: id, target: `#r${r}`, count, witness: id + WORKERS });
    }
  }
  return {
    name,
    title,
    measure: 'throughput',
    clients,
    senders,
    expected: senders.length * count * (perRoom - 1),
    workerOf: byIndex,
    window: WINDOW,
    concurrency: 200,
  };
}

export interface Scale {
  /** 1 for the full benchmark, smaller for a quick run. */
  factor: number;
  idleConnections: number;
}

export function workloads(scale: Scale): Workload[] {
  const m = (n: number): number => Math.max(10, Math.round(n * scale.factor));
  const list: Workload[] = [
    roomWorkload('room-100', '100 clients, 1 room, 10 senders', 1, 100, 10, m(2000)),
    roomWorkload('rooms-1000', '1000 clients, 10 rooms, 50 senders', 10, 100, 5, m(400)),
  ];

  // 200 clients in 100 private pairs, each sending to its partner.
  const pairClients: ClientSpec[] = [];
  const pairSenders: SenderSpec[] = [];
  const pairCount = m(2000);
  for (let k = 0; k < 200; k++) {
    pairClients.push({ id: k, nick: nick(k), rooms: [] });
    const partner = k ^ 1;
    pairSenders.push({ id: k, clientId: k, target: nick(partner), count: pairCount, witness: partner });
  }
  list.push({
    name: 'pairs-200',
    title: '200 clients in private pairs',
    measure: 'throughput',
    clients: pairClients,
    senders: pairSenders,
    expected: 200 * pairCount,
    workerOf: (k) => Math.floor(k / 2) % WORKERS,
    window: WINDOW,
    concurrency: 200,
    // Parlor stores a private message only between two logged-in accounts: every one here.
    login: true,
    // 10 % of the clients measure latency, as in the rooms; the others count and acknowledge.
    sampleEvery: 10,
  });

  // ~50k deliveries/s: 10 senders × 50.5 msg/s × 99 recipients, for 6 s (3 s quick).
  const seconds = scale.factor < 1 ? 3 : 6;
  const latency = roomWorkload('latency-50k', '50k deliveries/s fixed rate, 100 clients', 1, 100, 10, Math.round(50.5 * seconds));
  latency.measure = 'latency';
  latency.ratePerSender = 50.5;
  list.push(latency);

  list.push({
    name: 'register-500',
    title: '500 clients connecting at once',
    measure: 'registration',
    clients: Array.from({ length: 500 }, (_, k) => ({ id: k, nick: nick(k), rooms: [] })),
    senders: [],
    expected: 0,
    workerOf: byIndex,
    window: 0,
    concurrency: 500,
  });

  list.push({
    name: 'join-2000',
    title: '2000 clients joining one room',
    measure: 'join',
    clients: Array.from({ length: 2000 }, (_, k) => ({ id: k, nick: nick(k), rooms: ['#big'] })),
    senders: [],
    expected: 0,
    workerOf: byIndex,
    window: 0,
    concurrency: 250,
  });

  list.push({
    name: `idle-${scale.idleConnections}`,
    title: `${scale.idleConnections} idle registered connections`,
    measure: 'idle',
    clients: Array.from({ length: scale.idleConnections }, (_, k) => ({ id: k, nick: nick(k), rooms: [] })),
    senders: [],
    expected: 0,
    workerOf: byIndex,
    window: 0,
    concurrency: 250,
  });
  return list;
}
