// What the in-process micro-benchmarks share: the server settings of bench/parlor-bench.yaml
// (limits lifted as for ngircd and InspIRCd), and the way they repeat a run (warm in one process,
// or --cold: a fresh process a run, as `npm run bench` does) and report median [min–max]; the
// main thread's CPU clock and CPU profiles.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import inspector from 'node:inspector/promises';
import { join } from 'node:path';

/** Config input for createServer/parseConfig: parlor-bench.yaml's limits, no web port, no audit log. */
export function benchServerInput(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    server: { name: 'bench.parlor', port: 0 },
    limits: { sendQueueBytes: 10485760, pingIntervalMs: 600000, registrationTimeoutMs: 600000, channelsPerUser: 100 },
    connections: { max: 100000 },
    flood: { burst: 1000000, commandsPerSecond: 1000000, recvQueueBytes: 10485760 },
    admin: { auditLog: null },
    web: { enabled: false },
    ...extra,
  };
}

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

export interface RepeatOptions<Run> {
  /** One measured run in this process. */
  oneRun: () => Promise<Run>;
  reps: number;
  /** A fresh process a run: this script again with `childArgs` (which must include --json --reps 1). */
  cold: boolean;
  /** This process is such a child: one run, printed as JSON by the caller. */
  json: boolean;
  childArgs: string[];
  cwd: string;
}

/** The runs to report: cold ones from child processes, else warm ones after a first run that warms the JIT. */
export async function repeatRuns<Run>(o: RepeatOptions<Run>): Promise<Run[]> {
  const runs: Run[] = [];
  if (o.cold) {
    // The parent's node options (--import tsx, V8 flags under test) for every child.
    const args = [...process.execArgv, ...o.childArgs];
    for (let i = 0; i < o.reps; i++) {
      const child = spawnSync(process.execPath, args, { cwd: o.cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
      runs.push(...(JSON.parse(child.stdout) as Run[]));
    }
  } else if (o.json) {
    runs.push(await o.oneRun());
  } else {
    await o.oneRun(); // warms the JIT
    for (let i = 0; i < o.reps; i++) runs.push(await o.oneRun());
  }
  return runs;
}

/** "median [min–max]" of one field of the runs. */
export function spread<Run>(runs: readonly Run[], key: keyof Run, digits = 1): string {
  const xs = runs.map((r) => r[key] as number);
  return `${median(xs).toFixed(digits)} [${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}]`;
}

/**
 * Nanoseconds the main thread has run on a CPU (Linux schedstat; 0 elsewhere): unlike wall or
 * busy time, not inflated by other processes on a shared machine.
 */
export function mainThreadCpuNs(): number {
  try {
    return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]);
  } catch {
    return 0;
  }
}

/** A CPU profile of this thread, sampled every 100 µs, saved for DevTools as DIR/NAME.cpuprofile. */
export class CpuProfiler {
  private readonly session = new inspector.Session();

  private constructor() {}

  static async open(): Promise<CpuProfiler> {
    const profiler = new CpuProfiler();
    profiler.session.connect();
    await profiler.session.post('Profiler.enable');
    await profiler.session.post('Profiler.setSamplingInterval', { interval: 100 });
    return profiler;
  }

  async start(): Promise<void> {
    await this.session.post('Profiler.start');
  }

  /** Stops this profile and writes it; start() begins another. */
  async save(dir: string, name: string): Promise<void> {
    const { profile } = await this.session.post('Profiler.stop');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
  }

  close(): void {
    this.session.disconnect();
  }
}
