// The data directory, with real `parlor serve` processes: one server per directory (a second
// is refused naming the first's PID, while alice and bob keep chatting on the first; several
// starting at once leave exactly one; a lock left by a dead process is taken over); a
// truncated or damaged parlor.db is refused with what is wrong; and the directory and its
// files are private (0700/0600) even under umask 000.
import { spawn } from 'node:child_process';
import { chmodSync, closeSync, existsSync, openSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Database from '../../src/storage/sqlite-driver.js';
import { SqliteStore } from '../../src/storage/sqlite-store.ts';
import { escapeRegExp, OutputWatcher, PARLOR_BIN, runParlor, startParlor, within, type ParlorProcess } from '../helpers/cli.ts';
import { RawClient } from '../helpers/raw-client.ts';

const SERVE = ['serve', '--port', '0', '--web-port', '0', '--log-level', 'silent', '--no-console'];

const scratchDirs: string[] = [];
const processes: ParlorProcess[] = [];
const strays: { kill(signal: NodeJS.Signals): boolean; exitCode: number | null; signalCode: string | null }[] = [];
after(async () => {
  for (const s of strays) if (s.exitCode === null && s.signalCode === null) s.kill('SIGKILL');
  await Promise.all(processes.map((p) => p.stop()));
  await Promise.all(scratchDirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function scratch(): Promise<{ dir: string; dataDir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'parlor-datadir-'));
  scratchDirs.push(dir);
  return { dir, dataDir: join(dir, 'data') };
}

async function launch(dir: string, args: string[]): Promise<ParlorProcess> {
  const p = await startParlor(dir, ['--no-console', ...args]);
  processes.push(p);
  return p;
}

/** The PID on the first line of parlor.lock. */
const lockPid = (dataDir: string): number => Number(readFileSync(join(dataDir, 'parlor.lock'), 'utf8').split('\n')[0]);
const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8).padStart(3, '0');

/** alice says `text` in #room and bob receives it: the server is serving. */
async function chat(alice: RawClient, bob: RawClient, text: string): Promise<void> {
  alice.send(`PRIVMSG #room :${text}`);
  await bob.waitFor((r) => r.msg.command === 'PRIVMSG' && r.msg.params[1] === text);
}

async function chatting(p: ParlorProcess): Promise<{ alice: RawClient; bob: RawClient }> {
  const alice = await p.register('alice');
  const bob = await p.register('bob');
  for (const [c, nick] of [[alice, 'alice'], [bob, 'bob']] as const) {
    c.send('JOIN #room');
    await c.waitFor((r) => r.msg.command === '366' && r.msg.params[0] === nick);
  }
  await chat(alice, bob, 'before anything');
  return { alice, bob };
}

/** SIGTERM, and the exit code. */
async function stopCleanly(p: ParlorProcess): Promise<number | string | null> {
  p.child.kill('SIGTERM');
  return within(p.exited, 15_000, 'parlor to stop on SIGTERM');
}

describe('one server per data directory', () => {
  test('a second server on the same directory exits 2 naming the first PID; the first keeps serving', async () => {
    const { dir, dataDir } = await scratch();
    const first = await launch(dir, ['--data-dir', dataDir]);
    const { alice, bob } = await chatting(first);
    assert.equal(lockPid(dataDir), first.child.pid);

    const second = await runParlor(dir, [...SERVE, '--data-dir', dataDir]);
    assert.equal(second.code, 2, second.stderr);
    assert.match(second.stderr, new RegExp(`^parlor: data directory ${escapeRegExp(dataDir)} is in use by another parlor \\(pid ${first.child.pid}\\); stop it or use --data-dir$`, 'm'));
    assert.doesNotMatch(second.stdout, /listening/);

    await chat(alice, bob, 'still here after the second server was refused');
    assert.equal(lockPid(dataDir), first.child.pid, 'the refused server left the lock alone');
    assert.equal(await stopCleanly(first), 0);
    assert.equal(existsSync(join(dataDir, 'parlor.lock')), false, 'a clean stop removes parlor.lock');

    const third = await launch(dir, ['--data-dir', dataDir]);
    assert.equal(lockPid(dataDir), third.child.pid, 'after a clean stop the directory is free');
  });

  test('of three servers started at once on a new directory, exactly one runs', async () => {
    const { dir, dataDir } = await scratch();
    const runs = Array.from({ length: 3 }, () => {
      const child = spawn(process.execPath, [PARLOR_BIN, ...SERVE, '--data-dir', dataDir], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      strays.push(child);
      const stdout = new OutputWatcher();
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => stdout.feed(c));
      child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
      const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
      // Each either listens or exits: whichever comes first.
      const outcome = Promise.race([
        stdout.waitFor(/^parlor listening on /m, 60_000).then(() => 'listening' as const),
        exited.then((code) => ({ code, stderr: () => stderr })),
      ]);
      return { child, exited, outcome };
    });
    const outcomes = await within(Promise.all(runs.map((r) => r.outcome)), 65_000, 'each server to listen or exit');
    const winners = runs.filter((_, i) => outcomes[i] === 'listening');
    assert.equal(winners.length, 1, `exactly one listens: ${JSON.stringify(outcomes.map((o) => (o === 'listening' ? o : { code: o.code, stderr: o.stderr() })))}`);
    const winner = winners[0]!;
    for (const o of outcomes) {
      if (o === 'listening') continue;
      assert.equal(o.code, 2, o.stderr());
      assert.match(o.stderr(), new RegExp(`is in use by another parlor \\(pid ${winner.child.pid}\\)`));
    }
    assert.equal(lockPid(dataDir), winner.child.pid);
    winner.child.kill('SIGTERM');
    assert.equal(await within(winner.exited, 15_000, 'the winner to stop'), 0);
  });

  test('a lock left by a process that has exited is taken over', async () => {
    const { dir, dataDir } = await scratch();
    const gone = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    const gonePid = gone.pid!;
    await within(new Promise((resolve) => gone.once('exit', resolve)), 10_000, 'node -e "" to exit');
    await mkdir(dataDir, { recursive: true });
    await writeFile(join(dataDir, 'parlor.lock'), `${gonePid}\n`);

    const p = await launch(dir, ['--data-dir', dataDir]);
    assert.notEqual(p.child.pid, gonePid);
    assert.equal(lockPid(dataDir), p.child.pid);
    await chatting(p);
  });

  test('a lock naming a zombie (killed, never reaped) is taken over', { skip: !existsSync('/proc/self/stat') && 'no /proc' }, async () => {
    const { dir, dataDir } = await scratch();
    // sh starts a subshell, then becomes `sleep`, which never reaps it; the subshell exits
    // once its parent is `sleep` (sh itself would reap it).
    const script = 'p=$$; (while [ "$(cat /proc/$p/comm)" != sleep ]; do sleep 0.01; done) & echo $!; exec sleep 60';
    const parent = spawn('/bin/sh', ['-c', script], { stdio: ['ignore', 'pipe', 'ignore'] });
    strays.push(parent);
    const out = new OutputWatcher();
    parent.stdout.setEncoding('utf8').on('data', (c: string) => out.feed(c));
    const zombie = Number((await out.waitFor(/^(\d+)$/m))[1]);
    await within(
      (async () => {
        // Bounded: until the kernel shows the exited subshell as a zombie.
        while (!/\) Z /.test(readFileSync(`/proc/${zombie}/stat`, 'latin1'))) await new Promise((resolve) => setTimeout(resolve, 20));
      })(),
      10_000,
      'the subshell to be a zombie',
    );
    await mkdir(dataDir, { recursive: true });
    await writeFile(join(dataDir, 'parlor.lock'), `${zombie}\n`);

    const p = await launch(dir, ['--data-dir', dataDir]);
    assert.equal(lockPid(dataDir), p.child.pid);
    parent.kill('SIGKILL');
  });

  test('after kill -9 the next start takes the directory over', async () => {
    const { dir, dataDir } = await scratch();
    const killed = await launch(dir, ['--data-dir', dataDir]);
    await chatting(killed);
    killed.child.kill('SIGKILL');
    await within(killed.exited, 10_000, 'parlor to die');
    assert.equal(lockPid(dataDir), killed.child.pid, 'kill -9 leaves parlor.lock behind');

    const next = await launch(dir, ['--data-dir', dataDir]);
    assert.equal(lockPid(dataDir), next.child.pid);
    await chatting(next);
  });

  test('a lock naming a running process that is not a parlor is refused, saying which file to delete', async () => {
    const { dir, dataDir } = await scratch();
    await mkdir(dataDir, { recursive: true });
    await writeFile(join(dataDir, 'parlor.lock'), `${process.pid}\nhost elsewhere\n`);
    const refused = await runParlor(dir, [...SERVE, '--data-dir', dataDir]);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, new RegExp(`locked by pid ${process.pid} .*which is running.*delete ${escapeRegExp(join(dataDir, 'parlor.lock'))}`));
  });

  test('a lock whose PID went, after a crash, to a process started since it was written is taken over; one naming a process older than it is refused', { skip: !existsSync('/proc/self/stat') && 'no /proc' }, async () => {
    const { dir, dataDir } = await scratch();
    await mkdir(dataDir, { recursive: true });
    const lockFile = (pid: number, started: Date): string => `${pid}\nhost ${hostname()}\nstarted ${started.toISOString()}\n`;
    // Written now: the test runner, running since before, may be its writer.
    await writeFile(join(dataDir, 'parlor.lock'), lockFile(process.pid, new Date()));
    const refused = await runParlor(dir, [...SERVE, '--data-dir', dataDir]);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, new RegExp(`locked by pid ${process.pid} `));
    // Written an hour ago by a parlor that died; its PID is a `sleep` started just now.
    const reuser = spawn('sleep', ['60'], { stdio: 'ignore' });
    strays.push(reuser);
    await writeFile(join(dataDir, 'parlor.lock'), lockFile(reuser.pid!, new Date(Date.now() - 3_600_000)));
    const p = await launch(dir, ['--data-dir', dataDir]);
    assert.equal(lockPid(dataDir), p.child.pid);
    await chatting(p);
    reuser.kill('SIGKILL');
  });
});

