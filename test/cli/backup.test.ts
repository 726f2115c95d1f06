// `parlor backup <file>` (issue 15 item 16): SQLite's online backup of the data directory's
// database, taken while a server runs on it; the copy opens and holds the accounts and bans.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Database from '../../src/storage/sqlite-driver.js';
import { runParlor, startParlor, type ParlorProcess } from '../helpers/cli.ts';

const scratchDirs: string[] = [];
const processes: ParlorProcess[] = [];
after(async () => {
  await Promise.all(processes.map((p) => p.stop()));
  await Promise.all(scratchDirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function scratch(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'parlor-backup-'));
  scratchDirs.push(dir);
  return dir;
}

describe('parlor backup', () => {
  test('while the server runs: the copy opens, passes its check, holds the account and the ban, and is 0600', async () => {
    const dir = await scratch();
    const server = await startParlor(dir, ['--data-dir', join(dir, 'data')]);
    processes.push(server);
    const alice = await server.register('alice');
    alice.send('REGISTER * * correct-horse-battery');
    await alice.waitFor((r) => r.msg.command === 'REGISTER' && r.msg.params[0] === 'SUCCESS');
    await server.command('ban spammer 2h spam', /^banned spammer!\*@\* for 2h/m);
    // The server keeps talking meanwhile (within the flood burst): the backup does not stop it.
    alice.send('JOIN #busy');
    for (let i = 0; i < 10; i++) alice.send(`PRIVMSG #busy :line ${i}`);

    const r = await runParlor(dir, ['backup', 'copy.db', '--data-dir', join(dir, 'data')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^parlor: backed up \S+\/data\/parlor\.db to copy\.db \(\d+ KiB\)$/m);
    assert.equal(statSync(join(dir, 'copy.db')).mode & 0o777, 0o600);
    // Nothing else is left beside it (no partial file, no -wal/-shm of the copy).
    assert.deepEqual(readdirSync(dir).filter((f) => f !== 'data').sort(), ['copy.db']);

    const copy = new Database(join(dir, 'copy.db'), { readonly: true, fileMustExist: true });
    try {
      assert.equal(copy.pragma('quick_check', { simple: true }), 'ok');
      assert.deepEqual(copy.prepare('SELECT name FROM accounts').pluck().all(), ['alice']);
      assert.deepEqual(copy.prepare('SELECT mask FROM server_bans').pluck().all(), ['spammer!*@*']);
    } finally {
      copy.close();
    }

    // The server is unharmed.
    alice.send('PING :still');
    await alice.waitFor((x) => x.msg.command === 'PONG');
  });

  test('refusals: an existing file without --force, no database, a memory store; each exit 2 with one line', async () => {
    const dir = await scratch();
    await writeFile(join(dir, 'taken.db'), 'something');
    const none = await runParlor(dir, ['backup', 'out.db', '--data-dir', join(dir, 'nothing-here')]);
    assert.equal(none.code, 2);
    assert.equal(none.stderr, `parlor: no database at ${join(dir, 'nothing-here', 'parlor.db')} (give --data-dir or --config)\n`);
    assert.ok(!existsSync(join(dir, 'nothing-here')), 'no data directory is made by looking');

    const server = await startParlor(dir, ['--data-dir', join(dir, 'data'), '--no-console']);
    processes.push(server);
    const exists = await runParlor(dir, ['backup', 'taken.db', '--data-dir', 'data']);
    assert.equal(exists.code, 2);
    assert.equal(exists.stderr, 'parlor: taken.db exists already (--force replaces it)\n');
    const forced = await runParlor(dir, ['backup', 'taken.db', '--data-dir', 'data', '--force']);
    assert.equal(forced.code, 0, forced.stderr);

    const itself = await runParlor(dir, ['backup', 'data/parlor.db', '--data-dir', 'data', '--force']);
    assert.equal(itself.code, 2);
    assert.match(itself.stderr, /is the database itself/);

    await writeFile(join(dir, 'memory.yaml'), 'storage:\n  backend: memory\n');
    const memory = await runParlor(dir, ['backup', 'm.db', '--config', 'memory.yaml']);
    assert.equal(memory.code, 2);
    assert.match(memory.stderr, /memory: there is nothing on disk/);
  });
});
