// Structure-aware fuzzing over real sockets (seeded; PARLOR_SEED replays a run): valid
// commands mutated byte by byte, with tags, escapes, control characters, bad UTF-8 and long
// parameters, sent by several clients in one room while an observer listens. The server must
// stay up, answer a PING afterwards, and never send a line whose bytes carry a bare CR, a bare
// LF or a NUL (what a forged line or a smuggled escape would need).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import { is, joinAll } from '../helpers/irc.ts';
import type { RawClient } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const SEED = Number(process.env.PARLOR_SEED ?? Date.now() % 2 ** 31) >>> 0;
const LINES = 6000;
const CAPS = [
  'message-tags', 'echo-message', 'server-time', 'batch', 'labeled-response', 'draft/chathistory',
  'draft/multiline', 'draft/message-redaction', 'draft/read-marker', 'extended-monitor', 'away-notify', 'setname',
];

/** mulberry32: small, fast, and the same sequence for the same seed. */
function generator(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let x = Math.imul(s ^ (s >>> 15), 1 | s);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const TEMPLATES = [
  'PRIVMSG #fuzz :hello 你好 🎉',
  'PRIVMSG #fuzz,fuzz1,fuzz2 :two targets',
  'NOTICE #fuzz :notice',
  '@+typing=active;+draft/reply=abc TAGMSG #fuzz',
  '@label=l1;+x=a\\r\\nb\\:c\\s\\\\ PRIVMSG #fuzz :escaped tag value',
  'PRIVMSG fuzz1 :\x01ACTION waves\x01',
  'TOPIC #fuzz :a topic with \x02bold\x02 and \x1b[31mred',
  'MODE #fuzz +b *!*@*a*a*a*b',
  'MODE #fuzz +klm key 10',
  'MODE #fuzz -b *!*@*a*a*a*b',
  'KICK #fuzz fuzz9 :reason',
  'JOIN #fuzz,#other,#中文 key',
  'PART #other :bye',
  'WHO *a*?*',
  'WHO #fuzz %tcuhnfdar,42',
  'WHOIS fuzz1',
  'WHOWAS fuzz1 5',
  'LIST >0,<100',
  'NAMES #fuzz',
  'CHATHISTORY LATEST #fuzz * 10',
  'CHATHISTORY BEFORE #fuzz timestamp=2020-01-01T00:00:00.000Z 5',
  'CHATHISTORY TARGETS timestamp=2020-01-01T00:00:00.000Z timestamp=2100-01-01T00:00:00.000Z 10',
  'MONITOR + fuzz1,fuzz2,nobody',
  'AWAY :gone \x00 fishing',
  'SETNAME :new real name',
  'CAP REQ :message-tags unknown-cap',
  'USERHOST fuzz1 fuzz2',
  'ISON fuzz1 fuzz2',
  'INVITE fuzz1 #fuzz',
  'LUSERS',
  'VERSION',
  'MOTD',
  // The IRCv3 commands of issue 16. {msgid} is a msgid the observer saw lately; a whole batch
  // is one template, so that unmutated ones (a quarter) arrive complete.
  'BATCH +ml1 draft/multiline #fuzz\r\n@batch=ml1 PRIVMSG #fuzz :line one\r\n@batch=ml1;draft/multiline-concat PRIVMSG #fuzz : and more\r\n@batch=ml1 PRIVMSG #fuzz :\r\nBATCH -ml1',
  '@label=ml;+draft/reply={msgid} BATCH +b2 draft/multiline fuzz1\r\n@batch=b2 NOTICE fuzz1 :\x01ACTION one\r\n@batch=b2 NOTICE fuzz1 :two\x01\r\nBATCH -b2',
  'BATCH +open draft/multiline #fuzz',
  '@batch=open PRIVMSG #fuzz :a line of an open batch',
  'BATCH -open',
  'REDACT #fuzz {msgid} :a reason \x01with\x01 \x02codes',
  'REDACT fuzz1 {msgid}',
  'MARKREAD #fuzz timestamp=2020-01-01T00:00:00.000Z',
  'MARKREAD fuzz1 timestamp=2100-01-01T00:00:00.000Z',
  'MARKREAD #fuzz',
  'LINKS * *.parlor',
  'NAMES #fuzz,#other,#中文,fuzz1',
  'MODE #fuzz +eI $a:acc* *!*@*x',
  'MODE #fuzz -eI+b $a:acc* *!*@*x $~a',
  'MODE #fuzz eI',
  'MODE fuzz0 +B',
  'LIST *fu*,!*x*,C>1,T<5,U>0,<100',
  'MONITOR + fuzz1,fuzz2',
  'AUTHENTICATE SCRAM-SHA-256',
];
const NASTY = ['\r', '\n', '\0', '\x1b', '\x7f', '\x85', '\u202e', ':', ' ', '@', ';', '=', '\\', '\xff', '\ud800', '中', '🎉'];

function mutate(line: string, random: () => number): Buffer {
  let text = line;
  const edits = Math.floor(random() * 4);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(random() * (text.length + 1));
    const roll = random();
    if (roll < 0.45) text = text.slice(0, at) + NASTY[Math.floor(random() * NASTY.length)]! + text.slice(at);
    else if (roll < 0.65) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 5));
    else if (roll < 0.8) text = text.slice(0, at) + 'x'.repeat(Math.floor(random() * 600)) + text.slice(at);
    else text = text.slice(0, at) + text.slice(at).replace(/ /, '');
  }
  const bytes = Buffer.from(text);
  // Now and then a raw byte that is not UTF-8 at all.
  if (random() < 0.1 && bytes.length > 0) bytes[Math.floor(random() * bytes.length)] = 0x80 + Math.floor(random() * 0x80);
  return bytes;
}

