// Durability of `parlor serve --data-dir` with real processes: what a clean restart (SIGTERM)
// keeps — accounts, registered rooms with their topic and operators, server bans, history
// with its msgids and times — and what a kill -9 in the middle of a conversation loses: at
// most the lines accepted in the last flush interval (storage.flushIntervalMs, 100 ms), never
// a line accepted more than a second before the kill.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SqliteStore } from '../../src/storage/sqlite-store.ts';
import { startParlor, within, type ParlorProcess } from '../helpers/cli.ts';
import { until } from '../helpers/irc.ts';
import type { RawClient, Received } from '../helpers/raw-client.ts';

const NAME = 'durable.parlor';
/** Fast password hashing; no flood control (the load test sends as fast as it can); large queries. */
const CONFIG_YAML = [
  'server:',
  `  name: ${NAME}`,
  'accounts:',
  '  passwordCost: 4',
  'flood:',
  '  burst: 100000',
  '  commandsPerSecond: 100000',
  'history:',
  '  maxQuery: 1000',
  '',
].join('\n');
const HISTORY_CAPS = ['batch', 'draft/chathistory', 'echo-message', 'message-tags', 'server-time'];
const PASSWORD = 'password123';

const body = (r: Received): string => (r.raw.startsWith('@') ? r.raw.slice(r.raw.indexOf(' ') + 1) : r.raw);
const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

