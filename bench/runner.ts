// Runs one workload against one server: registers, joins, sends, and measures.
import { generatorCpuSeconds, LoadWorker, type GeneratorKind } from './load/generator.ts';
import { Histogram, samplePercentile, type HistogramData } from './load/histogram.ts';
import { machineBusySeconds, sampleProcess, type ProcSample } from './load/proc.ts';
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
  /** How the load generator ran: worker threads of the bench process, or child processes. */
  generator: GeneratorKind;
  /** Messages sent in the sending phase. */
  sent: number;
  /** Messages in the server's database after the run (when its clients logged in to accounts), else undefined. */
  stored?: number | undefined;
  /** From the last delivery until the database held every message sent. */
  storeLagMs?: number | undefined;
  /** The generator's CPU (every thread or process) over the same window as serverCpuSeconds. */
  generatorCpuSeconds: number;
  generatorCpuPerDeliveryUs: number;
  /** CPU seconds per wall second over that window: 1 = one core busy all the time. */
  serverCores: number;
  generatorCores: number;
  /** Cores busy with anything else on the machine over that window (a quiet machine: ~0). */
  otherCores: number;
  errors: string[];
  /** Headline value of every run, when repeated. */
  runs?: number[];
}

const SEND_DEADLINE_MS = 90_000;
/** How long the server may take, after the last delivery, to have stored every message. */
const STORE_DEADLINE_MS = 30_000;
const now = (): number => performance.timeOrigin + performance.now();

export interface RunOptions {
  generator: GeneratorKind;
  /** CPU profiles of the generator's child processes (process mode) go here. */
  generatorProfileDir?: string | undefined;
}

