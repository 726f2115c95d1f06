// One contract for every Store implementation (in-memory now; SQLite comes with persistence).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Store, StoredMessage } from '../../src/storage/store.ts';
import { MemoryStore } from '../../src/storage/memory-store.ts';

function message(n: number, target = '#room'): StoredMessage {
  return { msgid: `m${n}`, target, time: 1_700_000_000_000 + n, source: 'a!a@h', command: 'PRIVMSG', text: `text ${n} 你好` };
}

export function storeContract(name: string, make: () => Store): void {
  describe(`Store contract: ${name}`, () => {
    test('recentMessages returns the newest, oldest first, per target', async () => {
      const store = make();
      for (let i = 1; i <= 10; i++) store.appendMessage(message(i));
      store.appendMessage(message(99, '#other'));
      const recent = await store.recentMessages('#room', 3);
      assert.deepEqual(recent.map((m) => m.msgid), ['m8', 'm9', 'm10']);
      assert.equal(recent[2]!.text, 'text 10 你好');
      assert.deepEqual((await store.recentMessages('#other', 5)).map((m) => m.msgid), ['m99']);
      assert.deepEqual(await store.recentMessages('#none', 5), []);
      await store.close();
    });
  });
}

storeContract('MemoryStore', () => new MemoryStore());
