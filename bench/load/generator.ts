// The load generator's workers, run as worker threads in the bench's own process (the
// default) or as child processes (`--generator process`), and their CPU time. Threads share
// one V8 process with the bench's main thread (one GC heap per isolate, but one process's
// libuv and allocator); processes share nothing, so a comparison of the two tells whether
// the generator's arrangement limits what a server appears to do.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { sampleProcess } from './proc.ts';
import type { WorkerCommand, WorkerReply } from './protocol.ts';

export type GeneratorKind = 'thread' | 'process';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** One load worker: a thread or a child process, and its replies. */
export class LoadWorker {
  private readonly thread: Worker | undefined;
  private readonly child: ChildProcess | undefined;
  private waiting: { type: WorkerReply['type']; resolve: (r: WorkerReply) => void; reject: (e: Error) => void }[] = [];
  private failure: Error | undefined;
  /** Deliveries counted so far (the worker reports every 50 ms while sending). */
  received = 0;
  readonly ready: Promise<void>;

  /** profileDir: CPU profiles of the child processes go there (process mode only). */
  constructor(kind: GeneratorKind, profileDir?: string) {
    let onReady = (): void => {};
    this.ready = new Promise<void>((resolve) => (onReady = resolve));
    const onMessage = (r: WorkerReply): void => {
      if (r.type === 'ready') return onReady();
      if (r.type === 'progress') {
        this.received = r.received;
        return;
      }
      const i = this.waiting.findIndex((w) => w.type === r.type);
      if (i !== -1) this.waiting.splice(i, 1)[0]!.resolve(r);
    };
    const onFailure = (err: Error): void => {
      this.failure = err;
      for (const w of this.waiting.splice(0)) w.reject(err);
    };
    if (kind === 'thread') {
      this.thread = new Worker(new URL('./worker-entry.mjs', import.meta.url));
      this.thread.on('message', onMessage);
      this.thread.on('error', onFailure);
    } else {
      this.child = fork(fileURLToPath(new URL('./worker.ts', import.meta.url)), [], {
        cwd: ROOT,
        execArgv: ['--import', 'tsx', ...(profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`])],
        serialization: 'advanced', // structured clone, as postMessage between threads
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      this.child.on('message', (r) => onMessage(r as WorkerReply));
      this.child.on('error', onFailure);
      this.child.on('exit', (code, signal) => onFailure(new Error(`load process exited (${signal ?? code})`)));
    }
  }

  /** The child's pid (process mode), whose CPU time is read from /proc. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  ask<T extends WorkerReply['type']>(cmd: WorkerCommand, replyType: T): Promise<Extract<WorkerReply, { type: T }>> {
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.waiting.push({ type: replyType, resolve: resolve as (r: WorkerReply) => void, reject });
      this.tell(cmd);
    });
  }

  tell(cmd: WorkerCommand): void {
    if (this.thread) this.thread.postMessage(cmd);
    else this.child!.send(cmd);
  }

  async terminate(): Promise<void> {
    if (this.thread) {
      await this.thread.terminate();
      return;
    }
    const child = this.child!;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    // Disconnecting lets it exit by itself (writing its CPU profile, if any); a stuck one is killed.
    const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    if (child.connected) child.disconnect();
    else child.kill('SIGTERM');
    await exited;
    clearTimeout(kill);
  }
}

/**
 * CPU seconds (user + system) the generator has used so far: the bench's own process (its main
 * thread and any worker threads) plus every child process.
 */
export function generatorCpuSeconds(workers: LoadWorker[]): number {
  const own = process.cpuUsage();
  let seconds = (own.user + own.system) / 1e6;
  for (const w of workers) {
    if (w.pid === undefined) continue;
    try {
      seconds += sampleProcess(w.pid).cpuSeconds;
    } catch {
      // exited: its time no longer matters to a phase still being measured
    }
  }
  return seconds;
}
