// One load-generator thread: owns a share of the clients, registers and joins them, sends
// and counts messages. Lines are scanned, not fully parsed, so the generator stays cheap.
import net from 'node:net';
import { parentPort } from 'node:worker_threads';
import { Histogram } from './histogram.ts';
import type { ClientSpec, SenderSpec, WorkerCommand, WorkerReply } from './protocol.ts';

interface Client {
  spec: ClientSpec;
  socket: net.Socket;
  rest: string;
  /** Parse every line (registration, joins, witnesses); others only count deliveries. */
  parse: boolean;
  /** Fast path: the last bytes of the previous chunk, so a marker split across reads is found. */
  carry: Buffer;
  registered: boolean;
  regStart: number;
  onRegistered?: (() => void) | undefined;
  joinStart: number;
  roomsJoined: number;
  onJoined?: (() => void) | undefined;
}

interface Sender {
  spec: SenderSpec;
  client: Client;
  sent: number;
  acked: number;
}

const now = (): number => performance.timeOrigin + performance.now();
const port = parentPort!;

let serverPort = 0;
const clients = new Map<number, Client>();
const senders = new Map<number, Sender>();
/** Witness client id → the senders whose messages it acknowledges. */
let witnesses = new Map<number, Sender[]>();
let histogram = new Histogram();
let received = 0;
let lastReceivedAt = 0;
let disconnects = 0;
const errors: string[] = [];
let padding = '';
let windowSize = 20;
let rateTimer: NodeJS.Timeout | undefined;
let progressTimer: NodeJS.Timeout | undefined;

function reply(r: WorkerReply): void {
  port.postMessage(r);
}

function onLine(c: Client, line: string): void {
  const privmsg = line.indexOf(' PRIVMSG ');
  if (privmsg !== -1) {
    const at = line.indexOf(' :~', privmsg);
    if (at === -1) return;
    received++;
    const c1 = line.indexOf(',', at);
    const c2 = line.indexOf(',', c1 + 1);
    let end = line.indexOf(' ', c2);
    if (end === -1) end = line.length;
    const sid = Number(line.slice(at + 3, c1));
    const sentAt = Number(line.slice(c2 + 1, end));
    const t = now();
    lastReceivedAt = t;
    histogram.record(t - sentAt);
    const waiting = witnesses.get(c.spec.id);
    if (waiting) {
      for (const s of waiting) {
        if (s.spec.id === sid) {
          s.acked++;
          pump(s);
        }
      }
    }
    return;
  }
  if (line.startsWith('PING ')) {
    c.socket.write(`PONG ${line.slice(5)}\r\n`);
    return;
  }
  // Numerics: ":server NNN nick ..." — look at the command field only.
  const sp = line.indexOf(' ');
  const cmd = line.slice(sp + 1, sp + 4);
  if (cmd === '001') {
    c.registered = true;
    c.onRegistered?.();
  } else if (cmd === '366') {
    c.roomsJoined++;
    if (c.roomsJoined === c.spec.rooms.length) c.onJoined?.();
  } else if (line.startsWith('ERROR')) {
    if (errors.length < 5) errors.push(`${c.spec.nick}: ${line}`);
  } else if (cmd === '433' || cmd === '432' || cmd === '465' || cmd === '474' || cmd === '405' || cmd === '471') {
    if (errors.length < 5) errors.push(`${c.spec.nick}: ${line}`);
  }
}

const EMPTY = Buffer.alloc(0);
const MARKER = Buffer.from(' :~');

/**
 * Counts bench messages (marked " :~") without decoding lines: the generator must stay far
 * cheaper than the servers it measures. Latency is sampled by the parsing clients.
 */
function countMarkers(c: Client, chunk: Buffer): void {
  const data = c.carry.length > 0 ? Buffer.concat([c.carry, chunk]) : chunk;
  let n = 0;
  for (let i = data.indexOf(MARKER); i !== -1; i = data.indexOf(MARKER, i + MARKER.length)) n++;
  received += n;
  if (n > 0) lastReceivedAt = now();
  c.carry = Buffer.from(data.subarray(Math.max(0, data.length - (MARKER.length - 1))));
}

