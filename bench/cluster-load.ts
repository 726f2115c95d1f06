// The room workloads of the cluster bench and how they run: the load generator's worker
// threads (bench/load/worker.ts, unchanged) each connect to one node, so a workload says which
// node each worker — and so each client — talks to. Latency is kept per worker, hence per node:
// in latency-50k every sender is on node a, so what node a's witnesses record is same-node
// latency and what the other nodes' witnesses record is cross-node latency.
import { Worker } from 'node:worker_threads';
import { Histogram, type HistogramData } from './load/histogram.ts';
import type { ClientSpec, SenderSpec, WorkerCommand, WorkerReply } from './load/protocol.ts';
import { PADDING, WINDOW } from './workloads.ts';

export interface ClusterWorkload {
  name: string;
  title: string;
  measure: 'throughput' | 'latency';
  clients: ClientSpec[];
  /** Real senders, and (count 0) probes that only make their client a parsing witness. */
  senders: SenderSpec[];
  expected: number;
  /** The node (index) each load worker connects to. */
  workerNodes: number[];
  workerOf: (clientId: number) => number;
  window: number;
  ratePerSender?: number;
}

const ROOM_SIZE = 100;
const SENDERS = 10;
/** Parsing witnesses on each node that has no sender (latency-50k): the cross-node sample. */
const PROBES_PER_WORKER = 5;
const PROBE_ID_BASE = 1000;

/** Load workers for `nodes` nodes: at least two (as the single-server bench), one per node beyond. */
function spreadWorkers(nodes: number): number[] {
  const count = Math.max(2, nodes);
  return Array.from({ length: count }, (_, w) => w % nodes);
}

/** One room of 100; client k talks to worker k mod W, so clients go round-robin over the nodes. */
function spreadRoom(name: string, title: string, nodes: number, senderIds: number[], count: number): ClusterWorkload {
  const workerNodes = spreadWorkers(nodes);
  const workers = workerNodes.length;
  const clients: ClientSpec[] = Array.from({ length: ROOM_SIZE }, (_, k) => ({ id: k, nick: `c${k}`, rooms: ['#r0'] }));
  // A sender's witness is in the sender's worker (it acknowledges the sender's window there).
  const senders: SenderSpec[] = senderIds.map((clientId, i) => ({ id: i, clientId, target: '#r0', count, witness: clientId + workers }));
  return {
    name,
    title,
    measure: 'throughput',
    clients,
    senders,
    expected: senderIds.length * count * (ROOM_SIZE - 1),
    workerNodes,
    workerOf: (k) => k % workers,
    window: WINDOW,
  };
}

/** 10 senders on node a at `rate` messages/s each (× 99 members), members round-robin. */
function latencyWorkload(name: string, nodes: number, rate: number, seconds: number): ClusterWorkload {
  const workers = spreadWorkers(nodes);
  const onNodeA = Array.from({ length: ROOM_SIZE }, (_, k) => k).filter((k) => workers[k % workers.length] === 0);
  const title = `${Math.round(rate * SENDERS * (ROOM_SIZE - 1)).toLocaleString('en-US')} deliveries/s fixed rate; senders on node a, members round-robin`;
  const latency = spreadRoom(name, title, nodes, onNodeA.slice(0, SENDERS), Math.round(rate * seconds));
  latency.measure = 'latency';
  latency.ratePerSender = rate;
  // Parsing witnesses on the nodes without senders: their latency is cross-node latency.
  let probe = PROBE_ID_BASE;
  for (const [w, node] of workers.entries()) {
    if (node === 0) continue;
    for (let j = 0; j < PROBES_PER_WORKER; j++) {
      const clientId = w + j * workers.length;
      latency.senders.push({ id: probe++, clientId, target: '#r0', count: 0, witness: clientId });
    }
  }
  return latency;
}

export interface ClusterScale {
  /** 1 for the full bench, smaller for --quick. */
  factor: number;
}

export function clusterWorkloads(nodes: number, scale: ClusterScale): ClusterWorkload[] {
  const m = (n: number): number => Math.max(10, Math.round(n * scale.factor));
  const list: ClusterWorkload[] = [];

  // room-100: the members, and the 10 senders, round-robin over the nodes.
  const spreadSenders = Array.from({ length: SENDERS }, (_, k) => k);
  list.push(spreadRoom('room-100', '100 clients round-robin over the nodes, 1 room, 10 senders', nodes, spreadSenders, m(2000)));

  // latency-N: the same room, 10 senders all on node a at a fixed rate. 50k deliveries/s is
  // the target's rate; 10k shows the latency of a cluster that is not near its limit.
  const seconds = scale.factor < 1 ? 3 : 6;
  list.push(latencyWorkload('latency-50k', nodes, 50.5, seconds));
  list.push(latencyWorkload('latency-10k', nodes, 10.1, seconds));

  // room-on-a: every member on node a; the other nodes only follow the log.
  if (nodes > 1) {
    const local = spreadRoom('room-on-a', '100 clients all on node a, 1 room, 10 senders; other nodes idle', 1, spreadSenders, m(2000));
    list.push(local);
  }
  return list;
}