export async function runWorkload(serverName: string, server: RunningServer, w: Workload, options: RunOptions = { generator: 'thread' }): Promise<Result> {
  const workers = Array.from({ length: WORKERS }, () => new LoadWorker(options.generator, options.generatorProfileDir));
  const loadCpu0 = generatorCpuSeconds(workers);
  const errors: string[] = [];
  // Clients log in only where the workload asks and the server made accounts for them.
  const loginPassword = w.login === true ? server.loginPassword : undefined;
  try {
    await Promise.all(workers.map((h) => h.ready));
    const rssBefore = sampleProcess(server.pid);
    const loadBeforeRegister = generatorCpuSeconds(workers); // after the workers' start-up
    const machineBeforeRegister = machineBusySeconds();

    // Register.
    const regStart = now();
    const regReplies = await Promise.all(
      workers.map((h, i) =>
        h.ask(
          { type: 'register', port: server.port, clients: w.clients.filter((c) => w.workerOf(c.id) === i), concurrency: Math.ceil(w.concurrency / WORKERS), loginPassword },
          'registered',
        ),
      ),
    );
    const regTotalMs = now() - regStart;
    const regTimes = regReplies.flatMap((r) => r.times);
    errors.push(...regReplies.flatMap((r) => r.errors));
    const afterRegister = sampleProcess(server.pid);
    const loadAfterRegister = generatorCpuSeconds(workers);
    const machineAfterRegister = machineBusySeconds();

    // Join.
    let joinTimes: number[] = [];
    let joinTotalMs = 0;
    const beforeJoin = sampleProcess(server.pid);
    const loadBeforeJoin = generatorCpuSeconds(workers);
    const machineBeforeJoin = machineBusySeconds();
    if (w.clients.some((c) => c.rooms.length > 0)) {
      const joinStart = now();
      const replies = await Promise.all(workers.map((h) => h.ask({ type: 'join' }, 'joined')));
      joinTotalMs = now() - joinStart;
      joinTimes = replies.flatMap((r) => r.times);
    }
    const afterJoin = sampleProcess(server.pid);
    const loadAfterJoin = generatorCpuSeconds(workers);
    const machineAfterJoin = machineBusySeconds();

    // Send.
    let received = 0;
    let seconds = 0;
    let histogram = new Histogram();
    let disconnects = 0;
    let cpuFrom: ProcSample = afterJoin;
    let cpuTo: ProcSample = afterJoin;
    let loadFrom = loadAfterJoin;
    let loadTo = loadAfterJoin;
    let machineFrom = machineAfterJoin;
    let machineTo = machineAfterJoin;
    let sent = 0;
    let stored: number | undefined;
    let storeLagMs: number | undefined;
    let sendStart = now();
    let sendEnd = sendStart;
    if (w.senders.length > 0) {
      cpuFrom = sampleProcess(server.pid);
      loadFrom = generatorCpuSeconds(workers);
      machineFrom = machineBusySeconds();
      sendStart = now();
      for (const [i, h] of workers.entries()) {
        const mine = w.senders.filter((s) => w.workerOf(s.clientId) === i);
        h.tell({ type: 'send', senders: mine, window: w.window, ratePerSender: w.ratePerSender, padding: PADDING, sampleEvery: w.sampleEvery });
      }
      await waitFor(() => workers.reduce((n, h) => n + h.received, 0) >= w.expected, SEND_DEADLINE_MS);
      const delivered = now();
      // With accounts every message is stored: the server's work on a message ends when it is
      // in the database, so the CPU window runs until then (a shortfall is counted as lost).
      const storing = loginPassword !== undefined ? server.storedMessages : undefined;
      const expectedStored = w.senders.reduce((n, s) => n + s.count, 0);
      if (storing) {
        await waitFor(() => (stored = storing()) >= expectedStored, STORE_DEADLINE_MS, 50);
        storeLagMs = now() - delivered;
      }
      cpuTo = sampleProcess(server.pid);
      loadTo = generatorCpuSeconds(workers);
      machineTo = machineBusySeconds();
      sendEnd = now();
      const stopped = await Promise.all(workers.map((h) => h.ask({ type: 'stop' }, 'stopped')));
      seconds = (Math.max(...stopped.map((r) => r.lastReceivedAt)) - sendStart) / 1000;
      received = stopped.reduce((n, r) => n + r.received, 0);
      sent = stopped.reduce((n, r) => n + r.sent, 0);
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
    // The generator and the rest of the machine over the same window as the server.
    const generatorCpu =
      w.measure === 'registration' ? loadAfterRegister - loadBeforeRegister : w.measure === 'join' ? loadAfterJoin - loadBeforeJoin : loadTo - loadFrom;
    const machineBusy =
      w.measure === 'registration' ? machineAfterRegister - machineBeforeRegister : w.measure === 'join' ? machineAfterJoin - machineBeforeJoin : machineTo - machineFrom;
    const windowSeconds = w.measure === 'registration' ? regTotalMs / 1000 : w.measure === 'join' ? joinTotalMs / 1000 : (sendEnd - sendStart) / 1000;
    const loadCpu = generatorCpuSeconds(workers) - loadCpu0;
    const unstored = stored === undefined ? 0 : Math.max(0, sent - stored);
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
      lost: Math.max(0, w.expected - received) + unstored,
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
      loadCpuSeconds: loadCpu,
      generator: options.generator,
      sent,
      stored,
      storeLagMs,
      generatorCpuSeconds: generatorCpu,
      generatorCpuPerDeliveryUs: received > 0 ? (generatorCpu / received) * 1e6 : NaN,
      serverCores: windowSeconds > 0 ? serverCpu / windowSeconds : NaN,
      generatorCores: windowSeconds > 0 ? generatorCpu / windowSeconds : NaN,
      otherCores: windowSeconds > 0 ? Math.max(0, machineBusy - serverCpu - generatorCpu) / windowSeconds : NaN,
      errors: [...new Set(errors)].slice(0, 5),
    };
  } finally {
    await Promise.all(workers.map((h) => h.ask({ type: 'close' }, 'closed').catch(() => undefined)));
    await Promise.all(workers.map((h) => h.terminate()));
  }
}

async function waitFor(done: () => boolean, deadlineMs: number, everyMs = 5): Promise<void> {
  const start = Date.now();
  while (!done() && Date.now() - start < deadlineMs) await new Promise((r) => setTimeout(r, everyMs));
}
