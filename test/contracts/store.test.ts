// One contract for every Store implementation: the same suite runs against MemoryStore,
// SqliteStore (a real file in a temporary directory) and PostgresStore (a real server, a fresh
// database per test), so they answer alike.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { foldCase } from '../../src/protocol/casemapping.ts';
import { conversationKey, type AccountRecord, type ChannelRecord, type Store, type StoredBan, type StoredMessage } from '../../src/storage/store.ts';
import { MemoryStore } from '../../src/storage/memory-store.ts';
import { SqliteStore } from '../../src/storage/sqlite-store.ts';
import { PostgresStore } from '../../src/storage/postgres-store.ts';
import { sharedPostgres } from '../helpers/postgres.ts';

const T = 1_700_000_000_000;

function message(n: number, target = '#room', time = T + n * 1000): StoredMessage {
  return { msgid: `m${n}`, target, time, source: 'alice!a@host', command: 'PRIVMSG', text: `text ${n} 你好` };
}

const ids = (list: StoredMessage[]): string[] => list.map((m) => m.msgid);

/** m1…m10 in #room, a second apart (m1 at T+1s … m10 at T+10s). */
function fillTen(store: Store): void {
  for (let i = 1; i <= 10; i++) store.appendMessage(message(i));
}

function account(name: string, extra: Partial<AccountRecord> = {}): AccountRecord {
  return { name, passwordHash: `$scrypt$ln=4,r=8,p=1$salt$${name}`, createdAt: T, verified: false, suspended: false, ...extra };
}

function channel(name: string, extra: Partial<ChannelRecord> = {}): ChannelRecord {
  return {
    name,
    founder: 'Alice',
    registeredAt: T,
    topic: 'Welcome 欢迎',
    topicSetBy: 'alice!a@host',
    topicSetAt: T + 5,
    modes: 'nt',
    bans: [
      { mask: '*!*@spam.example', setBy: 'alice', setAt: T + 1 },
      { mask: 'troll!*@*', setBy: 'bob', setAt: T + 2 },
    ],
    operators: ['Alice', 'Bob'],
    ...extra,
  };
}

function ban(list: StoredBan['list'], mask: string, setAt: number, extra: Partial<StoredBan> = {}): StoredBan {
  return { list, kind: 'mask', mask, reason: `reason for ${mask}`, setBy: 'oper', setAt, ...extra };
}

/**
 * `besides`: opens another store on the database of the one given, as a second node would
 * (MemoryStore: none; the store itself stands for both).
 */