export interface WorkerOutcome {
  node: number;
  received: number;
  histogram: HistogramData;
  disconnects: number;
  lastReceivedAt: number;
  errors: string[];
}

export interface LoadRun {
  registered: number;
  regSeconds: number;
  joinSeconds: number;
  sendStart: number;
  workers: WorkerOutcome[];
}

const now = (): number => performance.timeOrigin + performance.now();

/** A load worker thread and its replies (the single-server runner keeps its own). */
class LoadWorker {
  readonly worker = new Worker(new URL('./load/worker-entry.mjs', import.meta.url));
  received = 0;
  readonly ready: Promise<void>;
  private waiting: { type: WorkerReply['type']; resolve: (r: WorkerReply) => void; reject: (e: Error) => void }[] = [];
  private failure: Error | undefined;

  constructor() {
    let onReady = (): void => {};
    this.ready = new Promise<void>((resolve) => (onReady = resolve));
    this.worker.on('message', (r: WorkerReply) => {
      if (r.type === 'ready') return onReady();
      if (r.type === 'progress') {
        this.received = r.received;
        return;
      }
      const i = this.waiting.findIndex((w) => w.type === r.type);
      if (i !== -1) this.waiting.splice(i, 1)[0]!.resolve(r);
    });
    this.worker.on('error', (err) => {
      this.failure = err;
      for (const w of this.waiting.splice(0)) w.reject(err);
    });
  }

  ask<T extends WorkerReply['type']>(cmd: WorkerCommand, replyType: T): Promise<Extract<WorkerReply, { type: T }>> {
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.waiting.push({ type: replyType, resolve: resolve as (r: WorkerReply) => void, reject });
      this.worker.postMessage(cmd);
    });
  }

  tell(cmd: WorkerCommand): void {
    this.worker.postMessage(cmd);
  }
}

export interface LoadHooks {
  /** Called right before the first message is sent and right after the last is received. */
  beforeSend(): Promise<void> | void;
  afterSend(): Promise<void> | void;
}

const SEND_DEADLINE_MS = 90_000;

/** Registers, joins and sends one workload against nodes listening on `ports` (by node index). */
export async function runLoad(w: ClusterWorkload, ports: number[], hooks: LoadHooks): Promise<LoadRun> {
  const workers = w.workerNodes.map(() => new LoadWorker());
  try {
    await Promise.all(workers.map((h) => h.ready));
    const regStart = now();
    const registered = await Promise.all(
      workers.map((h, i) => {
        const clients = w.clients.filter((c) => w.workerOf(c.id) === i);
        return h.ask({ type: 'register', port: ports[w.workerNodes[i]!]!, clients, concurrency: 100 }, 'registered');
      }),
    );
    const regSeconds = (now() - regStart) / 1000;
    const joinStart = now();
    await Promise.all(workers.map((h) => h.ask({ type: 'join' }, 'joined')));
    const joinSeconds = (now() - joinStart) / 1000;

    await hooks.beforeSend();
    const sendStart = now();
    for (const [i, h] of workers.entries()) {
      const mine = w.senders.filter((s) => w.workerOf(s.clientId) === i);
      h.tell({ type: 'send', senders: mine, window: w.window, ratePerSender: w.ratePerSender, padding: PADDING });
    }
    const deadline = Date.now() + SEND_DEADLINE_MS;
    while (workers.reduce((n, h) => n + h.received, 0) < w.expected && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5));
    }
    await hooks.afterSend();
    const stopped = await Promise.all(workers.map((h) => h.ask({ type: 'stop' }, 'stopped')));
    return {
      registered: registered.reduce((n, r) => n + r.times.length, 0),
      regSeconds,
      joinSeconds,
      sendStart,
      workers: stopped.map((r, i) => ({
        node: w.workerNodes[i]!,
        received: r.received,
        histogram: r.histogram,
        disconnects: r.disconnects,
        lastReceivedAt: r.lastReceivedAt,
        errors: [...registered[i]!.errors, ...r.errors],
      })),
    };
  } finally {
    await Promise.all(workers.map((h) => h.ask({ type: 'close' }, 'closed').catch(() => undefined)));
    await Promise.all(workers.map((h) => h.worker.terminate()));
  }
}

/** Latency of what the workers of the chosen nodes received. */
export function latencyOf(run: LoadRun, pick: (node: number) => boolean): Histogram {
  return Histogram.merge(run.workers.filter((o) => pick(o.node)).map((o) => o.histogram));
}
