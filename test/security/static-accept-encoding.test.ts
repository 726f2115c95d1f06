// Security review of issue 15 (static files through sirv): Accept-Encoding is read as RFC 9110
// says. sirv looked for the substrings "br" and "gzip", so a client (or a proxy in between)
// that said `br;q=0` ("anything but Brotli"), or named a coding such as `zebra`, was sent
// Brotli it cannot read.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acceptedCompression } from '../../src/transport/accept-encoding.ts';
import type { SecureListener } from '../../src/transport/connection.ts';
import { listenHttp } from '../../src/transport/http.ts';
import { precompressDirectory } from '../../web/precompress.ts';

const STATIC = mkdtempSync(join(tmpdir(), 'parlor-accept-encoding-'));
const SCRIPT_PATH = '/assets/app-Q1w2e3.js';
let listener: SecureListener;

before(async () => {
  mkdirSync(join(STATIC, 'assets'));
  writeFileSync(join(STATIC, 'index.html'), '<!doctype html><title>Parlor</title>');
  writeFileSync(join(STATIC, SCRIPT_PATH), Array.from({ length: 400 }, (_, i) => `export const line${i} = ${i};`).join('\n'));
  await precompressDirectory(STATIC);
  listener = await listenHttp(
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
      staticDir: STATIC,
      allowedOrigins: [],
      health: () => ({ status: 'ok' }),
    },
    (conn) => conn.close('not in this test'),
  );
});

after(async () => {
  await listener.close();
  rmSync(STATIC, { recursive: true, force: true });
});

/** The Content-Encoding the script is sent with for this Accept-Encoding ('' for none). */
function encodingFor(acceptEncoding: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: listener.port, path: SCRIPT_PATH, headers: { 'Accept-Encoding': acceptEncoding }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(String(res.headers['content-encoding'] ?? '')));
    });
    req.on('error', reject);
    req.end();
  });
}

test('a coding refused with q=0 is never sent', async () => {
  assert.equal(await encodingFor('br;q=0, gzip'), 'gzip');
  assert.equal(await encodingFor('gzip;q=0, br;q=0'), '');
  assert.equal(await encodingFor('br; q=0.000, gzip;q=0'), '');
});

test('only real coding names count: no Brotli for "zebra", case and x-gzip as RFC 9110 says', async () => {
  assert.equal(await encodingFor('zebra'), '');
  assert.equal(await encodingFor('BR'), 'br');
  assert.equal(await encodingFor('x-gzip'), 'gzip');
  assert.equal(await encodingFor('gzip, deflate, br, zstd'), 'br');
});

test('acceptedCompression keeps the accepted codings under their names', () => {
  assert.equal(acceptedCompression(undefined), '');
  assert.equal(acceptedCompression('gzip;q=0.5, br;q=1'), 'br, gzip');
  assert.equal(acceptedCompression(['br;q=0', 'gzip']), 'gzip');
  assert.equal(acceptedCompression('gzip, gzip;q=0'), '');
  assert.equal(acceptedCompression('*'), '');
  assert.equal(acceptedCompression('br;q=junk'), 'br');
});
