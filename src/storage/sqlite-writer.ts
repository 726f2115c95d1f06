// Who writes SqliteStore's message batches: a worker thread with its own connection to the
// file (the default; WAL lets it write while the main connection reads), or the main
// connection on the event loop (`storage.writer: inline`, and for ':memory:' databases, which
// another connection cannot open). Either way one batch is one transaction, and the writer
// runs requests in the order they were made.
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { MessageBatchWriter, MessageRows } from './sqlite-batch-writes.js';
import type { WriterReply, WriterRequest, WriterTask } from './sqlite-writer-worker.js';

export interface MessageWriter {
  /** Resolves once the writer can write (its thread started, its connection open). */
  ready(): Promise<void>;
  /** Writes the rows in one transaction; resolves with the milliseconds it took. */
  write(rows: MessageRows): Promise<number>;
  /** Deletes the conversations that have no message left (after purge and prune). */
  dropEmptyConversations(): Promise<void>;
  /** Waits for what was asked, then lets go of the connection. */
  close(): Promise<void>;
}

export class InlineWriter implements MessageWriter {
  constructor(private readonly batches: MessageBatchWriter) {}

  async ready(): Promise<void> {}

  async write(rows: MessageRows): Promise<number> {
    const started = performance.now();
    this.batches.write(rows);
    return performance.now() - started;
  }

  async dropEmptyConversations(): Promise<void> {
    this.batches.dropEmptyConversations();
  }

  async close(): Promise<void> {
    // The main connection is the store's to close.
  }
}

/** The writer thread stopped (crashed, or was terminated) before answering. */
export class WriterThreadError extends Error {
  override name = 'WriterThreadError';
}

interface Pending {
  resolve: (ms: number) => void;
  reject: (err: unknown) => void;
}

/**
 * The writer thread, started at once (so that the first messages do not wait for it) and again
 * on the first request after it died (the store retries a failed batch a second later, so a
 * thread that cannot start does not spin). It keeps the process alive only while it has work: a process that ends on its own
 * writes its queue first.
 */
export class WorkerWriter implements MessageWriter {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closing: Promise<void> | undefined;

  constructor(private readonly path: string) {
    this.worker = this.start();
  }

  /** The running thread, if any (tests stop it to check that nothing is lost). */
  get thread(): Worker | undefined {
    return this.worker;
  }

  async write(rows: MessageRows): Promise<number> {
    return this.request({ kind: 'write', rows });
  }

  async dropEmptyConversations(): Promise<void> {
    await this.request({ kind: 'dropEmptyConversations' });
  }

  async ready(): Promise<void> {
    await this.request({ kind: 'ready' });
  }

  close(): Promise<void> {
    this.closing ??= this.stop();
    return this.closing;
  }

  private async stop(): Promise<void> {
    const worker = this.worker;
    if (worker === undefined) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.ref();
    // After everything already asked: the thread answers in order, then closes its connection.
    worker.postMessage({ kind: 'close' } satisfies WriterRequest);
    await exited;
  }

  /** Resolves with the milliseconds the task took on the thread. */
  private request(task: WriterTask): Promise<number> {
    if (this.closing) return Promise.reject(new WriterThreadError('the SQLite writer is closed'));
    const worker = (this.worker ??= this.start());
    const id = this.nextId++;
    const answered = new Promise<number>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    worker.ref();
    worker.postMessage({ ...task, id } satisfies WriterRequest);
    return answered;
  }

  private start(): Worker {
    const worker = spawnWriterThread(this.path);
    let crash: unknown;
    worker.on('message', (reply: WriterReply) => {
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref();
      if (reply.ok) waiting?.resolve(reply.ms);
      else waiting?.reject(reviveError(reply.error));
    });
    worker.on('error', (err) => (crash = err));
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = undefined;
      const err = new WriterThreadError(`the SQLite writer thread stopped (exit code ${code})${crash instanceof Error ? `: ${crash.message}` : ''}`, { cause: crash });
      for (const waiting of this.pending.values()) waiting.reject(err);
      this.pending.clear();
    });
    worker.unref();
    return worker;
  }
}

/**
 * The thread's entry is plain JavaScript, the same file in a checkout and in dist/, so it needs
 * no TypeScript loader: a worker inherits the process's options, and loading tsx there (when
 * the process runs under `node --import tsx`) would take it a second to start instead of 0.1 s.
 */
function spawnWriterThread(path: string): Worker {
  return new Worker(new URL('./sqlite-writer-worker.js', import.meta.url), { workerData: { path }, execArgv: writerThreadArgv(process.execArgv) });
}

/**
 * The process's Node options the thread keeps: only the profilers', so that `--cpu-prof` covers
 * it. Nothing else is needed there, and much is refused in a worker (`--max-old-space-size`;
 * the options Node 24's test runner gives its child processes), which would stop it starting.
 */
export function writerThreadArgv(execArgv: readonly string[]): string[] {
  return execArgv.filter((arg) => arg.startsWith('--cpu-prof') || arg.startsWith('--heap-prof'));
}

function reviveError(described: { name: string; message: string; code?: string }): Error {
  const err = new Error(described.message) as Error & { code?: string };
  err.name = described.name;
  if (described.code !== undefined) err.code = described.code;
  return err;
}