function connect(spec: ClientSpec): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect({ port: serverPort, host: '127.0.0.1' });
    socket.setNoDelay(true);
    const c: Client = { spec, socket, rest: '', parse: true, carry: EMPTY, registered: false, regStart: now(), joinStart: 0, roomsJoined: 0 };
    clients.set(spec.id, c);
    c.onRegistered = () => {
      c.onRegistered = undefined;
      resolve();
    };
    socket.on('connect', () => socket.write(`NICK ${spec.nick}\r\nUSER b 0 * :bench client\r\n`));
    socket.on('data', (chunk: Buffer) => {
      if (!c.parse && chunk.indexOf('PING') === -1 && chunk.indexOf('ERROR') === -1) return countMarkers(c, chunk);
      let data = c.rest + chunk.toString('latin1');
      let start = 0;
      let nl: number;
      while ((nl = data.indexOf('\n', start)) !== -1) {
        onLine(c, data.slice(start, data.charCodeAt(nl - 1) === 13 ? nl - 1 : nl));
        start = nl + 1;
      }
      data = data.slice(start);
      c.rest = data;
    });
    socket.on('error', (err) => {
      if (errors.length < 5) errors.push(`${spec.nick}: ${err.message}`);
    });
    socket.on('close', () => {
      disconnects++;
      if (c.onRegistered) {
        c.onRegistered = undefined;
        resolve(); // counted as a failure: registered stays false
      }
      c.onJoined?.();
    });
  });
}

async function registerAll(specs: ClientSpec[], concurrency: number): Promise<number[]> {
  const times: number[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < specs.length) {
      const spec = specs[next++]!;
      const start = now();
      await connect(spec);
      if (clients.get(spec.id)!.registered) times.push(now() - start);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, specs.length) }, lane));
  return times;
}

async function joinAll(): Promise<number[]> {
  const times: number[] = [];
  await Promise.all(
    [...clients.values()].map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.spec.rooms.length === 0 || c.socket.destroyed) return resolve();
          const start = now();
          c.onJoined = () => {
            c.onJoined = undefined;
            times.push(now() - start);
            resolve();
          };
          c.socket.write(`JOIN ${c.spec.rooms.join(',')}\r\n`);
        }),
    ),
  );
  return times;
}

function message(s: Sender): string {
  return `PRIVMSG ${s.spec.target} :~${s.spec.id},${s.sent},${now().toFixed(3)} ${padding}\r\n`;
}

/** Window mode: keep at most `windowSize` messages of a sender unacknowledged. */
function pump(s: Sender): void {
  if (rateTimer !== undefined) return;
  let out = '';
  while (s.sent < s.spec.count && s.sent - s.acked < windowSize) {
    s.sent++;
    out += message(s);
  }
  if (out !== '') s.client.socket.write(out);
}

function startSending(list: SenderSpec[], window: number, ratePerSender: number | undefined, pad: number): void {
  padding = 'x'.repeat(pad);
  windowSize = window;
  histogram = new Histogram();
  received = 0;
  senders.clear();
  witnesses = new Map();
  const witnessIds = new Set(list.map((s) => s.witness));
  for (const c of clients.values()) {
    c.parse = witnessIds.has(c.spec.id);
    c.carry = EMPTY;
  }
  for (const spec of list) {
    const s: Sender = { spec, client: clients.get(spec.clientId)!, sent: 0, acked: 0 };
    senders.set(spec.id, s);
    let w = witnesses.get(spec.witness);
    if (!w) witnesses.set(spec.witness, (w = []));
    w.push(s);
  }
  progressTimer = setInterval(() => reply({ type: 'progress', received }), 50);
  if (ratePerSender === undefined) {
    for (const s of senders.values()) pump(s);
    return;
  }
  // Rate mode: every 5 ms, send what each sender is due by now.
  const start = now();
  rateTimer = setInterval(() => {
    const elapsed = (now() - start) / 1000;
    let pending = false;
    for (const s of senders.values()) {
      const due = Math.min(s.spec.count, Math.floor(elapsed * ratePerSender));
      let out = '';
      while (s.sent < due) {
        s.sent++;
        out += message(s);
      }
      if (out !== '') s.client.socket.write(out);
      if (s.sent < s.spec.count) pending = true;
    }
    if (!pending) {
      clearInterval(rateTimer);
    }
  }, 5);
}

reply({ type: 'ready' });

port.on('message', (cmd: WorkerCommand) => {
  void (async () => {
    switch (cmd.type) {
      case 'register': {
        serverPort = cmd.port;
        const times = await registerAll(cmd.clients, cmd.concurrency);
        reply({ type: 'registered', times, failed: cmd.clients.length - times.length, errors });
        return;
      }
      case 'join': {
        const times = await joinAll();
        reply({ type: 'joined', times, errors });
        return;
      }
      case 'send':
        startSending(cmd.senders, cmd.window, cmd.ratePerSender, cmd.padding);
        return;
      case 'stop': {
        if (rateTimer) clearInterval(rateTimer);
        if (progressTimer) clearInterval(progressTimer);
        rateTimer = undefined;
        let sent = 0;
        for (const s of senders.values()) sent += s.sent;
        reply({ type: 'stopped', received, sent, lastReceivedAt, histogram: histogram.toData(), disconnects, errors });
        return;
      }
      case 'close':
        for (const c of clients.values()) c.socket.destroy();
        clients.clear();
        reply({ type: 'closed' });
        return;
    }
  })();
});
