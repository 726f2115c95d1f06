// A load-generator process for idle connections (forked by bench/cluster-idle.ts): one per
// node, because one process may hold no more descriptors than the hard `ulimit -n` (20,000
// here), and 3 × 19,000 connections need three. Registers `count` clients on `port`, keeps
// them open (answering PING) until told to close.
import net from 'node:net';

export type IdleCommand = { type: 'register'; port: number; prefix: string; count: number; concurrency: number } | { type: 'close' };
export type IdleReply =
  | { type: 'registered'; ok: number; failed: number; seconds: number; errors: string[] }
  | { type: 'closed'; disconnects: number };

const REGISTER_TIMEOUT_MS = 60_000;
const sockets: net.Socket[] = [];
const errors: string[] = [];
let disconnects = 0;
let closing = false;

function send(reply: IdleReply): void {
  process.send?.(reply);
}

function note(error: string): void {
  if (errors.length < 5) errors.push(error);
}

/** Resolves true once 001 arrives, false if the connection fails or times out first. */
function register(port: number, nick: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    sockets.push(socket);
    let pending = true;
    let rest = '';
    const settle = (ok: boolean): void => {
      if (!pending) return;
      pending = false;
      clearTimeout(timer);
      resolve(ok);
    };
    const timer = setTimeout(() => {
      note(`${nick}: no 001 within ${REGISTER_TIMEOUT_MS} ms`);
      settle(false);
    }, REGISTER_TIMEOUT_MS);
    socket.on('connect', () => socket.write(`NICK ${nick}\r\nUSER b 0 * :idle bench client\r\n`));
    socket.on('data', (chunk: Buffer) => {
      const lines = (rest + chunk.toString('latin1')).split('\r\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('PING ')) socket.write(`PONG ${line.slice(5)}\r\n`);
        else if (line.startsWith('ERROR')) note(`${nick}: ${line}`);
        else if (pending && line.split(' ', 3)[1] === '001') settle(true);
      }
    });
    socket.on('error', (err) => note(`${nick}: ${err.message}`));
    socket.on('close', () => {
      if (!closing) disconnects++;
      settle(false);
    });
  });
}

async function registerAll(port: number, prefix: string, count: number, concurrency: number): Promise<IdleReply> {
  const start = performance.now();
  let next = 0;
  let ok = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      const k = next++;
      if (await register(port, `${prefix}${k}`)) ok++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return { type: 'registered', ok, failed: count - ok, seconds: (performance.now() - start) / 1000, errors };
}

process.on('message', (cmd: IdleCommand) => {
  if (cmd.type === 'register') {
    void registerAll(cmd.port, cmd.prefix, cmd.count, cmd.concurrency).then(send);
    return;
  }
  closing = true;
  for (const s of sockets) s.destroy();
  send({ type: 'closed', disconnects });
  process.disconnect?.();
});
