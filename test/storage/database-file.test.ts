// What SqliteStore checks about parlor.db when it opens it: an empty or orphaned file is refused
// (never silently replaced by an empty database), a damaged one is refused with what
// `PRAGMA quick_check` says, and a new one appears whole and private (0600).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from '../../src/storage/sqlite-driver.js';
import { DatabaseOpenError } from '../../src/storage/sqlite-db.ts';
import { SqliteStore } from '../../src/storage/sqlite-store.ts';

let root = '';
let dirs = 0;
/** A new directory for one database. */
const freshDir = (): string => join(root, `d${++dirs}`);

before(() => {
  root = mkdtempSync(join(tmpdir(), 'parlor-dbfile-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

function refusal(open: () => unknown): DatabaseOpenError {
  try {
    open();
  } catch (err) {
    assert.ok(err instanceof DatabaseOpenError, String(err));
    return err;
  }
  assert.fail('the database was opened');
}

/** A closed database with enough history to span many pages. */
async function databaseWithHistory(path: string): Promise<void> {
  const store = new SqliteStore({ path });
  for (let n = 0; n < 3000; n++) store.appendMessage({ msgid: `m${n}`, target: '#room', time: 1_700_000_000_000 + n, source: 'a!a@h', command: 'PRIVMSG', text: `line ${n}` });
  await store.close();
}

/** Overwrites `length` bytes at `offset` within the fourth leaf page of the message table. */
function garbleMessagePage(path: string, offset: number, length: number): void {
  const db = new Database(path, { readonly: true });
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const page = db.prepare("SELECT pageno FROM dbstat WHERE name = 'messages' AND pagetype = 'leaf' ORDER BY pageno LIMIT 1 OFFSET 3").pluck().get() as number;
  db.close();
  const fd = openSync(path, 'r+');
  writeSync(fd, Buffer.alloc(length, 0x5a), 0, length, (page - 1) * pageSize + offset);
  closeSync(fd);
}

describe('the database file', () => {
  test('a new database appears whole, 0600, with nothing left beside it', async () => {
    const dir = freshDir();
    const path = join(dir, 'parlor.db');
    const store = new SqliteStore({ path });
    assert.ok(statSync(path).size > 0, 'never an empty file, even before the first write');
    assert.equal(statSync(path).mode & 0o777, 0o600);
    await store.close();
    assert.deepEqual(readdirSync(dir), ['parlor.db']);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
  });

  test('a zero-length file is refused and left as it is', () => {
    const dir = freshDir();
    mkdirSync(dir);
    const path = join(dir, 'parlor.db');
    writeFileSync(path, '');
    const err = refusal(() => new SqliteStore({ path }));
    assert.equal(err.code, 'empty-file');
    assert.match(err.message, /the file is empty \(0 bytes\).*restore it from a backup, or delete it/);
    assert.equal(statSync(path).size, 0);
  });

  test('a write-ahead log without its database is refused', () => {
    const dir = freshDir();
    mkdirSync(dir);
    const path = join(dir, 'parlor.db');
    writeFileSync(`${path}-wal`, Buffer.alloc(100, 7));
    const err = refusal(() => new SqliteStore({ path }));
    assert.equal(err.code, 'wal-without-database');
    assert.match(err.message, /write-ahead log .*parlor\.db-wal \(100 bytes\) is there/);
    assert.equal(existsSync(path), false);
  });

  test('damaged cells are refused with the words of quick_check; quickCheck: false opens the file', async () => {
    const path = join(freshDir(), 'parlor.db');
    await databaseWithHistory(path);
    garbleMessagePage(path, 8, 1024);
    const err = refusal(() => new SqliteStore({ path }));
    assert.equal(err.code, 'damaged');
    assert.match(err.message, /the file is damaged; PRAGMA quick_check says:\n {2}\*\*\* in database main \*\*\*\n {2}Tree \d+ page \d+ cell \d+: /);
    assert.ok(err.message.split('\n').length <= 12, 'at most ten lines of quick_check');
    await new SqliteStore({ path, quickCheck: false }).close();
  });

  test('a page of garbage, which quick_check cannot even read, is refused too', async () => {
    const path = join(freshDir(), 'parlor.db');
    await databaseWithHistory(path);
    garbleMessagePage(path, 0, 4096);
    const err = refusal(() => new SqliteStore({ path }));
    assert.equal(err.code, 'damaged');
    assert.match(err.message, /the file is damaged; PRAGMA quick_check failed: database disk image is malformed/);
  });
});
