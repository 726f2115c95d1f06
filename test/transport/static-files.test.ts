// The web port's static files over raw HTTP: the build's precompressed Brotli and gzip siblings
// sent to browsers that accept them (and decompressing to the file itself), identity otherwise,
// ETag revalidation with 304, year-long caching only for hashed /assets/, no way out of the
// directory, no listing, no dotfiles, the favicon, and a rebuild picked up while running.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { SecureListener } from '../../src/transport/connection.ts';
import { SECURITY_HEADERS } from '../../src/transport/http-guard.ts';
import { listenHttp } from '../../src/transport/http.ts';
import { IMMUTABLE_CACHE, NOT_BUILT_MESSAGE, REVALIDATE_CACHE } from '../../src/transport/static-files.ts';
import { precompressDirectory } from '../../web/precompress.ts';

const STATIC = mkdtempSync(join(tmpdir(), 'parlor-static-'));
const SCRIPT = Buffer.from(`// 你好 👋\n${Array.from({ length: 400 }, (_, i) => `export const line${i} = 'chat line ${i}';`).join('\n')}\n`);
const INDEX = '<!doctype html><title>Parlor</title><link rel="icon" href="./favicon.svg">';
const FAVICON = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><circle cx="16" cy="16" r="8"/></svg>';

const listeners: SecureListener[] = [];
let port = 0;

async function listen(staticDir: string | undefined): Promise<number> {
  const listener = await listenHttp(
    {
      host: '127.0.0.1',
      port: 0,
      limits: { maxLineBytes: 8_192, sendQueueBytes: 1 << 20, closeTimeoutMs: 1_000 },
      web: {
        ircPaths: ['/irc'],
        maxConnections: 100,
        headersTimeoutMs: 5_000,
        requestTimeoutMs: 10_000,
        keepAliveTimeoutMs: 1_000,
        idleTimeoutMs: 10_000,
        maxHeaderBytes: 16_384,
        maxBodyBytes: 16_384,
      },
      staticDir,
      allowedOrigins: [],
      health: () => ({ status: 'ok' }),
    },
    (conn) => conn.close('not in this test'),
  );
  listeners.push(listener);
  return listener.port;
}

before(async () => {
  mkdirSync(join(STATIC, 'assets'));
  writeFileSync(join(STATIC, 'index.html'), INDEX);
  writeFileSync(join(STATIC, 'assets', 'app-Dx81ab.js'), SCRIPT);
  writeFileSync(join(STATIC, 'favicon.svg'), FAVICON);
  writeFileSync(join(STATIC, '.env'), 'SECRET=1\n');
  writeFileSync(join(tmpdir(), 'parlor-static-outside.txt'), 'outside\n');
  await precompressDirectory(STATIC);
  port = await listen(STATIC);
});

after(async () => {
  for (const listener of listeners) await listener.close();
  rmSync(STATIC, { recursive: true, force: true });
});

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** One request, its path sent exactly as given; the body is returned as received (not decoded). */
function request(path: string, headers: Record<string, string> = {}, method = 'GET', toPort = port): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: toPort, path, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const SCRIPT_PATH = '/assets/app-Dx81ab.js';

test('the build step writes Brotli and gzip siblings for files over 1 KB only', () => {
  assert.deepEqual(readdirSync(join(STATIC, 'assets')).sort(), ['app-Dx81ab.js', 'app-Dx81ab.js.br', 'app-Dx81ab.js.gz']);
  assert.ok(!existsSync(join(STATIC, 'index.html.br')), 'index.html is under 1 KB');
});

test('Accept-Encoding br gets the Brotli sibling, which decompresses to the same bytes', async () => {
  const answer = await request(SCRIPT_PATH, { 'Accept-Encoding': 'gzip, deflate, br' });
  assert.equal(answer.status, 200);
  assert.equal(answer.headers['content-encoding'], 'br');
  assert.equal(answer.headers['content-type'], 'text/javascript; charset=utf-8');
  assert.equal(answer.headers.vary, 'Accept-Encoding');
  assert.equal(Number(answer.headers['content-length']), answer.body.length);
  assert.ok(answer.body.length < SCRIPT.length / 2, `${answer.body.length} bytes`);
  assert.deepEqual(brotliDecompressSync(answer.body), SCRIPT);
});