describe('a damaged database is refused', () => {
  test('a zero-length parlor.db exits 2 saying to restore or delete it, and is left as it was', async () => {
    const { dir, dataDir } = await scratch();
    await mkdir(dataDir, { recursive: true });
    const db = join(dataDir, 'parlor.db');
    await writeFile(db, '');
    const refused = await runParlor(dir, [...SERVE, '--data-dir', dataDir]);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, new RegExp(`^parlor: cannot open the database ${escapeRegExp(db)}: the file is empty \\(0 bytes\\)`, 'm'));
    assert.match(refused.stderr, /restore it from a backup, or delete it/);
    assert.equal(statSync(db).size, 0);
    assert.equal(existsSync(join(dataDir, 'parlor.lock')), false, 'the refused start released its lock');

    // Deleting it, as the message says, starts an empty server.
    await rm(db);
    const fresh = await launch(dir, ['--data-dir', dataDir]);
    await chatting(fresh);
    assert.ok(statSync(db).size > 0);
  });

  test('a page of garbage in parlor.db exits 2 with what quick_check says (and starts without the check)', async () => {
    const { dir, dataDir } = await scratch();
    const path = join(dataDir, 'parlor.db');
    const store = new SqliteStore({ path });
    for (let n = 0; n < 3000; n++) store.appendMessage({ msgid: `m${n}`, target: '#room', time: 1_700_000_000_000 + n, source: 'alice!a@h', command: 'PRIVMSG', text: `line ${n} of the history` });
    await store.close();
    // A leaf page of the message history, which nothing reads at start.
    const db = new Database(path, { readonly: true });
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const page = db.prepare("SELECT pageno FROM dbstat WHERE name = 'messages' AND pagetype = 'leaf' ORDER BY pageno LIMIT 1 OFFSET 3").pluck().get() as number;
    db.close();
    assert.ok(page > 1);
    // Garbage over its cells (its header kept): quick_check lists what it finds wrong.
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.alloc(pageSize / 2, 0xa5), 0, pageSize / 2, (page - 1) * pageSize + 8);
    closeSync(fd);

    const refused = await runParlor(dir, [...SERVE, '--data-dir', dataDir]);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, new RegExp(`^parlor: cannot open the database ${escapeRegExp(path)}: the file is damaged; PRAGMA quick_check says:\\n(  .*\\n)*  Tree \\d+ page ${page} cell \\d+: `, 'm'));
    assert.match(refused.stderr, /restore it from a backup/);

    // The check is what refuses it: without it the server starts on the damaged file.
    const config = join(dir, 'no-check.yaml');
    await writeFile(config, 'storage:\n  quickCheck: false\n');
    const unchecked = await launch(dir, ['--config', config, '--data-dir', dataDir]);
    await unchecked.register('carol');
  });

  test('a parlor.db-wal without its parlor.db is refused, not discarded', async () => {
    const { dir, dataDir } = await scratch();
    await mkdir(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'parlor.db-wal'), Buffer.alloc(4096, 1));
    const refused = await runParlor(dir, [...SERVE, '--data-dir', dataDir]);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /the database file is missing but its write-ahead log .*parlor\.db-wal \(4096 bytes\) is there/);
    assert.equal(existsSync(join(dataDir, 'parlor.db')), false);
  });
});

