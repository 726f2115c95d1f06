// The server's log, read from the stderr of a real `parlor serve` process: JSON lines when
// stderr is a pipe, with the events an operator needs (connections, registrations, opers,
// admin actions), and never a password or what people said unless asked for.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../src/cli/logger.ts';
import { hashPassword } from '../../src/server/passwords.ts';
import { runParlor, startParlor, within, type ParlorProcess } from '../helpers/cli.ts';
import type { RawClient } from '../helpers/raw-client.ts';
import { WAIT_MS } from '../helpers/wait.ts';

const SERVER_PASSWORD = 'srv-pass-91ab';
const OPER_PASSWORD = 'oper-pass-52cd';
const WRONG_OPER_PASSWORD = 'oper-wrong-77ef';
const ACCOUNT_PASSWORD = 'acct-pass-13gh';
const WRONG_SASL_PASSWORD = 'sasl-wrong-40ij';
const MESSAGE_TEXT = 'secret-text-7d1f';
const NOTICE_TEXT = 'notice-text-8e2a';
const QUIT_TEXT = 'quit-words-3c9a';
const CONSOLE_SAY_TEXT = 'console-say-6b0c';
const OPER_HASH = await hashPassword(OPER_PASSWORD, 4);

const saslPlain = (account: string, password: string): string => Buffer.from(`${account}\0${account}\0${password}`).toString('base64');

interface LogLine {
  level: number;
  time: number;
  msg: string;
  [key: string]: unknown;
}

/** The child's stderr as log lines; waits resolve on a matching line, bounded in time. */
class LogWatcher {
  text = '';
  readonly lines: LogLine[] = [];
  /** Lines that are not JSON log lines, kept for the assertion that there are none. */
  readonly malformed: string[] = [];
  private waiters: { match: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];

  constructor(p: ParlorProcess) {
    // What arrived before startParlor returned, then the rest as it comes.
    this.feed(p.stderr());
    p.child.stderr.on('data', (chunk: string) => this.feed(chunk));
  }

  private pending = '';

  private feed(chunk: string): void {
    this.text += chunk;
    this.pending += chunk;
    let nl: number;
    while ((nl = this.pending.indexOf('\n')) !== -1) {
      const raw = this.pending.slice(0, nl);
      this.pending = this.pending.slice(nl + 1);
      let line: LogLine;
      try {
        line = JSON.parse(raw) as LogLine;
      } catch {
        this.malformed.push(raw);
        continue;
      }
      if (typeof line.level !== 'number' || typeof line.time !== 'number' || typeof line.msg !== 'string') {
        this.malformed.push(raw);
        continue;
      }
      this.lines.push(line);
      for (const w of [...this.waiters]) {
        if (w.match(line)) {
          this.waiters = this.waiters.filter((x) => x !== w);
          w.resolve(line);
        }
      }
    }
  }