test('Accept-Encoding gzip gets the gzip sibling, which decompresses to the same bytes', async () => {
  const answer = await request(SCRIPT_PATH, { 'Accept-Encoding': 'gzip' });
  assert.equal(answer.status, 200);
  assert.equal(answer.headers['content-encoding'], 'gzip');
  assert.equal(answer.headers['content-type'], 'text/javascript; charset=utf-8');
  assert.deepEqual(gunzipSync(answer.body), SCRIPT);
});

test('without Accept-Encoding the file itself is sent', async () => {
  const answer = await request(SCRIPT_PATH);
  assert.equal(answer.status, 200);
  assert.equal(answer.headers['content-encoding'], undefined);
  assert.equal(Number(answer.headers['content-length']), SCRIPT.length);
  assert.deepEqual(answer.body, SCRIPT);
});

test('an ETag revalidates: If-None-Match gets 304 with no body, a stale or other encoding 200', async () => {
  const first = await request(SCRIPT_PATH, { 'Accept-Encoding': 'br' });
  const etag = first.headers.etag;
  assert.ok(etag, 'an ETag');
  const again = await request(SCRIPT_PATH, { 'Accept-Encoding': 'br', 'If-None-Match': etag });
  assert.equal(again.status, 304);
  assert.equal(again.body.length, 0);
  assert.equal(again.headers['cache-control'], IMMUTABLE_CACHE);
  assert.equal(again.headers['content-security-policy'], SECURITY_HEADERS['Content-Security-Policy']);
  // Each encoding is its own representation with its own tag.
  const identity = await request(SCRIPT_PATH, { 'If-None-Match': etag });
  assert.equal(identity.status, 200);
  assert.notEqual(identity.headers.etag, etag);
  assert.equal((await request(SCRIPT_PATH, { 'Accept-Encoding': 'br', 'If-None-Match': 'W/"1-1"' })).status, 200);
  // The page itself too.
  const page = await request('/');
  assert.ok(page.headers.etag);
  assert.equal((await request('/', { 'If-None-Match': page.headers.etag })).status, 304);
});

test('hashed /assets/ are cached for a year, the page and the favicon revalidated, a 404 not cached', async () => {
  assert.equal((await request(SCRIPT_PATH)).headers['cache-control'], IMMUTABLE_CACHE);
  for (const path of ['/', '/index.html', '/favicon.svg']) {
    const answer = await request(path);
    assert.equal(answer.status, 200, path);
    assert.equal(answer.headers['cache-control'], REVALIDATE_CACHE, path);
  }
  const missing = await request('/assets/app-gone.js');
  assert.equal(missing.status, 404);
  assert.equal(missing.headers['cache-control'], undefined);
  assert.equal(missing.headers.vary, undefined);
  assert.equal(missing.headers['content-security-policy'], SECURITY_HEADERS['Content-Security-Policy']);
});

test('the page is text/html and keeps every security header', async () => {
  const page = await request('/', { 'Accept-Encoding': 'br, gzip' });
  assert.equal(page.status, 200);
  assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
  assert.equal(page.body.toString(), INDEX);
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) assert.equal(page.headers[name.toLowerCase()], value, name);
});

test('no way out of the directory, no listing, no dotfiles', async () => {
  for (const path of ['/..%2f..%2fetc%2fpasswd', '/..%2fparlor-static-outside.txt', '/assets/%2e%2e/%2e%2e/etc/passwd', '/a%00b', '/index.html%00.js', '/%2e%2e%5c%2e%2e%5cwin.ini', '/%']) {
    assert.equal((await request(path)).status, 400, path);
  }
  for (const path of ['/assets/', '/assets', '/.env', '/%2eenv', '/assets/app-Dx81ab.js.br', '/assets/app-Dx81ab.js.gz', '/assets/app-Dx81ab.js.br/', '/index.html/', '/favicon.ico/', '//etc/passwd', '/etc/passwd']) {
    const answer = await request(path);
    assert.equal(answer.status, 404, path);
    assert.equal(answer.body.toString(), 'Not found\n', path);
  }
});

test('the favicon is an SVG, also at /favicon.ico, which the build does not have', async () => {
  const svg = await request('/favicon.svg');
  assert.equal(svg.status, 200);
  assert.equal(svg.headers['content-type'], 'image/svg+xml');
  assert.equal(svg.body.toString(), FAVICON);
  const ico = await request('/favicon.ico');
  assert.equal(ico.status, 200);
  assert.equal(ico.headers['content-type'], 'image/svg+xml');
  assert.equal(ico.body.toString(), FAVICON);
});