describe('file modes', () => {
  /** `parlor serve` under `umask 000`, through sh, watched like startParlor does. */
  async function serveUnderUmask000(dir: string, dataDir: string): Promise<ParlorProcess> {
    const child = spawn('/bin/sh', ['-c', 'umask 000; exec "$0" "$@"', process.execPath, PARLOR_BIN, ...SERVE, '--data-dir', dataDir], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
    strays.push(child);
    const stdout = new OutputWatcher();
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => stdout.feed(c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
    const early = exited.then((code) => {
      throw new Error(`parlor exited (${String(code)}) before listening:\n${stderr}`);
    });
    early.catch(() => {});
    const m = await within(Promise.race([stdout.waitFor(/^parlor listening on (\S+):(\d+)$/m, 60_000), early]), 60_000, 'parlor to listen');
    const clients: RawClient[] = [];
    const p: ParlorProcess = {
      child,
      host: m[1]!,
      port: Number(m[2]),
      stdout,
      stderr: () => stderr,
      clients,
      exited,
      send: (line) => child.stdin.write(line + '\n'),
      command: (line, expect, timeoutMs) => {
        child.stdin.write(line + '\n');
        return stdout.waitFor(expect, timeoutMs);
      },
      connect: async () => {
        const c = await RawClient.connect(Number(m[2]));
        clients.push(c);
        return c;
      },
      register: async (nick) => {
        const c = await p.connect();
        c.send(`NICK ${nick}`, `USER ${nick} 0 * :${nick}`);
        await c.waitFor((r) => r.msg.command === '376' || r.msg.command === '422');
        return c;
      },
      stop: async () => {
        for (const c of clients) c.close();
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await within(exited, 5000, 'parlor to exit');
      },
    };
    processes.push(p);
    return p;
  }

  test('under umask 000 the data directory is 0700 and its files 0600; older wider files are narrowed', async () => {
    const { dir } = await scratch();
    const dataDir = join(dir, 'var', 'data');
    const p = await serveUnderUmask000(dir, dataDir);
    await chatting(p);
    const files = ['parlor.db', 'parlor.db-wal', 'parlor.db-shm', 'audit.log', 'parlor.lock', 'parlor.lock.guard'];
    assert.equal(mode(dataDir), '700');
    for (const f of files) assert.equal(mode(join(dataDir, f)), '600', f);
    assert.equal(await stopCleanly(p), 0);

    // Files made by an older Parlor (or by hand) with wider modes are narrowed at the next start.
    for (const f of ['parlor.db', 'audit.log']) chmodSync(join(dataDir, f), 0o644);
    const again = await serveUnderUmask000(dir, dataDir);
    await chatting(again);
    for (const f of files) assert.equal(mode(join(dataDir, f)), '600', `${f} after a restart`);
  });
});
