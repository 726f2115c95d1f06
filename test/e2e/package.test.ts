// The npm package as an operator gets it: `npm pack` of a copy of the project (prepack builds
// dist/), `npm install` of the tarball in an empty folder, then the installed `parlor` binary
// serves IRC and the web client, and stops cleanly on SIGTERM. Nothing from the checkout is
// used at run time: no src/, no tsx, no dev dependencies.
//
// better-sqlite3's install script fetches a prebuilt native addon and compiles it from source
// only when it cannot (two minutes on two cores: longer than a test file may take). There is
// no network here, so the test serves it the addon of the project's own install from a mirror
// on 127.0.0.1 (prebuild-install's documented npm_config_<package>_binary_host), the way the
// download works for a user, and pins better-sqlite3 to the version that addon was built for.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { homedir, setPriority, tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { OutputWatcher, within } from '../helpers/cli.ts';
import { RawClient } from '../helpers/raw-client.ts';

const PROJECT = fileURLToPath(new URL('../../', import.meta.url));
const PACK_TIMEOUT_MS = 90_000;
const INSTALL_TIMEOUT_MS = 240_000; // on Node 24 better-sqlite3 12 (never loaded there) is compiled: ~80 s
/** Where prebuild-install keeps what it downloaded (npm's cache), to remove our mirror's copy. */
const NPM_CACHE = process.env['npm_config_cache'] ?? join(homedir(), '.npm');

/** The environment of a person's shell: none of the npm_* variables of the `npm test` running us. */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^npm_/i.test(key) && key !== 'NODE_TEST_CONTEXT' && key !== 'NODE_OPTIONS') env[key] = value;
  }
  return { ...env, ...extra };
}

/** Process groups of the commands still running (npm and what it started). */
const running = new Set<number>();

interface RunResult {
  code: number | string | null;
  output: string;
  ms: number;
}

/**
 * Runs `command` to its end, killing its whole process group at the deadline. `nice` lowers
 * its priority (builds and compiles) so that the tests running beside this one keep their pace.
 */
