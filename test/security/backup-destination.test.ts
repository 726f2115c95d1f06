// Security review of issue 15 (`parlor backup`): the destination may not be the live
// database's write-ahead log or shared-memory file. Renamed over the -wal of a running server
// (with --force), the copy took the log's name: the server's last writes, not yet in the
// database, went with the old file when it closed.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from '../../src/storage/sqlite-driver.js';
import { backup } from '../../src/cli/backup.ts';

const dir = mkdtempSync(join(tmpdir(), 'parlor-backup-dest-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('the live database\'s -wal and -shm, by name or through a link, are refused even with --force', async () => {
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  // A "server": the database open in WAL mode, with writes still in its log.
  const live = new Database(join(dataDir, 'parlor.db'));
  try {
    live.pragma('journal_mode = WAL');
    live.pragma('wal_autocheckpoint = 0');
    live.exec('CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES (\'kept\')');
    const walBefore = readFileSync(join(dataDir, 'parlor.db-wal'));
    symlinkSync(join(dataDir, 'parlor.db-wal'), join(dir, 'link-to-wal'));
    const targets = [join(dataDir, 'parlor.db-wal'), join(dataDir, 'parlor.db-shm'), join(dir, 'data', '..', 'data', 'parlor.db-journal'), join(dir, 'link-to-wal')];
    for (const target of targets) {
      await assert.rejects(backup(target, { dataDir, force: true }), /is the database itself or one of its files/, target);
    }
    assert.deepEqual(readFileSync(join(dataDir, 'parlor.db-wal')), walBefore);
  } finally {
    live.close();
  }
  const reopened = new Database(join(dataDir, 'parlor.db'), { readonly: true });
  try {
    assert.deepEqual(reopened.prepare('SELECT text FROM notes').pluck().all(), ['kept']);
  } finally {
    reopened.close();
  }
});
