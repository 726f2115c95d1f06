// @ts-check
// The SQLite writer thread (started by sqlite-writer.ts): its own connection to the store's
// file, already opened and migrated by the main thread, on which it writes message batches in
// the order they come. better-sqlite3 is synchronous, so here the commits block only this
// thread; the main thread's reads see a batch once its answer has arrived. Plain JavaScript:
// see sqlite-batch-writes.js.
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import Database from './sqlite-driver.js';
import { MessageBatchWriter } from './sqlite-batch-writes.js';

/** @typedef {{ kind: 'write', rows: import('./sqlite-batch-writes.js').MessageRows } | { kind: 'dropEmptyConversations' } | { kind: 'ready' }} WriterTask */
/** @typedef {(WriterTask & { id: number }) | { kind: 'close' }} WriterRequest */
/** @typedef {{ id: number, ok: true, ms: number } | { id: number, ok: false, error: { name: string, message: string, code?: string } }} WriterReply */

const port = parentPort;
if (port === null) throw new Error('sqlite-writer-worker.js runs as a worker thread');
const db = openConnection(/** @type {{ path: string }} */ (workerData).path);
const batches = new MessageBatchWriter(db);

port.on('message', (/** @type {WriterRequest} */ request) => {
  if (request.kind === 'close') {
    try {
      db.close();
    } finally {
      port.close(); // nothing left to do: the thread ends
    }
    return;
  }
  const started = performance.now();
  /** @type {WriterReply} */
  let reply;
  try {
    if (request.kind === 'write') batches.write(request.rows);
    else if (request.kind === 'dropEmptyConversations') batches.dropEmptyConversations();
    // 'ready': answered once the connection is open, which it is by now
    reply = { id: request.id, ok: true, ms: performance.now() - started };
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    const code = /** @type {{ code?: unknown }} */ (err).code;
    reply = { id: request.id, ok: false, error: { name: e.name, message: e.message, ...(typeof code === 'string' && { code }) } };
  }
  port.postMessage(reply);
});

/**
 * The thread's connection. better-sqlite3's SqliteError does not reach the main thread as an
 * Error (only its code survives), so a failure to open is thrown again as a plain Error that
 * says why: it becomes the start-up error `parlor serve` prints.
 * @param {string} path
 */
function openConnection(path) {
  try {
    const connection = new Database(path, { fileMustExist: true });
    connection.pragma('busy_timeout = 5000'); // while the main connection writes (accounts, read markers, …)
    connection.pragma('synchronous = NORMAL'); // per connection: durable against a process crash, as the main one
    return connection;
  } catch (err) {
    const { code, message } = /** @type {{ code?: unknown, message?: unknown }} */ (err ?? {});
    throw new Error(`cannot open ${path}: ${typeof code === 'string' ? `${code}: ` : ''}${typeof message === 'string' ? message : String(err)}`, { cause: err });
  }
}