  /** The first line (so far or to come) with this msg whose fields include `fields`. */
  waitFor(msg: string, fields: Record<string, unknown> = {}, timeoutMs = WAIT_MS): Promise<LogLine> {
    const match = (l: LogLine): boolean => l.msg === msg && Object.entries(fields).every(([k, v]) => l[k] === v);
    const found = this.lines.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out waiting for the log line "${msg}" ${JSON.stringify(fields)}; stderr:\n${this.text.slice(-3000)}`));
      }, timeoutMs);
      const waiter = {
        match,
        resolve: (l: LogLine) => {
          clearTimeout(timer);
          resolve(l);
        },
      };
      this.waiters.push(waiter);
    });
  }
}

const scratchDirs: string[] = [];
async function scratch(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'parlor-logging-'));
  scratchDirs.push(dir);
  return dir;
}
after(() => Promise.all(scratchDirs.map((d) => rm(d, { recursive: true, force: true }))));

/** A config with one operator, cheap password hashing and no flood control in the way. */
async function writeConfig(dir: string): Promise<string> {
  const file = join(dir, 'parlor.yaml');
  const yaml = [
    'server:',
    '  name: logging.parlor',
    '  motd: "logging tests"',
    'flood:',
    '  burst: 100000',
    '  commandsPerSecond: 100000',
    'accounts:',
    '  passwordCost: 4',
    'opers:',
    '  - name: bob',
    `    password: "${OPER_HASH}"`,
    '',
  ].join('\n');
  await writeFile(file, yaml);
  return file;
}

/** Connects and registers with the server password; waits for the end of the MOTD. */
async function registerWithPass(p: ParlorProcess, nick: string, before: string[] = []): Promise<RawClient> {
  const c = await p.connect();
  c.send(...before, `PASS ${SERVER_PASSWORD}`, `NICK ${nick}`, `USER ${nick} 0 * :${nick} Test`);
  await c.waitFor((r) => r.msg.command === '376' || r.msg.command === '422');
  return c;
}

/** SIGTERM, as a service manager stops it, and waits for the exit: the log is complete then. */
async function stopGracefully(p: ParlorProcess): Promise<void> {
  p.child.kill('SIGTERM');
  await within(p.exited, 10_000, 'parlor to exit on SIGTERM');
  await p.stop();
}

describe('parlor serve logs', () => {
  test('JSON lines on a pipe, with the events and without any password or message text', { timeout: 60_000 }, async () => {
    const dir = await scratch();
    const config = await writeConfig(dir);
    // debug is the most the log tells without --log-messages: the strictest case to check.
    const p = await startParlor(dir, ['--config', config, '--password', SERVER_PASSWORD, '--log-level', 'debug']);
    const log = new LogWatcher(p);
    try {
      await log.waitFor('listening');

      const alice = await registerWithPass(p, 'alice');
      const registered = await log.waitFor('registered', { nick: 'alice' });
      assert.equal(registered.user, 'alice');
      assert.equal(registered.address, '127.0.0.1');
      assert.equal(registered.transport, 'tcp');
      const accepted = await log.waitFor('connection accepted', { id: registered.id });
      assert.equal(accepted.transport, 'tcp');
      assert.equal(accepted.address, '127.0.0.1');

      // A wrong server password: refused and logged, the password itself nowhere.
      const intruder = await p.connect();
      intruder.send('PASS not-the-password', 'NICK intruder', 'USER intruder 0 * :x');
      await intruder.waitFor('464');
      await intruder.waitClose();
      assert.equal((await log.waitFor('wrong connection password', { nick: 'intruder' })).passwordGiven, true);
      await log.waitFor('connection closed before registering', { reason: 'Bad password' });

      // An operator: a failed attempt first, then the right password.
      const bob = await registerWithPass(p, 'bob');
      bob.send(`OPER bob ${WRONG_OPER_PASSWORD}`);
      await bob.waitFor('491');
      await log.waitFor('failed OPER attempt', { nick: 'bob', name: 'bob' });
      bob.send(`OPER bob ${OPER_PASSWORD}`);
      await bob.waitFor('381');
      const oper = await log.waitFor('admin oper', { actor: 'oper:bob' });
      assert.match(String(oper.target), /^bob!/);

      // An account made with REGISTER, then SASL PLAIN to it: wrong, then right.
      const carol = await registerWithPass(p, 'carol');
      carol.send(`REGISTER * * ${ACCOUNT_PASSWORD}`);
      await carol.waitFor((r) => r.msg.command === 'REGISTER' && r.msg.params[0] === 'SUCCESS', 10_000);
      await log.waitFor('account registered', { account: 'carol' });
      carol.send('QUIT');
      await carol.waitClose();
      const dave = await p.connect();
      dave.send('CAP REQ :sasl', 'AUTHENTICATE PLAIN');
      await dave.waitFor((r) => r.msg.command === 'AUTHENTICATE');
      dave.send(`AUTHENTICATE ${saslPlain('carol', WRONG_SASL_PASSWORD)}`);
      await dave.waitFor('904', 10_000);
      await log.waitFor('failed SASL login', { account: 'carol' });
      dave.send('AUTHENTICATE PLAIN');
      await dave.waitFor((r) => r.msg.command === 'AUTHENTICATE');
      dave.send(`AUTHENTICATE ${saslPlain('carol', ACCOUNT_PASSWORD)}`);
      await dave.waitFor('903', 10_000);
      dave.send('CAP END', `PASS ${SERVER_PASSWORD}`, 'NICK carol', 'USER carol 0 * :Carol');
      await dave.waitFor('376');
      await log.waitFor('registered', { nick: 'carol', account: 'carol' });

      // Chat: a room message and a private notice.
      alice.send('JOIN #room');
      bob.send('JOIN #room');
      await bob.waitFor((r) => r.msg.command === '366');
      await alice.waitFor((r) => r.msg.command === 'JOIN' && r.raw.startsWith(':bob!'));
      alice.send(`PRIVMSG #room :${MESSAGE_TEXT}`, `NOTICE bob :${NOTICE_TEXT}`);
      await bob.waitFor((r) => r.msg.command === 'PRIVMSG' && r.msg.params[1] === MESSAGE_TEXT);
      await bob.waitFor((r) => r.msg.command === 'NOTICE' && r.msg.params[1] === NOTICE_TEXT);

      // The console: speak in the room, then kick bob from it.
      await p.command(`say #room ${CONSOLE_SAY_TEXT}`, /-> #room:/m);
      await p.command('kick #room bob flooding', /^removed bob from #room$/m);
      const kick = await log.waitFor('admin kick');
      assert.equal(kick.actor, 'console');
      assert.equal(kick.target, '#room bob');
      assert.equal(kick.detail, 'flooding');
      const say = await log.waitFor('admin say');
      assert.equal(say.target, '#room');
      assert.equal(say.detail, undefined, 'what the console said stays out of the log');

      alice.send(`QUIT :${QUIT_TEXT}`);
      await alice.waitClose();
      assert.equal((await log.waitFor('quit', { nick: 'alice' })).reason, 'Quit');
    } finally {
      await stopGracefully(p);
    }
    await log.waitFor('shutting down');

    assert.deepEqual(log.malformed, [], 'every stderr line is a JSON log line with level, time and msg');
    const secrets = {
      SERVER_PASSWORD,
      OPER_PASSWORD,
      WRONG_OPER_PASSWORD,
      ACCOUNT_PASSWORD,
      WRONG_SASL_PASSWORD,
      badServerPassword: 'not-the-password',
      goodSaslPayload: saslPlain('carol', ACCOUNT_PASSWORD),
      badSaslPayload: saslPlain('carol', WRONG_SASL_PASSWORD),
      OPER_HASH,
      MESSAGE_TEXT,
      NOTICE_TEXT,
      QUIT_TEXT,
      CONSOLE_SAY_TEXT,
    };
    for (const [name, secret] of Object.entries(secrets)) {
      assert.ok(!log.text.includes(secret), `${name} appears in the log:\n${log.text}`);
    }
    assert.ok(!/"msg":"message"/.test(log.text), 'no message lines without --log-messages');
  });

