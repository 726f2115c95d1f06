// One load-generator thread: owns a share of the clients, registers and joins them, sends
// and counts messages. Lines are scanned, not fully parsed, so the generator stays cheap.
import net from 'node:net';
import { Histogram } from './histogram.ts';
import { countMarkers } from './marker-count.ts';
import { parentLink } from './parent-link.ts';
import type { ClientSpec, SenderSpec, WorkerCommand, WorkerReply } from './protocol.ts';

interface Client {
  spec: ClientSpec;
  socket: net.Socket;
  rest: string;
  /** Parse every line (registration, joins, witnesses); others only count deliveries. */
  parse: boolean;
  /** Fast path: how much of the marker the previous chunk ended with (marker-count.ts). */
  markerTail: number;
  /** A witness that hears only this sender acknowledges its messages by counting them. */
  acks?: Sender | undefined;
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
const link = parentLink();

let serverPort = 0;
/** When set, every client logs in (SASL PLAIN) to the account named after its nick before registering. */
let loginPassword: string | undefined;
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
  link.post(r);
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
  if (!c.registered && loginPassword !== undefined && saslStep(c, line, loginPassword)) return;
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

/**
 * The SASL PLAIN exchange before registration (CAP REQ sasl was sent with NICK/USER): true
 * when the line belonged to it. A failed login is an error and registration goes on without
 * it, so that its messages are missing from the store and show as a shortfall.
 */
function saslStep(c: Client, line: string, password: string): boolean {
  const fields = line.split(' ');
  const command = line.startsWith(':') ? fields[1] : fields[0];
  if (command === 'CAP') {
    if (fields.includes('ACK')) c.socket.write('AUTHENTICATE PLAIN\r\n');
    else if (fields.includes('NAK')) saslFailed(c, line);
    return fields.includes('ACK') || fields.includes('NAK');
  }
  if (command === 'AUTHENTICATE') {
    c.socket.write(`AUTHENTICATE ${Buffer.from(`\0${c.spec.nick}\0${password}`).toString('base64')}\r\n`);
    return true;
  }
  if (command === '903') {
    c.socket.write('CAP END\r\n');
    return true;
  }
  if (command === '902' || command === '904' || command === '905' || command === '906' || command === '908') {
    saslFailed(c, line);
    return true;
  }
  return command === '900'; // logged in: 903 follows
}

function saslFailed(c: Client, line: string): void {
  if (errors.length < 5) errors.push(`${c.spec.nick}: login failed: ${line}`);
  c.socket.write('CAP END\r\n');
}

/**
 * Counts bench messages (marked " :~") without decoding lines: the generator must stay far
 * cheaper than the servers it measures. Latency is sampled by the parsing clients.
 */
function countDeliveries(c: Client, chunk: Buffer): void {
  const { count, tail } = countMarkers(chunk, c.markerTail);
  c.markerTail = tail;
  received += count;
  if (count === 0) return;
  lastReceivedAt = now();
  if (c.acks) {
    c.acks.acked += count;
    pump(c.acks);
  }
}

function connect(spec: ClientSpec): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect({ port: serverPort, host: '127.0.0.1' });
    socket.setNoDelay(true);
    const c: Client = { spec, socket, rest: '', parse: true, markerTail: 0, registered: false, regStart: now(), joinStart: 0, roomsJoined: 0 };
    clients.set(spec.id, c);
    c.onRegistered = () => {
      c.onRegistered = undefined;
      resolve();
    };
    // With a login, registration waits for CAP END, which follows the SASL exchange.
    const capReq = loginPassword === undefined ? '' : 'CAP REQ :sasl\r\n';
    socket.on('connect', () => socket.write(`${capReq}NICK ${spec.nick}\r\nUSER b 0 * :bench client\r\n`));
    socket.on('data', (chunk: Buffer) => {
      if (!c.parse && chunk.indexOf('PING') === -1 && chunk.indexOf('ERROR') === -1) return countDeliveries(c, chunk);
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

function startSending(list: SenderSpec[], window: number, ratePerSender: number | undefined, pad: number, sampleEvery: number | undefined): void {
  padding = 'x'.repeat(pad);
  windowSize = window;
  histogram = new Histogram();
  received = 0;
  senders.clear();
  witnesses = new Map();
  const witnessIds = new Set(list.map((s) => s.witness));
  for (const c of clients.values()) {
    c.parse = witnessIds.has(c.spec.id);
    c.markerTail = 0;
    c.acks = undefined;
  }
  for (const spec of list) {
    const s: Sender = { spec, client: clients.get(spec.clientId)!, sent: 0, acked: 0 };
    senders.set(spec.id, s);
    let w = witnesses.get(spec.witness);
    if (!w) witnesses.set(spec.witness, (w = []));
    w.push(s);
  }
  if (sampleEvery !== undefined) {
    // Parsing a line costs the generator several times what counting it does (private pairs
    // made it the limit): most witnesses count, every Nth still parses for latency.
    let k = 0;
    for (const [id, heard] of witnesses) {
      const c = clients.get(id);
      if (!c || heard.length !== 1 || k++ % sampleEvery === 0) continue;
      c.parse = false;
      c.acks = heard[0];
    }
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

link.onCommand((cmd: WorkerCommand) => {
  void (async () => {
    switch (cmd.type) {
      case 'register': {
        serverPort = cmd.port;
        loginPassword = cmd.loginPassword;
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
        startSending(cmd.senders, cmd.window, cmd.ratePerSender, cmd.padding, cmd.sampleEvery);
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
