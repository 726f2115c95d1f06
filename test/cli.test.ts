// The `parlor` command line, run as a real process.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RawClient } from './helpers/raw-client.ts';

const BIN = new URL('../bin/parlor.js', import.meta.url).pathname;
/** The servers' working directory, where the default data/ (audit log) goes. */
const SCRATCH = mkdtempSync(join(tmpdir(), 'parlor-cli-cwd-'));

interface Running {
  child: ChildProcess;
  host: string;
  port: number;
  /** From the `parlor web on URL` line. */
  web: string;
}

/** Starts `parlor serve` and resolves with the address from its "listening" line. */
function startCli(args: string[]): Promise<Running> {
  const child = spawn(process.execPath, [BIN, 'serve', '--web-port', '0', '--log-level', 'silent', ...args], { stdio: ['ignore', 'pipe', 'pipe'], cwd: SCRATCH });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const m = /^parlor listening on (\S+):(\d+)$/m.exec(out);
      const w = /^parlor web on (http:\/\/\S+)$/m.exec(out);
      if (m && w) resolve({ child, host: m[1]!, port: Number(m[2]), web: w[1]! });
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.once('exit', (code) => reject(new Error(`parlor exited with ${code} before listening: ${err}`)));
  });
}

function runToExit(args: string[]): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], cwd: SCRATCH });
  let stderr = '';
  let stdout = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr, stdout })));
}

function stop(r: Running): Promise<number | null> {
  return new Promise((resolve) => {
    r.child.once('exit', (code) => resolve(code));
    r.child.kill('SIGTERM');
  });
}

test('serve --port 0 prints the real address and accepts IRC clients', async () => {
  const r = await startCli(['--port', '0', '--name', 'cli.parlor']);
  assert.equal(r.host, '127.0.0.1');
  assert.ok(r.port > 0);
  const c = await RawClient.connect(r.port);
  c.send('NICK clitest', 'USER u 0 * :CLI test');
  const welcome = await c.waitFor('001');
  assert.equal(welcome.msg.source, 'cli.parlor');
  c.close();
  assert.match(r.web, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(((await (await fetch(`${r.web}/health`)).json()) as { status: string }).status, 'ok');
  assert.equal(await stop(r), 0, 'SIGTERM exits 0');
});

test('a YAML config file is read and flags override it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'parlor-cli-'));
  const file = join(dir, 'parlor.yaml');
  await writeFile(file, 'server:\n  name: fromfile.parlor\n  network: FileNet\n  port: 1\n  motd: "from the file"\nlimits:\n  nickLength: 9\n');
  const r = await startCli(['--config', file, '--port', '0']);
  const c = await RawClient.connect(r.port);
  c.send('NICK abcdefghijk', 'NICK short', 'USER u 0 * :x');
  assert.equal((await c.waitFor('432')).msg.params[1], 'abcdefghijk');
  const welcome = await c.waitFor('001');
  assert.equal(welcome.msg.source, 'fromfile.parlor');
  const isupport = await c.waitFor((m) => m.msg.command === '005' && m.raw.includes('NETWORK='));
  assert.match(isupport.raw, /NETWORK=FileNet/);
  assert.match((await c.waitFor('372')).raw, /from the file/);
  c.close();
  await stop(r);
});

test('a malformed config is refused with a clear message and exit code 2', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'parlor-cli-'));
  const bad = join(dir, 'bad.yaml');
  await writeFile(bad, 'server:\n  port: "not a port"\n  colour: blue\n');
  const r1 = await runToExit(['serve', '--config', bad]);
  assert.equal(r1.code, 2);
  assert.match(r1.stderr, /server\.port/);
  assert.match(r1.stderr, /colour/);

  const notYaml = join(dir, 'broken.yaml');
  await writeFile(notYaml, 'server: [unclosed\n');
  const r2 = await runToExit(['serve', '--config', notYaml]);
  assert.equal(r2.code, 2);
  assert.match(r2.stderr, /not valid YAML/);

  const r3 = await runToExit(['serve', '--config', join(dir, 'missing.yaml')]);
  assert.equal(r3.code, 2);
  assert.match(r3.stderr, /Cannot read config file/);

  const r4 = await runToExit(['serve', '--port', '99999']);
  assert.equal(r4.code, 2);
  assert.match(r4.stderr, /--port/);
});

test('--version and --help, for parlor and for every subcommand', async () => {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  const v = await runToExit(['--version']);
  assert.equal(v.code, 0);
  assert.equal(v.stdout.trim(), version);
  const h = await runToExit(['--help']);
  assert.equal(h.code, 0);
  for (const command of ['serve', 'chat', 'mkpasswd', 'gen-cert']) assert.match(h.stdout, new RegExp(`^  ${command}\\b`, 'm'));
  const expected: Record<string, RegExp> = { serve: /--tls-cert <file>/, chat: /--tls-ca <file>/, mkpasswd: /password hash/, 'gen-cert': /--days <n>/ };
  await Promise.all(
    Object.entries(expected).map(async ([command, option]) => {
      const help = await runToExit([command, '--help']);
      assert.equal(help.code, 0, `${command} --help`);
      assert.match(help.stdout, new RegExp(`^Usage: parlor ${command} `, 'm'));
      assert.match(help.stdout, option);
      const ver = await runToExit([command, '--version']);
      assert.equal(ver.code, 0, `${command} --version`);
      assert.equal(ver.stdout.trim(), version);
    }),
  );
});