/** Watches a socket's raw bytes: every LF must end a CRLF, and no other CR or any NUL. */
class WireWatch {
  problems: string[] = [];
  private afterCr = false;
  private recent = '';
  constructor(readonly name: string, c: RawClient) {
    c.socket.on('data', (chunk: string | Buffer) => this.check(String(chunk)));
  }
  private check(chunk: string): void {
    for (const ch of chunk) {
      this.recent = (this.recent + ch).slice(-60);
      const bad = ch === '\0' || (ch === '\n' ? !this.afterCr : this.afterCr);
      this.afterCr = ch === '\r';
      if (bad && this.problems.length < 5) this.problems.push(`${this.name}: ${JSON.stringify(this.recent)}`);
    }
  }
}

let t: TestServer;
/** What the server logged as an error: a handler's exception (answered 400) or worse. */
const loggedErrors: string[] = [];
before(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (loggedErrors.length < 5) loggedErrors.push(String(chunk).slice(0, 2000));
      done();
    },
  });
  t = await startServer({ history: { replayOnJoin: 5 } }, { logger: pino({ level: 'error' }, sink) });
});
after(() => t.close());

test('mutated commands from several clients never break the server or the wire', async (ctx) => {
  ctx.diagnostic(`seed ${SEED} (set PARLOR_SEED to replay)`);
  const random = generator(SEED);
  const observer = await t.register('watcher', CAPS);
  const watches = [new WireWatch('watcher', observer)];
  const fuzzers: RawClient[] = [];
  for (let i = 0; i < 3; i++) {
    const c = await t.register(`fuzz${i}`, i === 0 ? CAPS : []);
    watches.push(new WireWatch(`fuzz${i}`, c));
    fuzzers.push(c);
  }
  await joinAll('#fuzz', observer, ...fuzzers);

  let reconnects = 0;
  for (let i = 0; i < LINES; i++) {
    const slot = i % fuzzers.length;
    let c = fuzzers[slot]!;
    if (c.closed) {
      // A mutation may legitimately end a session (QUIT, a flood of errors): take a new one.
      c = await t.register(`fz${slot}r${++reconnects}`, CAPS);
      watches.push(new WireWatch(`fz${slot}r${reconnects}`, c));
      c.send('JOIN #fuzz');
      fuzzers[slot] = c;
    }
    const seen = observer.received;
    const msgid = seen[Math.max(0, seen.length - 1 - Math.floor(random() * 20))]?.msg.tags['msgid'] ?? 'nomsgid';
    const template = TEMPLATES[Math.floor(random() * TEMPLATES.length)]!.replaceAll('{msgid}', msgid);
    c.writeRaw(Buffer.concat([mutate(template, random), Buffer.from('\r\n')]));
    if (i % 200 === 199) await Promise.all(fuzzers.filter((f) => !f.closed).map((f) => f.sync(10_000).catch(() => {})));
  }

  // Still up: the observer and a newcomer are answered.
  await observer.sync(10_000);
  const fresh = await t.register('fresh');
  fresh.send('PING :still-alive');
  await fresh.waitFor(is('PONG'), 10_000);
  const problems = watches.flatMap((w) => w.problems);
  const seenCommands = (name: string): number => observer.received.filter((r) => r.msg.command === name).length;
  ctx.diagnostic(`${LINES} lines sent, ${reconnects} reconnects, ${observer.received.length} lines seen by the observer (${seenCommands('REDACT')} REDACT, ${seenCommands('BATCH') / 2} multiline batches)`);
  assert.deepEqual(problems, [], `seed ${SEED}`);
  assert.deepEqual(loggedErrors, [], `seed ${SEED}: no command may end in an internal error`);
});
