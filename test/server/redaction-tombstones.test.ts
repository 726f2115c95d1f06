// Tombstones of deleted messages are pruned by the node's housekeeping once they are older than
// history.tombstoneMs, whether or not history retention is configured; until then a copy of
// the message written late is not kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../../src/storage/memory-store.ts';
import type { StoredMessage } from '../../src/storage/store.ts';
import { ManualClock } from '../helpers/clock.ts';
import { startServer } from '../helpers/server.ts';

test('housekeeping forgets tombstones older than history.tombstoneMs, and only those', async () => {
  const clock = new ManualClock();
  const store = new MemoryStore();
  const t = await startServer({ history: { tombstoneMs: 3_600_000 } }, { clock, store });
  try {
    const copy = (msgid: string): StoredMessage => ({ msgid, target: '#room', time: clock.now(), source: 'sam!sam@h', command: 'PRIVMSG', text: msgid });
    await store.deleteMessage('old', clock.now());
    clock.advance(40 * 60_000);
    await store.deleteMessage('young', clock.now());
    clock.advance(30 * 60_000);
    // 'old' was deleted 70 minutes ago, 'young' 30: only the first tombstone is gone.
    store.appendMessage(copy('old'));
    store.appendMessage(copy('young'));
    assert.deepEqual((await store.latest('#room', 10)).map((m) => m.msgid), ['old']);
  } finally {
    await t.close();
  }
});