test('HEAD answers the headers without a body; a Range header gets the whole file', async () => {
  const head = await request(SCRIPT_PATH, {}, 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(Number(head.headers['content-length']), SCRIPT.length);
  assert.equal(head.body.length, 0);
  for (const range of ['bytes=0-9', 'bytes=50-10', 'bytes=999999-', 'bytes=x-y']) {
    const answer = await request(SCRIPT_PATH, { Range: range });
    assert.equal(answer.status, 200, range);
    assert.deepEqual(answer.body, SCRIPT, range);
  }
  assert.equal((await request('/health')).status, 200);
});

test('a rebuild while running is served, a missing build gets the hint', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parlor-static-rebuild-'));
  const missing = join(dir, 'web');
  const rebuiltPort = await listen(missing);
  const before = await request('/', {}, 'GET', rebuiltPort);
  assert.equal(before.status, 404);
  assert.equal(before.body.toString(), NOT_BUILT_MESSAGE);
  mkdirSync(missing);
  writeFileSync(join(missing, 'index.html'), '<!doctype html><title>first build</title>');
  assert.match((await request('/', {}, 'GET', rebuiltPort)).body.toString(), /first build/);
  // A new build: new content of another length, new hashed names.
  writeFileSync(join(missing, 'index.html'), '<!doctype html><title>the second build</title>');
  mkdirSync(join(missing, 'assets'));
  writeFileSync(join(missing, 'assets', 'app-new.js'), 'export {};\n');
  const rebuilt = await request('/', {}, 'GET', rebuiltPort);
  assert.equal(rebuilt.body.toString(), '<!doctype html><title>the second build</title>');
  assert.equal(Number(rebuilt.headers['content-length']), rebuilt.body.length);
  assert.equal((await request('/assets/app-new.js', {}, 'GET', rebuiltPort)).status, 200);
  // Compressed siblings written last, inside assets/, are picked up too.
  writeFileSync(join(missing, 'assets', 'app-new.js'), SCRIPT);
  await precompressDirectory(missing);
  const compressed = await request('/assets/app-new.js', { 'Accept-Encoding': 'br' }, 'GET', rebuiltPort);
  assert.equal(compressed.headers['content-encoding'], 'br');
  assert.deepEqual(brotliDecompressSync(compressed.body), SCRIPT);
  rmSync(dir, { recursive: true, force: true });
  assert.equal((await request('/', {}, 'GET', rebuiltPort)).body.toString(), NOT_BUILT_MESSAGE);
  const unset = await request('/', {}, 'GET', await listen(undefined));
  assert.equal(unset.status, 404);
  assert.equal(unset.body.toString(), NOT_BUILT_MESSAGE);
});

test('a file removed after the scan cuts that answer, not the server; the next request scans again', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parlor-static-removed-'));
  writeFileSync(join(dir, 'index.html'), INDEX);
  mkdirSync(join(dir, 'fonts'));
  writeFileSync(join(dir, 'fonts', 'app-old.js'), SCRIPT);
  const removedPort = await listen(dir);
  assert.equal((await request('/fonts/app-old.js', {}, 'GET', removedPort)).status, 200);
  // Neither the directory, assets/ nor index.html changes: the scan still lists the file.
  rmSync(join(dir, 'fonts', 'app-old.js'));
  await assert.rejects(request('/fonts/app-old.js', {}, 'GET', removedPort), /socket hang up|ECONNRESET/);
  assert.equal((await request('/fonts/app-old.js', {}, 'GET', removedPort)).status, 404);
  assert.equal((await request('/', {}, 'GET', removedPort)).status, 200);
  rmSync(dir, { recursive: true, force: true });
});

test('the real build has compressed siblings, the favicon, and links it', { skip: !existsSync(new URL('../../dist/web/index.html', import.meta.url)) && 'the web client is not built' }, () => {
  const built = new URL('../../dist/web/', import.meta.url);
  const index = readFileSync(new URL('index.html', built), 'utf8');
  assert.match(index, /<link rel="icon" href="\.\/favicon\.svg" type="image\/svg\+xml" \/>/);
  assert.match(readFileSync(new URL('favicon.svg', built), 'utf8'), /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  const assets = readdirSync(new URL('assets/', built));
  const scripts = assets.filter((name) => name.endsWith('.js'));
  assert.ok(scripts.length > 0);
  for (const script of scripts) {
    assert.ok(assets.includes(`${script}.br`) && assets.includes(`${script}.gz`), script);
  }
});
