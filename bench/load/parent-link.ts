// The load generator's line to the bench's main process, the same whether it runs as a
// worker thread (parentPort) or as a child process (process.send, advanced serialization).
import { parentPort } from 'node:worker_threads';
import type { WorkerCommand, WorkerReply } from './protocol.ts';

export interface ParentLink {
  post(reply: WorkerReply): void;
  onCommand(handle: (cmd: WorkerCommand) => void): void;
}

export function parentLink(): ParentLink {
  if (parentPort) {
    const port = parentPort;
    return { post: (r) => port.postMessage(r), onCommand: (handle) => port.on('message', handle) };
  }
  if (!process.send) throw new Error('the load generator runs as a worker thread or as a forked child process');
  const send = process.send.bind(process);
  return {
    post: (r) => void send(r),
    onCommand: (handle) => {
      process.on('message', (cmd) => handle(cmd as WorkerCommand));
      // The bench's main process is gone: nothing is left to report to.
      process.on('disconnect', () => process.exit(0));
    },
  };
}