export function storeContract(name: string, make: () => Store | Promise<Store>, besides?: (store: Store) => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    async function withStore(fn: (store: Store) => Promise<void>): Promise<void> {
      const store = await make();
      try {
        await fn(store);
      } finally {
        await store.close();
      }
    }

    describe('history', () => {
      test('latest returns the newest, oldest first, per target, with every field kept', () =>
        withStore(async (store) => {
          fillTen(store);
          const rich: StoredMessage = {
            msgid: 'rich',
            target: '#other',
            time: T,
            source: 'bob!b@host',
            account: 'Bob',
            command: 'NOTICE',
            text: '表情 🎉 and \\ backslash',
            tags: { '+draft/reply': 'm3', '+draft/react': '👍' },
          };
          store.appendMessage(rich);
          const recent = await store.latest('#room', 3);
          assert.deepEqual(ids(recent), ['m8', 'm9', 'm10']);
          assert.deepEqual(recent[2], message(10));
          assert.deepEqual(await store.latest('#other', 5), [rich]);
          assert.deepEqual(await store.latest('#none', 5), []);
          assert.deepEqual(ids(await store.latest('#room', 100)), ids(Array.from({ length: 10 }, (_, i) => message(i + 1))));
          assert.deepEqual(await store.latest('#room', 0), []);
        }));

      test('undefined account and empty tags are not kept; a repeated msgid is ignored', () =>
        withStore(async (store) => {
          store.appendMessage({ ...message(1), account: undefined, tags: {} });
          store.appendMessage({ ...message(1), text: 'again' });
          const [m] = await store.latest('#room', 5);
          assert.deepEqual(m, message(1));
          assert.ok(!('account' in m!) && !('tags' in m!));
        }));

      test('messages come back as copies', () =>
        withStore(async (store) => {
          store.appendMessage({ ...message(1), tags: { '+draft/reply': 'x' } });
          const [m] = await store.latest('#room', 1);
          m!.text = 'changed';
          m!.tags!['+draft/reply'] = 'changed';
          assert.deepEqual(await store.latest('#room', 1), [{ ...message(1), tags: { '+draft/reply': 'x' } }]);
        }));

      test('order is by time, whatever the order of arrival', () =>
        withStore(async (store) => {
          store.appendMessage(message(3));
          store.appendMessage(message(1));
          store.appendMessage(message(2));
          assert.deepEqual(ids(await store.latest('#room', 10)), ['m1', 'm2', 'm3']);
          assert.deepEqual(ids(await store.after('#room', { msgid: 'm1' }, 10)), ['m2', 'm3']);
        }));

      test('latest after a ref: only newer messages, the newest of them', () =>
        withStore(async (store) => {
          fillTen(store);
          assert.deepEqual(ids(await store.latest('#room', 3, { msgid: 'm5' })), ['m8', 'm9', 'm10']);
          assert.deepEqual(ids(await store.latest('#room', 10, { msgid: 'm7' })), ['m8', 'm9', 'm10']);
          assert.deepEqual(ids(await store.latest('#room', 10, { time: T + 8000 })), ['m9', 'm10']);
          assert.deepEqual(ids(await store.latest('#room', 10, { time: T + 8500 })), ['m9', 'm10']);
          assert.deepEqual(await store.latest('#room', 10, { msgid: 'm10' }), []);
          assert.deepEqual(await store.latest('#room', 10, { msgid: 'nope' }), []);
        }));

      test('before and after a msgid or a time, exclusive', () =>
        withStore(async (store) => {
          fillTen(store);
          assert.deepEqual(ids(await store.before('#room', { msgid: 'm5' }, 3)), ['m2', 'm3', 'm4']);
          assert.deepEqual(ids(await store.before('#room', { msgid: 'm2' }, 3)), ['m1']);
          assert.deepEqual(await store.before('#room', { msgid: 'm1' }, 3), []);
          assert.deepEqual(ids(await store.after('#room', { msgid: 'm5' }, 3)), ['m6', 'm7', 'm8']);
          assert.deepEqual(ids(await store.after('#room', { msgid: 'm9' }, 3)), ['m10']);
          assert.deepEqual(ids(await store.before('#room', { time: T + 5000 }, 2)), ['m3', 'm4']);
          assert.deepEqual(ids(await store.before('#room', { time: T + 5500 }, 2)), ['m4', 'm5']);
          assert.deepEqual(ids(await store.after('#room', { time: T + 5000 }, 2)), ['m6', 'm7']);
          assert.deepEqual(ids(await store.after('#room', { time: T + 4500 }, 2)), ['m5', 'm6']);
          assert.deepEqual(ids(await store.after('#room', { time: 0 }, 2)), ['m1', 'm2']);
          assert.deepEqual(await store.after('#room', { time: T + 99_000 }, 2), []);
        }));

      test('a msgid of another conversation, or unknown, gives nothing', () =>
        withStore(async (store) => {
          fillTen(store);
          store.appendMessage(message(50, '#other'));
          assert.deepEqual(await store.before('#room', { msgid: 'm50' }, 5), []);
          assert.deepEqual(await store.after('#room', { msgid: 'm50' }, 5), []);
          assert.deepEqual(await store.around('#room', { msgid: 'nope' }, 5), []);
          assert.deepEqual(await store.between('#room', { msgid: 'm1' }, { msgid: 'nope' }, 5), []);
          assert.deepEqual(await store.after('#other', { msgid: 'm1' }, 5), []);
        }));

      test('messages of the same millisecond are ordered by insertion', () =>
        withStore(async (store) => {
          store.appendMessage(message(1, '#room', T));
          for (const n of [2, 3, 4, 5]) store.appendMessage(message(n, '#room', T + 1));
          store.appendMessage(message(6, '#room', T + 2));
          assert.deepEqual(ids(await store.latest('#room', 10)), ['m1', 'm2', 'm3', 'm4', 'm5', 'm6']);
          assert.deepEqual(ids(await store.after('#room', { msgid: 'm3' }, 10)), ['m4', 'm5', 'm6']);
          assert.deepEqual(ids(await store.before('#room', { msgid: 'm4' }, 10)), ['m1', 'm2', 'm3']);
          assert.deepEqual(ids(await store.between('#room', { msgid: 'm2' }, { msgid: 'm5' }, 10)), ['m3', 'm4']);
          assert.deepEqual(ids(await store.around('#room', { msgid: 'm3' }, 3)), ['m2', 'm3', 'm4']);
          // A time covers the whole millisecond on either side.
          assert.deepEqual(ids(await store.before('#room', { time: T + 1 }, 10)), ['m1']);
          assert.deepEqual(ids(await store.after('#room', { time: T + 1 }, 10)), ['m6']);
          assert.deepEqual(ids(await store.latest('#room', 10, { time: T })), ['m2', 'm3', 'm4', 'm5', 'm6']);
          assert.deepEqual(ids(await store.between('#room', { time: T }, { time: T + 2 }, 10)), ['m2', 'm3', 'm4', 'm5']);
        }));

      test('around splits the limit about the ref, its own message included', () =>
        withStore(async (store) => {
          fillTen(store);
          assert.deepEqual(ids(await store.around('#room', { msgid: 'm5' }, 5)), ['m3', 'm4', 'm5', 'm6', 'm7']);
          assert.deepEqual(ids(await store.around('#room', { msgid: 'm5' }, 4)), ['m3', 'm4', 'm5', 'm6']);
          assert.deepEqual(ids(await store.around('#room', { msgid: 'm5' }, 1)), ['m5']);
          // Near an end, the other side fills the limit.
          assert.deepEqual(ids(await store.around('#room', { msgid: 'm1' }, 4)), ['m1', 'm2', 'm3', 'm4']);
          assert.deepEqual(ids(await store.around('#room', { msgid: 'm10' }, 4)), ['m7', 'm8', 'm9', 'm10']);
          assert.deepEqual(ids(await store.around('#room', { msgid: 'm2' }, 6)), ['m1', 'm2', 'm3', 'm4', 'm5', 'm6']);
          assert.deepEqual(ids(await store.around('#room', { msgid: 'm5' }, 100)), ids(await store.latest('#room', 100)));
          // A time: messages of that ms count as "from it on".
          assert.deepEqual(ids(await store.around('#room', { time: T + 5000 }, 4)), ['m3', 'm4', 'm5', 'm6']);
          assert.deepEqual(ids(await store.around('#room', { time: T + 5500 }, 4)), ['m4', 'm5', 'm6', 'm7']);
          assert.deepEqual(await store.around('#room', { msgid: 'm5' }, 0), []);
        }));

      test('between is exclusive, in either order, counted from the first ref', () =>
        withStore(async (store) => {
          fillTen(store);
          assert.deepEqual(ids(await store.between('#room', { msgid: 'm2' }, { msgid: 'm6' }, 10)), ['m3', 'm4', 'm5']);
          assert.deepEqual(ids(await store.between('#room', { msgid: 'm6' }, { msgid: 'm2' }, 10)), ['m3', 'm4', 'm5']);
          assert.deepEqual(ids(await store.between('#room', { msgid: 'm2' }, { msgid: 'm9' }, 2)), ['m3', 'm4']);
          assert.deepEqual(ids(await store.between('#room', { msgid: 'm9' }, { msgid: 'm2' }, 2)), ['m7', 'm8']);
          assert.deepEqual(ids(await store.between('#room', { time: T + 2000 }, { time: T + 6000 }, 10)), ['m3', 'm4', 'm5']);
          assert.deepEqual(ids(await store.between('#room', { time: T + 6000 }, { msgid: 'm2' }, 10)), ['m3', 'm4', 'm5']);
          assert.deepEqual(ids(await store.between('#room', { msgid: 'm2' }, { time: T + 6500 }, 10)), ['m3', 'm4', 'm5', 'm6']);
          assert.deepEqual(await store.between('#room', { msgid: 'm4' }, { msgid: 'm5' }, 10), []);
          assert.deepEqual(await store.between('#room', { msgid: 'm4' }, { msgid: 'm4' }, 10), []);
          assert.deepEqual(ids(await store.between('#room', { time: 0 }, { time: T * 2 }, 3)), ['m1', 'm2', 'm3']);
        }));

      test('targets: an account’s private conversations and the given channels, oldest first', () =>
        withStore(async (store) => {
          const ab = conversationKey('alice', 'bob');
          const ca = conversationKey('carol', 'alice');
          const bc = conversationKey('bob', 'carol');
          store.appendMessage(message(1, '#room', T + 100));
          store.appendMessage(message(2, ab, T + 200));
          store.appendMessage(message(3, ca, T + 300));
          store.appendMessage(message(4, '#room', T + 400));
          store.appendMessage(message(5, bc, T + 500));
          store.appendMessage(message(6, '#elsewhere', T + 600));
          store.appendMessage(message(7, ab, T + 700));
          store.appendMessage(message(8, '#中文', T + 250));
          const all = await store.targets('alice', ['#room', '#中文', '#empty'], T, T + 1000, 10);
          assert.deepEqual(all, [
            { target: '#中文', latest: T + 250 },
            { target: ca, latest: T + 300 },
            { target: '#room', latest: T + 400 },
            { target: ab, latest: T + 700 },
          ]);
          assert.deepEqual(await store.targets('bob', [], T, T + 1000, 10), [
            { target: bc, latest: T + 500 },
            { target: ab, latest: T + 700 },
          ]);
          assert.deepEqual(await store.targets('dave', ['#none'], T, T + 1000, 10), []);
          // No account: the channels alone, never a private conversation.
          assert.deepEqual(await store.targets(undefined, ['#room'], T, T + 1000, 10), [{ target: '#room', latest: T + 400 }]);
          assert.deepEqual(await store.targets(undefined, [], T, T + 1000, 10), []);
        }));

      test('targets: only conversations whose newest message is in the window (exclusive); one newer is left out', () =>
        withStore(async (store) => {
          const ab = conversationKey('alice', 'bob');
          const ca = conversationKey('carol', 'alice');
          store.appendMessage(message(1, '#room', T + 100));
          store.appendMessage(message(2, ab, T + 200));
          store.appendMessage(message(3, ca, T + 300));
          store.appendMessage(message(4, '#room', T + 400));
          store.appendMessage(message(7, ab, T + 700));
          // ab has a message at T+200 in the window, but its newest (T+700) is after it.
          assert.deepEqual(await store.targets('alice', ['#room'], T + 150, T + 650, 10), [
            { target: ca, latest: T + 300 },
            { target: '#room', latest: T + 400 },
          ]);
          assert.deepEqual(await store.targets('alice', ['#room'], T + 650, T + 150, 10), [
            { target: ca, latest: T + 300 },
            { target: '#room', latest: T + 400 },
          ]);
          // Exclusive at both ends.
          assert.deepEqual(await store.targets('alice', ['#room'], T + 300, T + 700, 10), [{ target: '#room', latest: T + 400 }]);
          assert.deepEqual(await store.targets('alice', ['#room'], T + 400, T + 400, 10), []);
          // Newer than everything: nothing; a later message takes its conversation out of an older window.
          assert.deepEqual(await store.targets('alice', ['#room'], T + 701, T * 2, 10), []);
          store.appendMessage(message(9, ca, T + 900));
          assert.deepEqual(await store.targets('alice', ['#room'], T + 150, T + 650, 10), [{ target: '#room', latest: T + 400 }]);
          assert.deepEqual(await store.targets('alice', ['#room'], T, T + 1000, 10), [
            { target: '#room', latest: T + 400 },
            { target: ab, latest: T + 700 },
            { target: ca, latest: T + 900 },
          ]);
        }));

      test('targets: the limit counts from the first timestamp (oldest when ascending, newest when descending), oldest first', () =>
        withStore(async (store) => {
          const keys = ['#a', '#b', '#c', '#d', '#e'];
          keys.forEach((key, i) => store.appendMessage(message(i + 1, key, T + (i + 1) * 100)));
          // Two at the same millisecond: ordered by target.
          store.appendMessage(message(6, '#f', T + 300));
          const at = (key: string, time: number): { target: string; latest: number } => ({ target: key, latest: T + time });
          const rooms = [...keys, '#f'];
          assert.deepEqual(await store.targets(undefined, rooms, T, T + 1000, 10), [
            at('#a', 100), at('#b', 200), at('#c', 300), at('#f', 300), at('#d', 400), at('#e', 500),
          ]);
          assert.deepEqual(await store.targets(undefined, rooms, T, T + 1000, 3), [at('#a', 100), at('#b', 200), at('#c', 300)]);
          assert.deepEqual(await store.targets(undefined, rooms, T + 1000, T, 3), [at('#f', 300), at('#d', 400), at('#e', 500)]);
          assert.deepEqual(await store.targets(undefined, rooms, T + 1000, T, 1), [at('#e', 500)]);
          assert.deepEqual(await store.targets(undefined, rooms, T + 250, T + 450, 2), [at('#c', 300), at('#f', 300)]);
          assert.deepEqual(await store.targets(undefined, rooms, T + 450, T + 250, 2), [at('#f', 300), at('#d', 400)]);
          assert.deepEqual(await store.targets(undefined, rooms, T, T + 1000, Infinity), await store.targets(undefined, rooms, T, T + 1000, 10));
        }));

      test('forgetAccount deletes both sides of every private conversation of that account, nothing else', () =>
        withStore(async (store) => {
          const ab = conversationKey('alice', 'bob');
          const ca = conversationKey('carol', 'alice');
          const aa = conversationKey('alice', 'alice');
          const bc = conversationKey('bob', 'carol');
          store.appendMessage(message(1, ab, T + 100));
          store.appendMessage(message(2, ca, T + 200));
          store.appendMessage(message(3, aa, T + 300));
          store.appendMessage(message(4, bc, T + 400));
          store.appendMessage(message(5, '#alice', T + 500));
          store.appendMessage(message(6, ab, T + 600));
          // Queued just before: forgotten too.
          assert.equal(await store.forgetAccount('alice'), 4);
          for (const key of [ab, ca, aa]) assert.deepEqual(await store.latest(key, 10), []);
          assert.deepEqual(await store.targets('alice', [], 0, T * 2, 10), []);
          assert.deepEqual(await store.targets('bob', ['#alice'], 0, T * 2, 10), [
            { target: bc, latest: T + 400 },
            { target: '#alice', latest: T + 500 },
          ]);
          assert.equal(await store.forgetAccount('alice'), 0);
          assert.equal(await store.forgetAccount('nobody'), 0);
          // A later account of that name starts afresh.
          store.appendMessage(message(7, ab, T + 700));
          assert.deepEqual(ids(await store.latest(ab, 10)), ['m7']);
          assert.deepEqual(await store.targets('alice', [], 0, T * 2, 10), [{ target: ab, latest: T + 700 }]);
        }));

      test('purge deletes one conversation and reports how many went', () =>
        withStore(async (store) => {
          fillTen(store);
          store.appendMessage(message(11, '#other'));
          assert.equal(await store.purge('#room'), 10);
          assert.deepEqual(await store.latest('#room', 10), []);
          assert.deepEqual(await store.targets('x', ['#room', '#other'], 0, T * 2, 10), [{ target: '#other', latest: message(11).time }]);
          assert.equal(await store.purge('#room'), 0);
          assert.equal(await store.purge('#never'), 0);
          // The conversation starts afresh.
          store.appendMessage(message(12));
          assert.deepEqual(ids(await store.latest('#room', 10)), ['m12']);
          assert.deepEqual(ids(await store.latest('#other', 10)), ['m11']);
        }));

      test('prune by age', () =>
        withStore(async (store) => {
          fillTen(store);
          for (let i = 1; i <= 3; i++) store.appendMessage(message(20 + i, '#other'));
          assert.equal(await store.prune(T + 4000, Infinity), 3);
          assert.deepEqual(ids(await store.latest('#room', 100)), ['m4', 'm5', 'm6', 'm7', 'm8', 'm9', 'm10']);
          assert.deepEqual(ids(await store.latest('#other', 100)), ['m21', 'm22', 'm23']);
          assert.equal(await store.prune(T + 4000, Infinity), 0);
        }));

      test('prune by count per conversation, and both at once', () =>
        withStore(async (store) => {
          fillTen(store);
          for (let i = 1; i <= 3; i++) store.appendMessage(message(20 + i, '#other'));
          assert.equal(await store.prune(0, 4), 6);
          assert.deepEqual(ids(await store.latest('#room', 100)), ['m7', 'm8', 'm9', 'm10']);
          assert.deepEqual(ids(await store.latest('#other', 100)), ['m21', 'm22', 'm23']);
          assert.equal(await store.prune(T + 8000, 2), 2 + 1);
          assert.deepEqual(ids(await store.latest('#room', 100)), ['m9', 'm10']);
          assert.deepEqual(ids(await store.latest('#other', 100)), ['m22', 'm23']);
          assert.equal(await store.prune(-Infinity, 0), 4);
          assert.deepEqual(await store.targets('x', ['#room', '#other'], 0, T * 2, 10), []);
          // Still usable afterwards.
          store.appendMessage(message(30));
          assert.deepEqual(ids(await store.latest('#room', 10)), ['m30']);
        }));

      test('flush resolves, and queries see messages appended just before', () =>
        withStore(async (store) => {
          store.appendMessage(message(1));
          await store.flush();
          store.appendMessage(message(2));
          assert.deepEqual(ids(await store.latest('#room', 5)), ['m1', 'm2']);
          await store.flush();
        }));

      test('findMessage and deleteMessage (message-redaction) find a message by msgid alone, queued ones too', () =>
        withStore(async (store) => {
          fillTen(store);
          const key = conversationKey('alice', 'bob');
          const rich: StoredMessage = { ...message(11, key), account: 'Alice', tags: { '+draft/reply': 'm3' } };
          store.appendMessage(rich);
          assert.deepEqual(await store.findMessage('m4'), message(4));
          assert.deepEqual(await store.findMessage('m11'), rich);
          assert.equal(await store.findMessage('nope'), undefined);
          assert.equal(await store.deleteMessage('m4', T), true);
          assert.equal(await store.deleteMessage('m4', T), false);
          assert.equal(await store.deleteMessage('nope', T), false);
          assert.equal(await store.findMessage('m4'), undefined);
          assert.deepEqual(ids(await store.latest('#room', 4)), ['m7', 'm8', 'm9', 'm10']);
          assert.deepEqual(ids(await store.around('#room', { msgid: 'm5' }, 3)), ['m3', 'm5', 'm6']);
          // A message deleted while still queued for writing stays deleted.
          store.appendMessage(message(12));
          assert.equal(await store.deleteMessage('m12', T), true);
          await store.flush();
          assert.equal(await store.findMessage('m12'), undefined);
          // The only message of a conversation: the conversation no longer shows in TARGETS.
          assert.equal(await store.deleteMessage('m11', T), true);
          assert.deepEqual(await store.latest(key, 5), []);
          assert.deepEqual(await store.targets('alice', [], 0, T * 2, 10), []);
        }));

      test('a message deleted before it is written does not come back (the tombstone), queued or written again', () =>
        withStore(async (store) => {
          fillTen(store);
          // Deleted first (a cluster: the deletion's entry written by one node before another wrote the message).
          assert.equal(await store.deleteMessage('m11', T + 20_000), false);
          store.appendMessage(message(11));
          await store.flush();
          assert.equal(await store.findMessage('m11'), undefined);
          // Queued, deleted, then appended again (an entry handed out twice).
          store.appendMessage(message(12));
          assert.equal(await store.deleteMessage('m12', T + 20_000), true);
          store.appendMessage(message(12));
          assert.equal(await store.findMessage('m12'), undefined);
          assert.deepEqual(ids(await store.latest('#room', 3)), ['m8', 'm9', 'm10']);
          // Deleting again changes nothing; others are untouched.
          assert.equal(await store.deleteMessage('m11', T + 30_000), false);
          store.appendMessage(message(13));
          assert.deepEqual(ids(await store.latest('#room', 2)), ['m10', 'm13']);
        }));

      test('tombstones are pruned by the time of the deletion', () =>
        withStore(async (store) => {
          assert.equal(await store.deleteMessage('m1', T + 10), false);
          assert.equal(await store.deleteMessage('m2', T + 20), false);
          assert.equal(await store.pruneRedactions(T + 10), 0);
          assert.equal(await store.pruneRedactions(T + 15), 1);
          assert.equal(await store.pruneRedactions(T + 15), 0);
          // m1's tombstone is gone: a copy written now is kept; m2's still holds.
          store.appendMessage(message(1));
          store.appendMessage(message(2));
          assert.deepEqual(ids(await store.latest('#room', 5)), ['m1']);
          assert.equal(await store.pruneRedactions(Infinity), 1);
          store.appendMessage(message(2));
          assert.deepEqual(ids(await store.latest('#room', 5)), ['m1', 'm2']);
        }));
    });

    describe('accounts', () => {
      test('names are unique case-insensitively (rfc1459), kept as registered', () =>
        withStore(async (store) => {
          assert.equal(await store.createAccount(account('Alice[away]')), true);
          assert.equal(await store.createAccount(account('alice{AWAY}')), false);
          assert.equal(await store.createAccount(account('ALICE[AWAY]')), false);
          assert.equal(foldCase('Tom~'), foldCase('tom^'));
          assert.equal(await store.createAccount(account('Tom~')), true);
          assert.equal(await store.createAccount(account('tom^')), false);
          assert.deepEqual(await store.getAccount('aLiCe{away}'), account('Alice[away]'));
          assert.deepEqual(await store.getAccount('TOM^'), account('Tom~'));
          assert.equal(await store.getAccount('nobody'), undefined);
        }));

      test('optional email, update, delete, list in folded-name order', () =>
        withStore(async (store) => {
          await store.createAccount(account('bob', { email: 'bob@example.org' }));
          await store.createAccount(account('Carol'));
          await store.createAccount(account('alice', { email: undefined }));
          const alice = await store.getAccount('alice');
          assert.ok(alice && !('email' in alice));
          assert.equal(await store.updateAccount('ALICE', { verified: true, email: 'a@example.org', passwordHash: 'new' }), true);
          assert.deepEqual(await store.getAccount('alice'), account('alice', { verified: true, email: 'a@example.org', passwordHash: 'new' }));
          assert.equal(await store.updateAccount('bob', { email: undefined, suspended: true }), true);
          assert.deepEqual(await store.getAccount('bob'), account('bob', { suspended: true }));
          assert.equal(await store.updateAccount('nobody', { verified: true }), false);
          assert.deepEqual(
            (await store.listAccounts()).map((a) => a.name),
            ['alice', 'bob', 'Carol'],
          );
          assert.equal(await store.deleteAccount('CAROL'), true);
          assert.equal(await store.deleteAccount('carol'), false);
          assert.equal(await store.getAccount('carol'), undefined);
          assert.deepEqual(await store.listAccounts(), [
            account('alice', { verified: true, email: 'a@example.org', passwordHash: 'new' }),
            account('bob', { suspended: true }),
          ]);
          // The name is free again.
          assert.equal(await store.createAccount(account('carol')), true);
        }));

      test('the SCRAM verifier: kept at creation, set and cleared by update, left alone by other updates, listed', () =>
        withStore(async (store) => {
          const verifier = 'SCRAM-SHA-256$4096:c2FsdA==$c3RvcmVk:c2VydmVy';
          await store.createAccount(account('dora', { scram: verifier }));
          await store.createAccount(account('ed'));
          assert.deepEqual(await store.getAccount('DORA'), account('dora', { scram: verifier }));
          const ed = await store.getAccount('ed');
          assert.ok(ed && !('scram' in ed));
          assert.equal(await store.updateAccount('ed', { scram: verifier }), true);
          assert.equal((await store.getAccount('ed'))?.scram, verifier);
          assert.equal(await store.updateAccount('ed', { suspended: true }), true);
          assert.deepEqual(await store.getAccount('ed'), account('ed', { suspended: true, scram: verifier }));
          assert.deepEqual(await store.listAccounts(), [account('dora', { scram: verifier }), account('ed', { suspended: true, scram: verifier })]);
          assert.deepEqual(await store.accountsLike('D0RA'), [account('dora', { scram: verifier })]);
          assert.equal(await store.updateAccount('dora', { scram: undefined }), true);
          const dora = await store.getAccount('dora');
          assert.ok(dora && !('scram' in dora));
        }));

      test('accountsLike finds every account whose name has the skeleton of a nick, ASCII or not, deleted ones no more', () =>
        withStore(async (store) => {
          // "ВОЅЅ" (Cyrillic) and "Ｂoss" (full width) look like boss; bob0 and bobO too like each other.
          const cyrillicBoss = '\u0412\u041e\u0405\u0405';
          await store.createAccount(account('boss'));
          await store.createAccount(account('bob0'));
          await store.createAccount(account('bobO'));
          await store.createAccount(account('alice'));
          assert.deepEqual(await store.accountsLike(cyrillicBoss), [account('boss')]);
          assert.deepEqual(await store.accountsLike('\uff22oss'), [account('boss')]);
          assert.deepEqual(await store.accountsLike('BOSS'), [account('boss')]);
          assert.deepEqual((await store.accountsLike('BOBO')).map((a) => a.name), ['bob0', 'bobO']);
          assert.deepEqual(await store.accountsLike('nobody'), []);
          // A look-alike account is the store's to keep if asked (the server refuses it first).
          assert.equal(await store.createAccount(account(cyrillicBoss)), true);
          assert.deepEqual((await store.accountsLike('boss')).map((a) => a.name), ['boss', cyrillicBoss]);
          assert.equal(await store.deleteAccount('BOSS'), true);
          assert.deepEqual(await store.accountsLike('boss'), [account(cyrillicBoss)]);
          assert.equal(await store.deleteAccount(cyrillicBoss), true);
          assert.deepEqual(await store.accountsLike('boss'), []);
          assert.deepEqual(await store.accountsLike('alice'), [account('alice')]);
        }));

      test('mayHaveAccountLike is never false for a nick an account has or looks like, and stays so through creation and deletion', () =>
        withStore(async (store) => {
          const cyrillicBoss = '\u0412\u041e\u0405\u0405';
          // Whatever a store cannot rule out, it may say true to; what it rules out must hold nothing.
          const agrees = async (nick: string): Promise<void> => {
            const held = (await store.getAccount(nick)) !== undefined || (await store.accountsLike(nick)).length > 0;
            if (held) assert.equal(store.mayHaveAccountLike(nick), true, nick);
          };
          await store.createAccount(account('boss'));
          await store.createAccount(account('a[b]'));
          for (const nick of ['boss', 'BOSS', 'b0ss', cyrillicBoss, '\uff22oss', 'a[b]', 'A{B}', 'nobody']) await agrees(nick);
          assert.equal(store.mayHaveAccountLike('BOSS'), true);
          assert.equal(store.mayHaveAccountLike(cyrillicBoss), true);
          assert.equal(store.mayHaveAccountLike('a{b}'), true);
          await store.createAccount(account(cyrillicBoss));
          assert.equal(await store.deleteAccount('boss'), true);
          // The look-alike account keeps boss's skeleton held.
          assert.equal(store.mayHaveAccountLike('boss'), true);
          await agrees('boss');
          assert.equal(await store.deleteAccount(cyrillicBoss), true);
          await agrees('boss');
          await agrees(cyrillicBoss);
        }));

      test('mayHaveAccountLike of a store its node alone writes (memory, SQLite) is false for a nick no account is near', () =>
        withStore(async (store) => {
          if (name.startsWith('PostgresStore')) return; // shared by nodes: always true (a query tells)
          assert.equal(store.mayHaveAccountLike('nobody'), false);
          await store.createAccount(account('boss'));
          assert.equal(store.mayHaveAccountLike('nobody'), false);
          assert.equal(await store.deleteAccount('boss'), true);
          assert.equal(store.mayHaveAccountLike('boss'), false);
        }));

      test('accounts come back as copies', () =>
        withStore(async (store) => {
          const original = account('dave');
          await store.createAccount(original);
          original.verified = true;
          const got = (await store.getAccount('dave'))!;
          assert.equal(got.verified, false);
          got.suspended = true;
          assert.equal((await store.getAccount('dave'))!.suspended, false);
        }));
    });

    describe('registered rooms', () => {
      test('save, get case-insensitively, replace, delete', () =>
        withStore(async (store) => {
          const room = channel('#Parlor[dev]', { key: 's3cret', limit: 25 });
          await store.saveChannel(room);
          assert.deepEqual(await store.getChannel('#parlor{DEV}'), room);
          assert.equal(await store.getChannel('#nope'), undefined);
          const changed = channel('#Parlor[dev]', { topic: 'new', bans: [], operators: ['Carol'] });
          await store.saveChannel(changed);
          const got = await store.getChannel('#PARLOR[DEV]');
          assert.deepEqual(got, changed);
          assert.ok(got && !('key' in got) && !('limit' in got));
          assert.equal(await store.deleteChannel('#parlor{dev}'), true);
          assert.equal(await store.deleteChannel('#parlor{dev}'), false);
          assert.equal(await store.getChannel('#Parlor[dev]'), undefined);
        }));

      test('Chinese names, bans and operators round-trip; list in folded-name order', () =>
        withStore(async (store) => {
          const zh = channel('#中文频道', { founder: '小明', operators: ['小明', 'Alice'], bans: [{ mask: '*!*@坏人.example', setBy: '小明', setAt: T }] });
          await store.saveChannel(channel('#Zeta'));
          await store.saveChannel(zh);
          await store.saveChannel(channel('#alpha', { limit: 0, key: '' }));
          assert.deepEqual(await store.getChannel('#中文频道'), zh);
          const list = await store.listChannels();
          assert.deepEqual(
            list.map((c) => c.name),
            ['#alpha', '#Zeta', '#中文频道'],
          );
          assert.deepEqual(list[0], channel('#alpha', { limit: 0, key: '' }));
          assert.deepEqual(list[2], zh);
          list[2]!.operators.push('mallory');
          assert.deepEqual((await store.getChannel('#中文频道'))!.operators, ['小明', 'Alice']);
        }));

      test('ban exceptions (+e) and invite exceptions (+I) round-trip apart from the bans; empty ones come back absent', () =>
        withStore(async (store) => {
          const room = channel('#lists', {
            exceptions: [{ mask: '$a:Alice', setBy: 'alice', setAt: T + 3 }],
            invites: [
              { mask: '*!*@friends.example', setBy: 'bob', setAt: T + 4 },
              { mask: '$a', setBy: 'bob', setAt: T + 5 },
            ],
          });
          await store.saveChannel(room);
          assert.deepEqual(await store.getChannel('#lists'), room);
          assert.deepEqual((await store.listChannels())[0], room);
          await store.saveChannel({ ...room, exceptions: [], invites: [] });
          const got = (await store.getChannel('#lists'))!;
          assert.deepEqual(got, channel('#lists'));
          assert.ok(!('exceptions' in got) && !('invites' in got));
        }));
    });

    describe('server bans and mutes', () => {
      test('save, replace case-insensitively, delete, list oldest first', () =>
        withStore(async (store) => {
          const cidr = ban('ban', '192.0.2.0/24', T + 1, { kind: 'cidr', expiresAt: T + 3_600_000 });
          await store.saveBan(ban('ban', '*!*@Evil.Example', T + 3));
          await store.saveBan(cidr);
          await store.saveBan(ban('mute', '*!*@evil.example', T + 2));
          assert.deepEqual(await store.listBans(), [cidr, ban('mute', '*!*@evil.example', T + 2), ban('ban', '*!*@Evil.Example', T + 3)]);
          // The same mask in another case replaces the entry of that list only.
          const replaced = ban('ban', '*!*@EVIL.example', T + 4, { reason: 'again', expiresAt: T + 60_000 });
          await store.saveBan(replaced);
          assert.deepEqual(await store.listBans(), [cidr, ban('mute', '*!*@evil.example', T + 2), replaced]);
          await store.deleteBan('ban', '*!*@evil.EXAMPLE');
          await store.deleteBan('ban', 'not-there');
          assert.deepEqual(await store.listBans(), [cidr, ban('mute', '*!*@evil.example', T + 2)]);
          await store.deleteBan('mute', '*!*@evil.example');
          await store.deleteBan('ban', '192.0.2.0/24');
          assert.deepEqual(await store.listBans(), []);
        }));

      test('expiresAt is optional; expired entries are still listed', () =>
        withStore(async (store) => {
          const expired = ban('ban', 'old!*@*', T, { expiresAt: T + 1 });
          const forever = ban('mute', 'loud!*@*', T + 1);
          await store.saveBan(expired);
          await store.saveBan({ ...forever, expiresAt: undefined });
          const list = await store.listBans();
          assert.deepEqual(list, [expired, forever]);
          assert.ok(!('expiresAt' in list[1]!));
        }));
    });

    describe('read markers', () => {
      test('unknown until set; set moves forward only and returns the time stored and whether it moved; names fold', () =>
        withStore(async (store) => {
          const moved = (time: number) => ({ time, moved: true });
          const kept = (time: number) => ({ time, moved: false });
          assert.equal(await store.readMarker('Alice', '#room'), undefined);
          assert.deepEqual(await store.setReadMarker('Alice', '#Room', T + 10, 100), moved(T + 10));
          assert.equal(await store.readMarker('ALICE', '#room'), T + 10);
          // Older or equal: ignored (not moved), the stored time answered.
          assert.deepEqual(await store.setReadMarker('alice', '#room', T + 5, 100), kept(T + 10));
          assert.deepEqual(await store.setReadMarker('alice', '#room', T + 10, 100), kept(T + 10));
          assert.deepEqual(await store.setReadMarker('alice', '#ROOM', T + 20, 100), moved(T + 20));
          assert.equal(await store.readMarker('alice', '#room'), T + 20);
          // Per account and per conversation; a private one is named by the other side's account.
          assert.equal(await store.readMarker('bob', '#room'), undefined);
          assert.deepEqual(await store.setReadMarker('alice', '小明', T + 1, 100), moved(T + 1));
          assert.equal(await store.readMarker('alice', '小明'), T + 1);
          assert.equal(await store.readMarker('alice', '#room'), T + 20);
        }));

      test('a new marker past the limit drops the oldest others; deleteAccount forgets them', () =>
        withStore(async (store) => {
          await store.createAccount(account('alice'));
          await store.setReadMarker('alice', '#a', T + 3, 3);
          await store.setReadMarker('alice', '#b', T + 1, 3);
          await store.setReadMarker('alice', '#c', T + 2, 3);
          await store.setReadMarker('bob', '#x', T, 3);
          // Bob's marker of his private conversation with alice (keyed by her account).
          await store.setReadMarker('bob', 'alice', T + 4, 3);
          // #d is the fourth: the oldest other (#b) goes, #d stays though older than all.
          assert.deepEqual(await store.setReadMarker('alice', '#d', T, 3), { time: T, moved: true });
          assert.equal(await store.readMarker('alice', '#b'), undefined);
          assert.deepEqual(
            await Promise.all(['#a', '#c', '#d'].map((t) => store.readMarker('alice', t))),
            [T + 3, T + 2, T],
          );
          // Moving one forward drops nothing.
          assert.deepEqual(await store.setReadMarker('alice', '#d', T + 9, 3), { time: T + 9, moved: true });
          assert.equal(await store.readMarker('alice', '#c'), T + 2);
          assert.ok(await store.deleteAccount('Alice'));
          assert.equal(await store.readMarker('alice', '#a'), undefined);
          assert.equal(await store.readMarker('alice', '#d'), undefined);
          assert.equal(await store.readMarker('bob', '#x'), T);
          // A later account named alice is another person: bob's marker of the old one is gone.
          assert.equal(await store.readMarker('bob', 'alice'), undefined);
        }));
    });

    describe('server secrets', () => {
      test('the first candidate is kept; two stores on one database racing get one value', () =>
        withStore(async (store) => {
          const other = besides ? await besides(store) : store;
          try {
            // Both offer theirs at once, several times over, on an empty table.
            const answers = await Promise.all([1, 2, 3].flatMap((n) => [store.serverSecret('salt', `a${n}`), other.serverSecret('salt', `b${n}`)]));
            const kept = answers[0]!;
            assert.ok(/^[ab][123]$/.test(kept), kept);
            assert.deepEqual(answers, answers.map(() => kept));
            assert.equal(await other.serverSecret('salt', 'later'), kept);
            // Names are exact, and each keeps its own.
            assert.equal(await store.serverSecret('Salt', 'another'), 'another');
            assert.equal(await other.serverSecret('salt', 'later'), kept);
            // Nothing about accounts or read markers reaches them.
            await store.createAccount(account('salt'));
            await store.setReadMarker('salt', '#room', T, 1);
            await store.setReadMarker('salt', 'salt', T + 1, 1);
            assert.ok(await store.deleteAccount('salt'));
            assert.equal(await store.serverSecret('salt', 'after'), kept);
          } finally {
            if (other !== store) await other.close();
          }
        }));
    });
  });
}

storeContract('MemoryStore', () => new MemoryStore());

const dir = mkdtempSync(join(tmpdir(), 'parlor-store-contract-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
storeContract(
  'SqliteStore',
  () => new SqliteStore({ path: join(dir, `store-${++files}.db`) }),
  async (store) => new SqliteStore({ path: (store as SqliteStore).path }),
);

// A real PostgreSQL server (test/helpers/postgres.ts; PARLOR_TEST_PG_URL to use another).
const postgresUrls = new WeakMap<Store, string>();
storeContract(
  'PostgresStore',
  async () => {
    const url = await (await sharedPostgres()).newDatabase();
    const store = await PostgresStore.open({ url });
    postgresUrls.set(store, url);
    return store;
  },
  async (store) => PostgresStore.open({ url: postgresUrls.get(store)! }),
);
