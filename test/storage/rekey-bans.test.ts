// Bans saved before the Unicode fold keep their old mask_key; the SQL stores move them to the
// current key when they open, so deleteBan finds them and saving again replaces, not duplicates.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from '../../src/storage/sqlite-driver.js';
import pg from 'pg';
import { PostgresStore } from '../../src/storage/postgres-store.ts';
import { banKey } from '../../src/storage/records.ts';
import { planBanRekey, type ServerBanRow } from '../../src/storage/rekey-bans.ts';
import { SqliteStore } from '../../src/storage/sqlite-store.ts';
import type { Store, StoredBan } from '../../src/storage/store.ts';
import { sharedPostgres } from '../helpers/postgres.ts';

const T = 1_700_000_000_000;
const MASK = '*!*@*.ÄRGER';
/** What banKey gave before nicks were Unicode: the ASCII fold only. */
const OLD_KEY = '*!*@*.Ärger';

function row(overrides: Partial<ServerBanRow>): ServerBanRow {
  return { list: 'ban', mask_key: OLD_KEY, mask: MASK, kind: 'mask', reason: 'old', set_by: 'oper', set_at: T, expires_at: null, ...overrides };
}

const INSERT = 'INSERT INTO server_bans (list, mask_key, mask, kind, reason, set_by, set_at, expires_at) VALUES';
const values = (r: ServerBanRow): unknown[] => [r.list, r.mask_key, r.mask, r.kind, r.reason, r.set_by, r.set_at, r.expires_at];

/** An old-keyed ban, a newer one saved since under the new key, and an ASCII ban left alone. */
const OLD_ROWS = [
  row({ reason: 'newest', set_at: T + 2000 }),
  row({ mask: '*!*@*.äRGER', mask_key: banKey('*!*@*.äRGER'), reason: 'older', set_at: T + 1000 }),
  row({ list: 'mute', reason: 'muted before', expires_at: T + 99_000 }),
  row({ mask: '*!*@EVIL.example', mask_key: '*!*@evil.example', reason: 'ascii' }),
];

async function checkRekeyed(open: () => Promise<Store>): Promise<void> {
  const store = await open();
  const bans = await store.listBans();
  assert.deepEqual(
    bans.map((b) => [b.list, b.mask, b.reason]),
    [
      ['ban', '*!*@EVIL.example', 'ascii'],
      ['mute', MASK, 'muted before'],
      ['ban', MASK, 'newest'],
    ],
  );
  // Saving the mask again replaces the one row; deleting it by any spelling removes it for good.
  const again: StoredBan = { list: 'ban', kind: 'mask', mask: MASK, reason: 'again', setBy: 'oper', setAt: T + 3000 };
  await store.saveBan(again);
  assert.equal((await store.listBans()).filter((b) => b.list === 'ban' && banKey(b.mask) === banKey(MASK)).length, 1);
  await store.deleteBan('ban', '*!*@*.ärger');
  await store.deleteBan('mute', MASK);
  await store.close();
  const reopened = await open();
  assert.deepEqual((await reopened.listBans()).map((b) => b.mask), ['*!*@EVIL.example']);
  await reopened.close();
}

describe('planBanRekey', () => {
  test('rows already under their key are left alone', () => {
    assert.deepEqual(planBanRekey([row({ mask_key: banKey(MASK) }), row({ mask: 'a!b@C', mask_key: 'a!b@c' })]), { remove: [], insert: [] });
  });

  test('between rows of one set_at, the one already under the current key is kept', () => {
    const plan = planBanRekey([row({ reason: 'stale' }), row({ mask_key: banKey(MASK), reason: 'current' })]);
    assert.deepEqual(plan.insert.map((r) => r.reason), ['current']);
    assert.equal(plan.remove.length, 2);
  });
});

describe('stores re-key old ban rows when they open', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parlor-rekey-bans-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('SqliteStore', async () => {
    const path = join(dir, 'old.db');
    await new SqliteStore({ path }).close();
    const db = new Database(path);
    const insert = db.prepare(`${INSERT} (?, ?, ?, ?, ?, ?, ?, ?)`);
    for (const r of OLD_ROWS) insert.run(...values(r));
    db.close();
    await checkRekeyed(async () => new SqliteStore({ path }));
  });

  test('PostgresStore, two nodes opening together', async () => {
    const url = await (await sharedPostgres()).newDatabase();
    await (await PostgresStore.open({ url })).close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    for (const r of OLD_ROWS) await client.query(`${INSERT} ($1, $2, $3, $4, $5, $6, $7, $8)`, values(r));
    await client.end();
    const both = await Promise.all([PostgresStore.open({ url }), PostgresStore.open({ url })]);
    await Promise.all(both.map((s) => s.close()));
    await checkRekeyed(() => PostgresStore.open({ url }));
  });
});