async function run(command: string, args: string[], cwd: string, timeoutMs: number, nice = false, env?: NodeJS.ProcessEnv): Promise<RunResult> {
  const started = performance.now();
  const child = spawn(command, args, { cwd, env: cleanEnv(env), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`cannot run ${command}`);
  running.add(child.pid);
  if (nice) setPriority(child.pid, 10);
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (output += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (output += c));
  const closed = new Promise<number | string | null>((done) =>
    child.once('close', (code, signal) => {
      running.delete(child.pid!);
      done(code ?? signal);
    }),
  );
  try {
    const code = await within(closed, timeoutMs, `${command} ${args.join(' ')} in ${cwd}`);
    return { code, output, ms: performance.now() - started };
  } catch (err) {
    killGroup(child.pid!);
    throw new Error(`${(err as Error).message}\n${output.slice(-3000)}`, { cause: err });
  }
}

function killGroup(pid: number): void {
  running.delete(pid);
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

function assertSucceeded(result: RunResult, what: string): void {
  assert.equal(result.code, 0, `${what} failed:\n${result.output.slice(-4000)}`);
}

/** The project without what .gitignore names as folders (node_modules, dist, data, …) and .git. */
async function copyProject(destination: string): Promise<void> {
  const ignored = (await readFile(join(PROJECT, '.gitignore'), 'utf8'))
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.endsWith('/') && !line.startsWith('#') && !/[*?[]/.test(line))
    .map((line) => line.replace(/^\/|\/$/g, ''));
  const skip = new Set(['.git', ...ignored]);
  await cp(PROJECT, destination, { recursive: true, filter: (source) => !skip.has(relative(PROJECT, source)) });
  // The build tools of the project's own install; the tarball's dependencies come from npm.
  await symlink(join(PROJECT, 'node_modules'), join(destination, 'node_modules'), 'dir');
}

interface PrebuiltMirror {
  server: Server;
  /** The value for npm_config_better_sqlite3_binary_host. */
  url: string;
  version: string;
  /** The URLs prebuild-install fetched. */
  fetched: string[];
}

/**
 * Serves the better-sqlite3 addon of the project's install as a prebuild (a tar.gz holding
 * build/Release/better_sqlite3.node) at <url>/v<version>/<name>-v<version>-node-v<abi>-<platform>-<arch>.tar.gz.
 */
async function startPrebuiltMirror(): Promise<PrebuiltMirror> {
  const addonPackage = join(PROJECT, 'node_modules', 'better-sqlite3');
  const { version } = JSON.parse(await readFile(join(addonPackage, 'package.json'), 'utf8')) as { version: string };
  const archive = join(work, 'better-sqlite3-prebuilt.tar.gz');
  assertSucceeded(await run('tar', ['-czf', archive, '-C', addonPackage, 'build/Release/better_sqlite3.node'], work, 30_000), 'tar -czf');
  const wanted = `/v${version}/better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  const fetched: string[] = [];
  const server = createServer((req, res) => {
    fetched.push(req.url ?? '');
    if (req.url !== wanted) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/gzip' });
    createReadStream(archive).pipe(res);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { server, url, version, fetched };
}

/** prebuild-install's cache file for a download URL (its util.cachedPrebuild). */
function cachedPrebuildPath(url: string): string {
  const digest = createHash('sha512').update(url).digest('hex').slice(0, 6);
  return join(NPM_CACHE, '_prebuilds', `${digest}-${basename(url).replace(/[^a-zA-Z0-9.]+/g, '-')}`);
}

async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => relative(root, join(e.parentPath, e.name)));
}

const work = await mkdtemp(join(tmpdir(), 'parlor-package-'));
const scratch = join(work, 'scratch');
const installed = join(scratch, 'node_modules', 'parlor');
const parlorBin = join(scratch, 'node_modules', '.bin', 'parlor');
let tarballEntries: string[] = [];
let tarballBytes = 0;
let timings = '';
let mirror: PrebuiltMirror | undefined;

// The test runner stops a file that overruns with SIGTERM, which skips after(): the npm
// process groups (in their own groups, so that a deadline can end them) must go all the same.
process.once('SIGTERM', () => process.exit(143));
process.once('exit', () => {
  for (const pid of running) killGroup(pid);
  rmSync(work, { recursive: true, force: true });
});

after(async () => {
  if (mirror) {
    mirror.server.close();
    await Promise.all(mirror.fetched.map((path) => rm(cachedPrebuildPath(mirror!.url + path), { force: true })));
  }
  await rm(work, { recursive: true, force: true });
});

describe('the npm package', () => {
  before(
    async () => {
      const project = join(work, 'project');
      await copyProject(project);
      const { name, version } = JSON.parse(await readFile(join(PROJECT, 'package.json'), 'utf8')) as { name: string; version: string };

      const pack = await run('npm', ['pack', '--pack-destination', work], project, PACK_TIMEOUT_MS, true);
      assertSucceeded(pack, 'npm pack');
      const tarball = join(work, `${name}-${version}.tgz`);
      tarballBytes = (await stat(tarball)).size;
      const listing = await run('tar', ['-tzf', tarball], work, 30_000);
      assertSucceeded(listing, 'tar -tzf');
      tarballEntries = listing.output.split('\n').filter(Boolean);

      // As an operator would: approve better-sqlite3's install script (it fetches or builds
      // the native addon), and refuse any other dependency's script we have not reviewed.
      mirror = await startPrebuiltMirror();
      await mkdir(scratch);
      assertSucceeded(await run('npm', ['init', '-y'], scratch, 30_000), 'npm init');
      const manifest = JSON.parse(await readFile(join(scratch, 'package.json'), 'utf8')) as Record<string, unknown>;
      const pinned = { allowScripts: { 'better-sqlite3': true }, overrides: { 'better-sqlite3': mirror.version } };
      await writeFile(join(scratch, 'package.json'), JSON.stringify({ ...manifest, ...pinned }, null, 2));
      const install = await run(
        'npm',
        ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--strict-allow-scripts'],
        scratch,
        INSTALL_TIMEOUT_MS,
        true,
        { npm_config_better_sqlite3_binary_host: mirror.url },
      );
      assertSucceeded(install, 'npm install of the tarball');
      assert.ok(mirror.fetched.length > 0, `better-sqlite3 did not fetch its prebuild from the mirror:\n${install.output.slice(-3000)}`);
      timings = `npm pack (with the build) ${(pack.ms / 1000).toFixed(1)} s; npm install of the tarball ${(install.ms / 1000).toFixed(1)} s`;
    },
    { timeout: PACK_TIMEOUT_MS + INSTALL_TIMEOUT_MS + 60_000 },
  );

  test('the tarball holds the built server, the web client and the docs, and no sources or tests', (t) => {
    t.diagnostic(timings);
    const files = new Set(tarballEntries.map((entry) => entry.replace(/^package\//, '')));
    for (const required of [
      'package.json',
      'README.md',
      'bin/parlor.js',
      'dist/cli/main.js',
      'dist/server/server.js',
      'dist/clients/terminal/run-ui.js',
      'dist/web/index.html',
      'docs/parlor.example.yaml',
      'docs/parlor.service',
    ]) {
      assert.ok(files.has(required), `${required} is missing from the tarball`);
    }
    const unwanted = [...files].filter((f) => /^(src|test|bench|web|scratch|data|node_modules)\//.test(f) || /\.(ts|tsx|map)$/.test(f));
    assert.deepEqual(unwanted, []);
    assert.ok(tarballBytes < 1_000_000, `the tarball is ${tarballBytes} bytes`);
  });

  test('the installed package runs without tsx or the dev dependencies', async () => {
    const manifest = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    assert.equal(manifest.dependencies['tsx'], undefined, 'tsx is only for a checkout');
    // Every relative import of the compiled code names a file that is there (.js, not .ts).
    const files = await listFiles(join(installed, 'dist'));
    const missing: string[] = [];
    for (const file of files.filter((f) => f.endsWith('.js') && !f.startsWith('web'))) {
      const code = await readFile(join(installed, 'dist', file), 'utf8');
      for (const m of code.matchAll(/(?:from |import\()\s*["'](\.{1,2}\/[^"']+)["']/g)) {
        const target = resolve(dirname(join(installed, 'dist', file)), m[1]!);
        if (!files.includes(relative(join(installed, 'dist'), target))) missing.push(`${file} → ${m[1]}`);
      }
    }
    assert.deepEqual(missing, []);
    // And every module loads, the terminal UI's (ink, react) too; main.js would run the CLI, and a
    // thread's entry (*-worker.js) refuses to run outside its thread: `parlor serve` below starts
    // the SQLite writer thread and waits for it before it listens, which loads that one.
    const loadAll = [
      "import { readdirSync } from 'node:fs';",
      "import { join } from 'node:path';",
      "import { pathToFileURL } from 'node:url';",
      `const root = ${JSON.stringify(join(installed, 'dist'))};`,
      "const files = readdirSync(root, { recursive: true }).filter((f) => f.endsWith('.js') && !f.startsWith('web') && f !== join('cli', 'main.js') && !f.endsWith('-worker.js'));",
      'for (const f of files) await import(pathToFileURL(join(root, f)).href);',
      "console.log('loaded ' + files.length);",
    ].join('\n');
    const loaded = await run(process.execPath, ['--input-type=module', '-e', loadAll], scratch, 30_000);
    assertSucceeded(loaded, 'loading every module');
    assert.match(loaded.output, /^loaded \d+$/m);
  });

  test('parlor --version and parlor serve --help', async () => {
    const { version } = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8')) as { version: string };
    const shown = await run(parlorBin, ['--version'], scratch, 30_000);
    assertSucceeded(shown, 'parlor --version');
    assert.equal(shown.output.trim(), version);
    const help = await run(parlorBin, ['serve', '--help'], scratch, 30_000);
    assertSucceeded(help, 'parlor serve --help');
    assert.match(help.output, /Usage: parlor serve/);
    assert.match(help.output, /--config <file>/);
  });

  test('parlor serve: IRC registration, the web client and /health, a clean exit on SIGTERM', async () => {
    const dataDir = join(work, 'data');
    const child = spawn(parlorBin, ['serve', '--port', '0', '--web-port', '0', '--data-dir', dataDir, '--no-console'], {
      cwd: work,
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout = new OutputWatcher();
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => stdout.feed(c));
    child.stdout.on('end', () => stdout.end());
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const exited = new Promise<number | string | null>((done) => child.once('exit', (code, signal) => done(code ?? signal)));
    let client: RawClient | undefined;
    try {
      const early = exited.then((code) => {
        throw new Error(`parlor exited (${String(code)}) before listening:\n${stderr}`);
      });
      early.catch(() => {});
      const listening = await Promise.race([stdout.waitFor(/^parlor listening on (\S+):(\d+)$/m, 20_000), early]);
      const web = await Promise.race([stdout.waitFor(/^parlor web on (http:\/\/\S+)$/m), early]);

      client = await RawClient.connect(Number(listening[2]), listening[1]);
      client.send('NICK packaged', 'USER packaged 0 * :Packaged Parlor');
      const welcome = await client.waitFor('001');
      assert.equal(welcome.msg.params[0], 'packaged');

      const origin = web[1]!;
      const page = await fetch(`${origin}/`, { signal: AbortSignal.timeout(5000) });
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.equal(html, await readFile(join(installed, 'dist', 'web', 'index.html'), 'utf8'), 'the built web client');
      const script = /src="\.?\/?(assets\/[^"]+\.js)"/.exec(html);
      assert.ok(script, html);
      const bundle = await fetch(`${origin}/${script[1]}`, { signal: AbortSignal.timeout(5000) });
      assert.equal(bundle.status, 200);
      assert.match(bundle.headers.get('content-type') ?? '', /javascript/);
      await bundle.arrayBuffer();

      const health = await fetch(`${origin}/health`, { signal: AbortSignal.timeout(5000) });
      assert.equal(health.status, 200);
      const body = (await health.json()) as { status: string; connections: number };
      assert.equal(body.status, 'ok');
      assert.equal(body.connections, 1);

      child.kill('SIGTERM');
      const goodbye = await client.waitFor('ERROR', 10_000);
      assert.match(goodbye.raw, /shutting down/i);
      await client.waitClose(10_000);
      assert.equal(await within(exited, 15_000, 'parlor to exit after SIGTERM'), 0, stderr);
      // better-sqlite3's native addon was loaded: the database is there.
      assert.ok((await stat(join(dataDir, 'parlor.db'))).size > 0);
    } finally {
      client?.close();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await within(exited, 5000, 'parlor to exit');
    }
  });
});
