// A port that cannot be listened on (issue 15 item 7): one plain line and exit status 2 (which
// systemd does not restart on) instead of a stack trace and exit 1, and the database closed
// cleanly, so no parlor.db-wal / -shm files are left behind.
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeListenError } from '../../src/cli/listen-error.ts';
import { parseConfig } from '../../src/server/config.ts';
import { runParlor } from '../helpers/cli.ts';

const scratchDirs: string[] = [];
const holders: net.Server[] = [];
after(async () => {
  await Promise.all(holders.map((h) => new Promise((resolve) => h.close(resolve))));
  await Promise.all(scratchDirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function scratch(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'parlor-listen-'));
  scratchDirs.push(dir);
  return dir;
}

/** A port some other program holds on 127.0.0.1. */
async function heldPort(): Promise<number> {
  const holder = net.createServer();
  holders.push(holder);
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  return (holder.address() as net.AddressInfo).port;
}

async function serve(dir: string, args: string[]) {
  return runParlor(dir, ['serve', '--data-dir', join(dir, 'data'), '--no-console', '--log-level', 'silent', ...args]);
}

/** The database was opened and then closed cleanly: the file is there, its -wal and -shm are not. */
function assertClosedCleanly(dir: string): void {
  const files = readdirSync(join(dir, 'data'));
  assert.ok(files.includes('parlor.db'), files.join(', '));
  assert.deepEqual(files.filter((f) => f.endsWith('-wal') || f.endsWith('-shm')), []);
}

describe('parlor serve on a port it cannot have', () => {
  test('the chat port in use: one line, exit 2, no -wal/-shm left', async () => {
    const dir = await scratch();
    const port = await heldPort();
    const r = await serve(dir, ['--port', String(port), '--web-port', '0']);
    assert.equal(r.stderr, `parlor: port ${port} on 127.0.0.1 is already in use (another parlor?)\n`);
    assert.equal(r.code, 2);
    assert.doesNotMatch(r.stdout, /listening/);
    assertClosedCleanly(dir);
  });

  test('the web port in use: named as the web port, after the chat port opened (and is closed again)', async () => {
    const dir = await scratch();
    const port = await heldPort();
    const r = await serve(dir, ['--port', '0', '--web-port', String(port)]);
    assert.equal(r.stderr, `parlor: web port ${port} on 127.0.0.1 is already in use (another parlor?)\n`);
    assert.equal(r.code, 2);
    assertClosedCleanly(dir);
    // The server is gone: the data directory's lock with it, so a second start works.
    const again = await serve(dir, ['--port', String(port), '--web-port', '0']);
    assert.equal(again.code, 2, 'still in use, and refused the same way rather than for the lock');
    assert.match(again.stderr, /already in use/);
  });

  test('an address this machine does not have: EADDRNOTAVAIL, exit 2', async () => {
    const dir = await scratch();
    // 192.0.2.0/24 is TEST-NET-1: never an address of this machine.
    const r = await serve(dir, ['--host', '192.0.2.1', '--port', '0', '--web-port', '0']);
    assert.equal(r.stderr, 'parlor: port 0 on 192.0.2.1: address not available (192.0.2.1 is not an address of this machine)\n');
    assert.equal(r.code, 2);
    assert.ok(!existsSync(join(dir, 'data', 'parlor.db-wal')));
  });

  test('permission denied (EACCES) and other codes are described, or left alone', () => {
    const config = parseConfig({ server: { port: 80 }, web: { port: 8080 } });
    const failure = (code: string, port: number): Error => Object.assign(new Error(`listen ${code}`), { code, syscall: 'listen', address: '0.0.0.0', port });
    assert.equal(describeListenError(failure('EACCES', 80), config), 'port 80 on 0.0.0.0: permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)');
    assert.equal(describeListenError(failure('EADDRINUSE', 8080), config), 'web port 8080 on 0.0.0.0 is already in use (another parlor?)');
    assert.equal(describeListenError(failure('EMFILE', 80), config), undefined);
    assert.equal(describeListenError(new Error('boom'), config), undefined);
  });
});