const scratchDirs: string[] = [];
const processes: ParlorProcess[] = [];
after(async () => {
  await Promise.all(processes.map((p) => p.stop()));
  await Promise.all(scratchDirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** A scratch directory with the config file; returns the `serve` arguments for its data dir. */
async function scratch(): Promise<{ dir: string; dataDir: string; args: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'parlor-durability-'));
  scratchDirs.push(dir);
  const config = join(dir, 'parlor.yaml');
  await writeFile(config, CONFIG_YAML);
  const dataDir = join(dir, 'data');
  return { dir, dataDir, args: ['--config', config, '--data-dir', dataDir] };
}

async function launch(dir: string, args: string[]): Promise<ParlorProcess> {
  const p = await startParlor(dir, args);
  processes.push(p);
  return p;
}

/** Registers `nick` with `caps`, logged in with SASL PLAIN first when `account` is given. */
async function client(p: ParlorProcess, nick: string, caps: string[], account?: { name: string; password: string }): Promise<RawClient> {
  const c = await p.connect();
  const wanted = account ? [...caps, 'sasl'] : caps;
  c.send('CAP LS 302', `NICK ${nick}`, `USER ${nick} 0 * :${nick}`);
  if (wanted.length > 0) {
    c.send(`CAP REQ :${wanted.join(' ')}`);
    const ack = await c.waitFor((r) => r.msg.command === 'CAP' && (r.msg.params[1] === 'ACK' || r.msg.params[1] === 'NAK'));
    assert.equal(ack.msg.params[1], 'ACK', ack.raw);
  }
  if (account) {
    c.send('AUTHENTICATE PLAIN');
    await c.waitFor('AUTHENTICATE');
    c.send(`AUTHENTICATE ${b64(`\0${account.name}\0${account.password}`)}`);
    const loggedIn = await c.waitFor((r) => r.msg.command === '900' || r.msg.command === '904');
    assert.equal(loggedIn.msg.command, '900', loggedIn.raw);
    assert.equal(loggedIn.msg.params[2], account.name);
    await c.waitFor('903');
  }
  c.send('CAP END');
  await c.waitFor((r) => r.msg.command === '376' || r.msg.command === '422');
  return c;
}

async function joinRoom(c: RawClient, room: string): Promise<Received[]> {
  c.send(`JOIN ${room}`);
  return until(c, (r) => r.msg.command === '366' && r.msg.params[1] === room);
}

/** A line as the server accepted it: its echo (echo-message, message-tags, server-time). */
interface Said {
  line: string;
  msgid: string;
  time: string;
}

async function say(c: RawClient, nick: string, command: 'PRIVMSG' | 'NOTICE', target: string, text: string): Promise<Said> {
  c.send(`${command} ${target} :${text}`);
  const echo = await c.waitFor((r) => r.msg.command === command && r.msg.source?.split('!')[0] === nick && r.msg.params[1] === text);
  return { line: body(echo), msgid: echo.msg.tags.msgid!, time: echo.msg.tags.time! };
}

/** The lines of the chathistory batch a request returns. */
async function history(c: RawClient, request: string): Promise<Received[]> {
  c.send(request);
  const open = await c.waitFor((r) => r.msg.command === 'BATCH' || r.msg.command === 'FAIL', 15_000);
  assert.equal(open.msg.command, 'BATCH', open.raw);
  const ref = open.msg.params[0]!.slice(1);
  const lines: Received[] = [];
  for (let i = 0; i < 20_001; i++) {
    const r = await c.waitFor(() => true, 15_000);
    if (r.msg.command === 'BATCH' && r.msg.params[0] === `-${ref}`) return lines;
    lines.push(r);
  }
  throw new Error('no end of batch within 20000 lines');
}

/**
 * Every line of a room's history, oldest first, read a page at a time (a whole 10000-line
 * answer would overflow the reader's send queue).
 */
async function wholeHistory(c: RawClient, room: string): Promise<string[]> {
  const served: string[] = [];
  let from = 'timestamp=1970-01-01T00:00:00.000Z';
  for (let page = 0; page < 1_000; page++) {
    const lines = await history(c, `CHATHISTORY AFTER ${room} ${from} 1000`);
    served.push(...lines.map((r) => r.msg.params[1]!));
    if (lines.length < 1000) return served;
    from = `msgid=${lines.at(-1)!.msg.tags.msgid!}`;
  }
  throw new Error(`${room}: more than 1000 pages of history`);
}

async function stopWithSigterm(p: ParlorProcess): Promise<void> {
  p.child.kill('SIGTERM');
  assert.equal(await within(p.exited, 10_000, 'parlor to exit on SIGTERM'), 0, p.stderr());
}

describe('durability with --data-dir (real processes)', () => {
  test('clean restart (SIGTERM): account, registered room with topic and operator, ban, and history survive', async () => {
    const { dir, args } = await scratch();
    const first = await launch(dir, args);

    const keeper = await client(first, 'keeper', HISTORY_CAPS);
    keeper.send(`REGISTER * * ${PASSWORD}`);
    assert.deepEqual((await keeper.waitFor('900')).msg.params.slice(0, 3), ['keeper', 'keeper!keeper@127.0.0.1', 'keeper']);
    assert.deepEqual((await keeper.waitFor('REGISTER')).msg.params.slice(0, 2), ['SUCCESS', 'keeper']);
    await joinRoom(keeper, '#kept');
    keeper.send('REGISTER #kept');
    await keeper.waitFor((r) => r.msg.command === 'NOTICE' && r.msg.params[1]!.startsWith('#kept is now registered to keeper'));
    const topic = 'Kept across restarts 🗝️ 重启后还在';
    keeper.send(`TOPIC #kept :${topic}`);
    await keeper.waitFor('TOPIC');
    const visitor = await client(first, 'visitor', HISTORY_CAPS);
    await joinRoom(visitor, '#kept');
    await first.command('ban baduser 1h spam', /^banned baduser!\*@\* for 1h \(spam\); 0 client\(s\) disconnected$/m);

    const said: Said[] = [];
    said.push(await say(keeper, 'keeper', 'PRIVMSG', '#kept', '早上好 ☀️ good morning'));
    said.push(await say(visitor, 'visitor', 'PRIVMSG', '#kept', '你好 keeper 👋'));
    said.push(await say(keeper, 'keeper', 'PRIVMSG', '#kept', '我们的房间会保存 🏠🔐'));
    said.push(await say(visitor, 'visitor', 'NOTICE', '#kept', 'emoji 🎉🎊🥳 and 漢字 too'));
    said.push(await say(keeper, 'keeper', 'PRIVMSG', '#kept', 'last line before the restart 🔚'));

    await stopWithSigterm(first);
    await keeper.waitClose();

    const second = await launch(dir, args);
    // The room exists while empty, with its topic.
    const looker = await client(second, 'looker', []);
    looker.send('LIST');
    assert.deepEqual((await looker.waitFor('322')).msg.params, ['looker', '#kept', '0', topic]);
    await looker.waitFor('323');
    looker.send('TOPIC #kept');
    assert.deepEqual((await looker.waitFor('332')).msg.params, ['looker', '#kept', topic]);
    assert.match((await looker.waitFor('333')).msg.params[2]!, /^keeper\b/);

    // The ban holds: the console lists it with the time left, and baduser is refused.
    await second.command('bans', /^MASK +LEFT +BY +REASON$/m);
    await second.stdout.waitFor(/^baduser!\*@\* +(?:59m \d+s|1h) +console +spam$/m);
    const bad = await second.connect();
    bad.send('NICK baduser', 'USER baduser 0 * :Bad User');
    assert.match((await bad.waitFor('465')).msg.params.at(-1)!, /You are banned from this server: spam/);
    await bad.waitClose();

    // The account logs in with SASL, and is the room's operator on joining it.
    const back = await client(second, 'keeper', HISTORY_CAPS, { name: 'keeper', password: PASSWORD });
    const joined = await joinRoom(back, '#kept');
    assert.deepEqual(joined.find((r) => r.msg.command === '332')?.msg.params, ['keeper', '#kept', topic]);
    assert.deepEqual(joined.find((r) => r.msg.command === '353')?.msg.params.slice(2), ['#kept', '@keeper']);

    // Every line, in order, with its original msgid and time.
    const lines = await history(back, 'CHATHISTORY LATEST #kept * 50');
    assert.deepEqual(
      lines.map((r) => ({ line: body(r), msgid: r.msg.tags.msgid, time: r.msg.tags.time })),
      said,
    );

    await stopWithSigterm(second);
  });

  test('kill -9 while two clients chat: every line accepted over a second before the kill is kept', async (t) => {
    const { dir, dataDir, args } = await scratch();
    const first = await launch(dir, args);
    const chatters = [
      { who: 'a', nick: 'chatta', c: await client(first, 'chatta', ['echo-message']) },
      { who: 'b', nick: 'chattb', c: await client(first, 'chattb', ['echo-message']) },
    ];
    for (const { c } of chatters) await joinRoom(c, '#room');

    // The load: each client sends its next line as soon as the server has accepted the last
    // (its echo is back), for CHAT_MS or MAX_PER_CLIENT lines; then the process is killed.
    const CHAT_MS = 1500;
    const MAX_PER_CLIENT = 10_000;
    const accepted: { text: string; at: number }[] = [];
    const sent: string[] = [];
    const start = performance.now();
    let killAt: number | undefined;
    const kill = (): void => {
      if (killAt !== undefined) return;
      killAt = performance.now();
      first.child.kill('SIGKILL');
    };
    await Promise.all(
      chatters.map(async ({ who, nick, c }) => {
        for (let n = 0; n < MAX_PER_CLIENT && killAt === undefined; n++) {
          if (performance.now() - start >= CHAT_MS) break;
          const text = `${who} ${n}`;
          sent.push(text);
          c.send(`PRIVMSG #room :${text}`);
          // The wait fails at once if the connection closes first (the kill).
          const echo = await c.waitFor((r) => r.msg.command === 'PRIVMSG' && r.msg.source?.startsWith(`${nick}!`) === true && r.msg.params[1] === text).catch(() => undefined);
          if (echo === undefined) return; // killed meanwhile
          accepted.push({ text, at: performance.now() });
        }
        kill();
      }),
    );
    assert.equal(await within(first.exited, 5000, 'the killed parlor to exit'), 'SIGKILL');
    assert.ok(killAt !== undefined);
    const elapsed = killAt - start;
    assert.ok(accepted.length > 100, `only ${accepted.length} lines were accepted`);

    // A new process opens the same data directory and serves what was kept.
    const second = await launch(dir, args);
    const reader = await client(second, 'reader', HISTORY_CAPS);
    await joinRoom(reader, '#room');
    const served = await wholeHistory(reader, '#room');
    await stopWithSigterm(second);
    // The file itself, read once the server is gone, holds the same.
    const store = new SqliteStore({ path: join(dataDir, 'parlor.db') });
    const inFile = (await store.latest('#room', 100_000)).map((m) => m.text);
    await store.close();
    assert.deepEqual(inFile, served);

    // Nothing but what was sent, in each sender's order, without holes.
    const kept = new Set(served);
    assert.equal(kept.size, served.length, 'no line twice');
    const sentSet = new Set(sent);
    for (const text of served) assert.ok(sentSet.has(text), `${text} was sent`);
    for (const who of ['a', 'b']) {
      const numbers = served.filter((s) => s.startsWith(`${who} `)).map((s) => Number(s.slice(2)));
      assert.deepEqual(
        numbers,
        numbers.map((_, i) => i),
        `${who}'s lines are kept from the first, in order, without a hole`,
      );
    }

    const lost = accepted.filter((m) => !kept.has(m.text));
    // An echo read just after the kill was accepted before it: its age counts as 0.
    const ageAtKill = (m: { at: number }): number => Math.max(0, killAt! - m.at);
    const oldestLost = lost.length === 0 ? 0 : Math.max(...lost.map(ageAtKill));
    const newestLost = lost.length === 0 ? 0 : Math.min(...lost.map(ageAtKill));
    t.diagnostic(
      `chatted ${elapsed.toFixed(0)} ms: ${sent.length} lines sent, ${accepted.length} accepted (echoed), ${served.length} kept after kill -9; ` +
        `${lost.length} accepted but lost, accepted ${newestLost.toFixed(0)}–${oldestLost.toFixed(0)} ms before the kill`,
    );
    for (const m of accepted) {
      if (ageAtKill(m) > 1000) assert.ok(kept.has(m.text), `"${m.text}", accepted ${ageAtKill(m).toFixed(0)} ms before the kill, was lost`);
    }
  });

  test('SIGTERM under load: every client is told, the process exits 0, and every accepted line is kept', async (t) => {
    const { dir, args } = await scratch();
    const first = await launch(dir, args);
    const senders = ['c', 'd', 'e', 'f'];
    const chatters = await Promise.all(senders.map(async (who) => ({ who, nick: `load${who}`, c: await client(first, `load${who}`, ['echo-message']) })));
    for (const { c } of chatters) await joinRoom(c, '#busy');

    // Each client keeps a window of lines in flight (sends the next batch when the last one's
    // echo is back) until the server goes; SIGTERM comes after CHAT_MS of this.
    const CHAT_MS = 800;
    const BATCH = 25;
    const MAX_BATCHES = 2_000;
    const accepted = new Set<string>();
    let sentCount = 0;
    const start = performance.now();
    let termAt: number | undefined;
    const load = chatters.map(async ({ who, nick, c }) => {
      const closed = c.waitClose(30_000).then(() => undefined);
      let n = 0;
      for (let b = 0; b < MAX_BATCHES && !c.closed; b++) {
        if (termAt === undefined && performance.now() - start >= CHAT_MS) {
          termAt = performance.now();
          first.child.kill('SIGTERM');
        }
        const lines = Array.from({ length: BATCH }, () => `PRIVMSG #busy :${who} ${n++}`);
        sentCount += lines.length;
        c.send(...lines);
        const last = `${who} ${n - 1}`;
        // The wait fails at once if the server closes the connection first.
        const echo = await c.waitFor((r) => r.msg.command === 'PRIVMSG' && r.msg.source?.startsWith(`${nick}!`) === true && r.msg.params[1] === last, 30_000).catch(() => undefined);
        if (echo === undefined) break;
      }
      await closed;
      for (const r of c.received) if (r.msg.command === 'PRIVMSG' && r.msg.source?.startsWith(`${nick}!`)) accepted.add(r.msg.params[1]!);
    });
    await Promise.all(load);
    assert.ok(termAt !== undefined, 'SIGTERM was sent');
    assert.equal(await within(first.exited, 12_000, 'parlor to exit on SIGTERM under load'), 0, first.stderr());
    const exitMs = performance.now() - termAt;
    for (const { nick, c } of chatters) {
      const error = c.received.find((r) => r.msg.command === 'ERROR');
      assert.ok(error, `${nick} was told before the connection closed`);
      assert.match(error.msg.params[0]!, /Server shutting down/);
    }
    assert.ok(accepted.size > 100, `only ${accepted.size} lines were accepted`);

    const second = await launch(dir, args);
    const reader = await client(second, 'reader', HISTORY_CAPS);
    await joinRoom(reader, '#busy');
    const served = await wholeHistory(reader, '#busy');
    await stopWithSigterm(second);
    const kept = new Set(served);
    assert.equal(kept.size, served.length, 'no line twice');
    const lost = [...accepted].filter((text) => !kept.has(text));
    assert.deepEqual(lost, [], 'every line the server echoed is in history');
    for (const who of senders) {
      const numbers = served.filter((text) => text.startsWith(`${who} `)).map((text) => Number(text.slice(2)));
      assert.deepEqual(numbers, numbers.map((_, i) => i), `${who}'s lines are kept from the first, in order, without a hole`);
    }
    t.diagnostic(`${sentCount} lines sent by ${senders.length} clients, ${accepted.size} accepted (echoed), ${served.length} kept; exit 0 ${exitMs.toFixed(0)} ms after SIGTERM`);
  });
});