  test('--log-messages --log-level debug logs who said what to whom', { timeout: 30_000 }, async () => {
    const dir = await scratch();
    const p = await startParlor(dir, ['--log-messages', '--log-level', 'debug', '--log-format', 'json']);
    const log = new LogWatcher(p);
    try {
      const warning = await log.waitFor('message text is logged at debug level (logging.messages)');
      assert.equal(warning.level, 40);
      const alice = await p.register('alice');
      const bob = await p.register('bob');
      alice.send(`PRIVMSG bob :${MESSAGE_TEXT}`);
      await bob.waitFor((r) => r.msg.command === 'PRIVMSG' && r.msg.params[1] === MESSAGE_TEXT);
      const line = await log.waitFor('message', { text: MESSAGE_TEXT });
      assert.equal(line.level, 20);
      assert.equal(line.from, 'alice');
      assert.equal(line.target, 'bob');
      assert.equal(line.command, 'PRIVMSG');
      alice.send(`QUIT :${QUIT_TEXT}`);
      await alice.waitClose();
      assert.equal((await log.waitFor('quit', { nick: 'alice' })).reason, `Quit: ${QUIT_TEXT}`);
    } finally {
      await stopGracefully(p);
    }
    assert.deepEqual(log.malformed, []);
  });

  test('a wrong --log-format is refused before the server starts', async () => {
    const dir = await scratch();
    const run = await runParlor(dir, ['serve', '--port', '0', '--no-web', '--no-console', '--log-format', 'xml']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /logging\.format/);
  });
});

describe('createLogger', () => {
  /** A stream that keeps what is written to it. */
  function sink(isTTY = false): Writable & { text: string; isTTY: boolean } {
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        stream.text += chunk.toString();
        done();
      },
    }) as Writable & { text: string; isTTY: boolean };
    stream.text = '';
    stream.isTTY = isTTY;
    return stream;
  }

  test('pretty: a readable line, not JSON', () => {
    const stream = sink();
    const logger = createLogger({ level: 'info', format: 'pretty', stream });
    logger.info({ nick: 'alice' }, 'registered');
    const line = stream.text.trimEnd();
    assert.equal(line.split('\n').length, 1);
    assert.throws(() => JSON.parse(line) as unknown);
    assert.match(line, /^\[\d\d:\d\d:\d\d\] INFO: registered \{"nick":"alice"\}$/);
  });

  test('auto: JSON when the stream is not a terminal, pretty when it is', () => {
    const pipe = sink(false);
    createLogger({ level: 'info', format: 'auto', stream: pipe }).info('hello');
    const parsed = JSON.parse(pipe.text) as LogLine;
    assert.equal(parsed.msg, 'hello');
    assert.equal(parsed.level, 30);
    assert.equal(typeof parsed.time, 'number');
    const tty = sink(true);
    createLogger({ level: 'info', format: 'auto', stream: tty }).info('hello');
    assert.match(tty.text, /INFO.*hello/);
    assert.throws(() => JSON.parse(tty.text) as unknown);
  });

  test('the level filters, and password-like keys are censored as a safety net', () => {
    const stream = sink();
    const logger = createLogger({ level: 'warn', format: 'json', stream });
    logger.info('not shown');
    logger.warn({ password: 'p1', user: { token: 't1', passwd: 'p2' }, authorization: 'Bearer x' }, 'shown');
    assert.doesNotMatch(stream.text, /not shown|p1|t1|p2|Bearer/);
    const parsed = JSON.parse(stream.text) as LogLine;
    assert.equal(parsed.password, '[redacted]');
    assert.deepEqual(parsed.user, { token: '[redacted]', passwd: '[redacted]' });
    assert.equal(parsed.authorization, '[redacted]');
  });
});
