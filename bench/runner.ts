// Runs one workload against one server: registers, joins, sends, and measures.
import { Worker } from 'node:worker_threads';
import { Histogram, samplePercentile, type HistogramData } from './load/histogram.ts';
import { sampleProcess, type ProcSample } from './load/proc.ts';
import type { WorkerCommand, WorkerReply } from './load/protocol.ts';
import type { RunningServer } from './targets.ts';
import { PADDING, WORKERS, type Workload } from './workloads.ts';

export interface Result {
  server: string;
  workload: string;
  measure: Workload['measure'];
  clients: number;
  registered: number;
  regTotalMs: number;
  regP50Ms: number;
  regP99Ms: number;
  regPerSec: number;
  joinTotalMs: number;
  joinP50Ms: number;
  joinP99Ms: number;
  expected: number;
  received: number;
  lost: number;
  seconds: number;
  deliveriesPerSec: number;
  latP50Ms: number;
  latP99Ms: number;
  latMaxMs: number;
  serverCpuSeconds: number;
  cpuPerDeliveryUs: number;
  rssBeforeMB: number;
  rssAfterMB: number;
  bytesPerConnection: number;
  disconnects: number;
  loadCpuSeconds: number;
  errors: string[];
  /** Headline value of every run, when repeated. */
  runs?: number[];
}

const SEND_DEADLINE_MS = 90_000;
const now = (): number => performance.timeOrigin + performance.now();

class WorkerHandle {
  readonly worker: Worker;
  private waiting: { type: WorkerReply['type']; resolve: (r: WorkerReply) => void; reject: (e: Error) => void }[] = [];
  private failure: Error | undefined;
  private onReady: (() => void) | undefined;
  received = 0;
  readonly ready: Promise<unknown>;

  constructor() {
    this.worker = new Worker(new URL('./load/worker-entry.mjs', import.meta.url));
    this.worker.on('message', (r: WorkerReply) => {
      if (r.type === 'ready') {
        this.onReady?.();
        return;
      }
      if (r.type === 'progress') {
        this.received = r.received;
        return;
      }
      const i = this.waiting.findIndex((w) => w.type === r.type);
      if (i !== -1) this.waiting.splice(i, 1)[0]!.resolve(r);
    });
    this.ready = new Promise<void>((resolve) => (this.onReady = resolve));
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

export async function runWorkload(serverName: string, server: RunningServer, w: Workload): Promise<Result> {
  const workers = Array.from({ length: WORKERS }, () => new WorkerHandle());
  const loadCpu0 = process.cpuUsage();
  const errors: string[] = [];
  try {
    await Promise.all(workers.map((h) => h.ready));
    const rssBefore = sampleProcess(server.pid);

    // Register.
    const regStart = now();
    const regReplies = await Promise.all(
      workers.map((h, i) =>
        h.ask(
          { type: 'register', port: server.port, clients: w.clients.filter((c) => w.workerOf(c.id) === i), concurrency: Math.ceil(w.concurrency / WORKERS) },
          'registered',
        ),
      ),
    );
    const regTotalMs = now() - regStart;
    const regTimes = regReplies.flatMap((r) => r.times);
    errors.push(...regReplies.flatMap((r) => r.errors));
    const afterRegister = sampleProcess(server.pid);

    // Join.
    let joinTimes: number[] = [];
    let joinTotalMs = 0;
    const beforeJoin = sampleProcess(server.pid);
    if (w.clients.some((c) => c.rooms.length > 0)) {
      const joinStart = now();
      const replies = await Promise.all(workers.map((h) => h.ask({ type: 'join' }, 'joined')));
      joinTotalMs = now() - joinStart;
      joinTimes = replies.flatMap((r) => r.times);
    }
    const afterJoin = sampleProcess(server.pid);

    // Send.
    let received = 0;
    let seconds = 0;
    let histogram = new Histogram();
    let disconnects = 0;
    let cpuFrom: ProcSample = afterJoin;
    let cpuTo: ProcSample = afterJoin;
    if (w.senders.length > 0) {
      cpuFrom = sampleProcess(server.pid);
      const sendStart = now();
      for (const [i, h] of workers.entries()) {
        const mine = w.senders.filter((s) => w.workerOf(s.clientId) === i);
        h.tell({ type: 'send', senders: mine, window: w.window, ratePerSender: w.ratePerSender, padding: PADDING });
      }
      await waitFor(() => workers.reduce((n, h) => n + h.received, 0) >= w.expected, SEND_DEADLINE_MS);
      cpuTo = sampleProcess(server.pid);
      const stopped = await Promise.all(workers.map((h) => h.ask({ type: 'stop' }, 'stopped')));
      seconds = (Math.max(...stopped.map((r) => r.lastReceivedAt)) - sendStart) / 1000;
      received = stopped.reduce((n, r) => n + r.received, 0);
      histogram = Histogram.merge(stopped.map((r) => r.histogram as HistogramData));
      disconnects = stopped.reduce((n, r) => n + r.disconnects, 0);
      errors.push(...stopped.flatMap((r) => r.errors));
    } else {
      const stopped = await Promise.all(workers.map((h) => h.ask({ type: 'stop' }, 'stopped')));
      disconnects = stopped.reduce((n, r) => n + r.disconnects, 0);
      errors.push(...stopped.flatMap((r) => r.errors));
    }
    const rssAfter = sampleProcess(server.pid);
    const serverCpu =
      w.measure === 'registration'
        ? afterRegister.cpuSeconds - rssBefore.cpuSeconds
        : w.measure === 'join'
          ? afterJoin.cpuSeconds - beforeJoin.cpuSeconds
          : cpuTo.cpuSeconds - cpuFrom.cpuSeconds;
    const loadCpu = process.cpuUsage(loadCpu0);
    return {
      server: serverName,
      workload: w.name,
      measure: w.measure,
      clients: w.clients.length,
      registered: regTimes.length,
      regTotalMs,
      regP50Ms: samplePercentile(regTimes, 50),
      regP99Ms: samplePercentile(regTimes, 99),
      regPerSec: regTimes.length / (regTotalMs / 1000),
      joinTotalMs,
      joinP50Ms: samplePercentile(joinTimes, 50),
      joinP99Ms: samplePercentile(joinTimes, 99),
      expected: w.expected,
      received,
      lost: Math.max(0, w.expected - received),
      seconds,
      deliveriesPerSec: seconds > 0 ? received / seconds : 0,
      latP50Ms: histogram.percentile(50),
      latP99Ms: histogram.percentile(99),
      latMaxMs: histogram.max,
      serverCpuSeconds: serverCpu,
      cpuPerDeliveryUs: received > 0 ? (serverCpu / received) * 1e6 : NaN,
      rssBeforeMB: rssBefore.rssBytes / 2 ** 20,
      rssAfterMB: rssAfter.rssBytes / 2 ** 20,
      bytesPerConnection: regTimes.length > 0 ? (afterRegister.rssBytes - rssBefore.rssBytes) / regTimes.length : NaN,
      disconnects,
      loadCpuSeconds: (loadCpu.user + loadCpu.system) / 1e6,
      errors: [...new Set(errors)].slice(0, 5),
    };
  } finally {
    await Promise.all(workers.map((h) => h.ask({ type: 'close' }, 'closed').catch(() => undefined)));
    await Promise.all(workers.map((h) => h.worker.terminate()));
  }
}

async function waitFor(done: () => boolean, deadlineMs: number): Promise<void> {
  const start = Date.now();
  while (!done() && Date.now() - start < deadlineMs) await new Promise((r) => setTimeout(r, 5));
}
