// Schema 2 → 3 on a real database file with data: private history keyed by nicks moves to the
// key of both accounts where every row proves them, and is deleted otherwise, so that no old
// row can be read by nick any more. Rooms are untouched.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from '../../src/storage/sqlite-driver.js';
import { foldCase } from '../../src/protocol/casemapping.ts';
import { MIGRATIONS, migrate, SCHEMA_VERSION } from '../../src/storage/migrations.ts';
import { SqliteStore } from '../../src/storage/sqlite-store.ts';
import { conversationKey, type StoredMessage } from '../../src/storage/store.ts';

const T = 1_700_000_000_000;
let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'parlor-migrate3-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

interface OldRow {
  msgid: string;
  target: string;
  source: string;
  account: string | null;
  text: string;
}

/** A database of schema 2 holding `rows` and `accounts` (made at the time given), written as the schema-2 server wrote them. */
function schemaTwoDatabase(path: string, rows: OldRow[], accounts: Record<string, number> = {}): void {
  const db = new Database(path);
  try {
    assert.equal(migrate(db, MIGRATIONS.slice(0, 2)), 2);
    const account = db.prepare("INSERT INTO accounts (name_key, name, password_hash, created_at, verified) VALUES (?, ?, 'h', ?, 1)");
    for (const [name, createdAt] of Object.entries(accounts)) account.run(foldCase(name), name, createdAt);
    const insert = db.prepare('INSERT INTO messages (msgid, target, time, source, account, command, text) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const index = db.prepare('INSERT OR IGNORE INTO conversations (target, nick_a, nick_b) VALUES (?, ?, ?)');
    rows.forEach((r, i) => {
      insert.run(r.msgid, r.target, T + i, r.source, r.account, 'PRIVMSG', r.text);
      const nul = r.target.indexOf('\u0000');
      index.run(r.target, nul < 0 ? null : r.target.slice(0, nul), nul < 0 ? null : r.target.slice(nul + 1));
    });
  } finally {
    db.close();
  }
}

const row = (msgid: string, target: string, nick: string, account: string | null, text = msgid): OldRow => ({ msgid, target, source: `${nick}!${nick}@host`, account, text });
const ids = (list: StoredMessage[]): string[] => list.map((m) => m.msgid);

test('schema 2 → 3: private rows move to their accounts’ key when every row proves them, are deleted otherwise; rooms are untouched', async () => {
  const path = join(dir, 'v2.db');
  const proven = conversationKey('ali', 'bobby');
  const provenOtherNick = conversationKey('alice_', 'bobby');
  const noAccount = conversationKey('carol', 'dave');
  const changedHands = conversationKey('erin', 'frank');
  const neverAnswered = conversationKey('gina', 'hank');
  const stranger = conversationKey('ivan', 'judy');
  const self = conversationKey('kim', 'kim');
  schemaTwoDatabase(path, [
    row('r1', '#room', 'ali', 'Alice', 'room line from an account'),
    row('r2', '#room', 'carol', null, 'room line without one'),
    // ali is account Alice, bobby account Bob[x] throughout: proven.
    row('p1', proven, 'Ali', 'Alice'),
    row('p2', proven, 'bobby', 'Bob[x]'),
    row('p3', proven, 'ali', 'ALICE'),
    // The same two accounts under other nicks: the same conversation now.
    row('p4', provenOtherNick, 'alice_', 'alice'),
    row('p5', provenOtherNick, 'Bobby', 'bob{x}'),
    // dave had no account: nobody can be shown to own it.
    row('n1', noAccount, 'carol', 'Carol'),
    row('n2', noAccount, 'dave', null),
    // The nick frank was Frank's, then Mallory's: whose are the lines? Deleted.
    row('c1', changedHands, 'erin', 'Erin'),
    row('c2', changedHands, 'frank', 'Frank'),
    row('c3', changedHands, 'frank', 'Mallory'),
    // hank never spoke, so his account is unknown.
    row('h1', neverAnswered, 'gina', 'Gina'),
    // A sender who is neither side.
    row('s1', stranger, 'ivan', 'Ivan'),
    row('s2', stranger, 'judy', 'Judy'),
    row('s3', stranger, 'mallory', 'Mallory'),
    // Notes to oneself.
    row('k1', self, 'kim', 'Kim'),
  ], { Alice: T - 1, 'Bob[x]': T - 1, Kim: T - 1, Carol: T - 1, Erin: T - 1, Frank: T - 1, Mallory: T - 1, Gina: T - 1, Ivan: T - 1, Judy: T - 1 });

  const store = new SqliteStore({ path });
  try {
    const aliceBob = conversationKey('alice', 'bob{x}');
    assert.deepEqual(ids(await store.latest(aliceBob, 10)), ['p1', 'p2', 'p3', 'p4', 'p5']);
    // Kept whole: sender, account as it was, text.
    assert.deepEqual((await store.latest(aliceBob, 10))[1], { msgid: 'p2', target: aliceBob, time: T + 3, source: 'bobby!bobby@host', account: 'Bob[x]', command: 'PRIVMSG', text: 'p2' });
    assert.deepEqual(ids(await store.latest(conversationKey('kim', 'kim'), 10)), ['k1']);
    // No old nick key reads anything any more, proven or not.
    for (const key of [proven, provenOtherNick, noAccount, changedHands, neverAnswered, stranger]) assert.deepEqual(await store.latest(key, 10), [], key);
    for (const key of [conversationKey('carol', 'dave'), conversationKey('erin', 'frank'), conversationKey('erin', 'mallory'), conversationKey('gina', 'hank')]) {
      assert.deepEqual(await store.latest(key, 10), [], key);
    }
    assert.deepEqual(ids(await store.latest('#room', 10)), ['r1', 'r2']);
    // The conversation index names accounts now.
    assert.deepEqual(await store.targets('alice', ['#room'], 0, T * 2, 10), [
      { target: '#room', latest: T + 1 },
      { target: aliceBob, latest: T + 6 },
    ]);
    assert.deepEqual(await store.targets('bob{x}', [], 0, T * 2, 10), [{ target: aliceBob, latest: T + 6 }]);
    for (const name of ['ali', 'bobby', 'carol', 'dave', 'erin', 'frank', 'mallory', 'gina', 'ivan', 'judy']) assert.deepEqual(await store.targets(name, [], 0, T * 2, 10), [], name);
    // New private lines go on under the accounts' key.
    store.appendMessage({ msgid: 'new', target: aliceBob, time: T + 100, source: 'alice!a@host', account: 'Alice', command: 'PRIVMSG', text: 'after the upgrade' });
    assert.deepEqual(ids(await store.latest(aliceBob, 1)), ['new']);
  } finally {
    await store.close();
  }
  const db = new Database(path, { readonly: true });
  try {
    assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    assert.ok(SCHEMA_VERSION >= 3);
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    assert.deepEqual(db.prepare('SELECT msgid FROM messages ORDER BY id').pluck().all(), ['r1', 'r2', 'p1', 'p2', 'p3', 'p4', 'p5', 'k1', 'new']);
    const index = db.prepare('SELECT target, account_a, account_b FROM conversations ORDER BY target').all();
    assert.deepEqual(index, [
      { target: '#room', account_a: null, account_b: null },
      { target: 'alice\u0000bob{x}', account_a: 'alice', account_b: 'bob{x}' },
      { target: 'kim\u0000kim', account_a: 'kim', account_b: 'kim' },
    ]);
  } finally {
    db.close();
  }
});

test('schema 2 → 3 drops a conversation whose account was deleted since, or registered again after its rows: its name’s next owner must not read it', async () => {
  const path = join(dir, 'accounts-gone.db');
  const kept = conversationKey('ann', 'ben');
  const deleted = conversationKey('ann', 'gone');
  const reRegistered = conversationKey('ann', 'taken');
  const lateFirstRow = conversationKey('ben', 'taken');
  schemaTwoDatabase(
    path,
    [
      row('k1', kept, 'ann', 'Ann'),
      row('k2', kept, 'ben', 'Ben'),
      // Gone's account was deleted: schema 2 kept its history, and whoever registers gone later would read it.
      row('d1', deleted, 'ann', 'Ann'),
      row('d2', deleted, 'gone', 'Gone'),
      // Taken's account was deleted and registered again (at T + 100) by someone else.
      row('r1', reRegistered, 'ann', 'Ann'),
      row('r2', reRegistered, 'taken', 'Taken'),
      // Ben and the old Taken: the new Taken's account is younger than the rows.
      row('l1', lateFirstRow, 'ben', 'Ben'),
      row('l2', lateFirstRow, 'taken', 'Taken'),
    ],
    { Ann: T - 1, Ben: T, Taken: T + 100 },
  );
  const store = new SqliteStore({ path });
  try {
    assert.deepEqual(ids(await store.latest(conversationKey('ann', 'ben'), 10)), ['k1', 'k2']);
    assert.deepEqual(await store.latest(conversationKey('ann', 'gone'), 10), []);
    assert.deepEqual(await store.latest(conversationKey('ann', 'taken'), 10), []);
    assert.deepEqual(await store.latest(conversationKey('ben', 'taken'), 10), []);
    for (const key of [deleted, reRegistered, lateFirstRow]) assert.deepEqual(await store.latest(key, 10), [], key);
    assert.deepEqual(await store.targets('taken', [], 0, T * 2, 10), []);
    assert.deepEqual(await store.targets('gone', [], 0, T * 2, 10), []);
    assert.deepEqual(await store.targets('ann', [], 0, T * 2, 10), [{ target: conversationKey('ann', 'ben'), latest: T + 1 }]);
  } finally {
    await store.close();
  }
});

test('schema 2 → 3 on a database without private history changes no row', async () => {
  const path = join(dir, 'rooms-only.db');
  schemaTwoDatabase(path, [row('r1', '#a', 'x', null), row('r2', '#b', 'y', 'Y')]);
  const store = new SqliteStore({ path });
  try {
    assert.deepEqual(ids(await store.latest('#a', 10)), ['r1']);
    assert.deepEqual(ids(await store.latest('#b', 10)), ['r2']);
    assert.deepEqual(await store.targets(undefined, ['#a', '#b'], 0, T * 2, 10), [
      { target: '#a', latest: T },
      { target: '#b', latest: T + 1 },
    ]);
  } finally {
    await store.close();
  }
});
