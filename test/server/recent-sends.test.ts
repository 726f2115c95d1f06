// RecentSends: the ring of a connection's last 50 sends that REDACT looks in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { privateWhere, RecentSends } from '../../src/server/recent-sends.ts';

test('keeps the last 50 sends, a room by its name and a private message by its recipient; forget drops one', () => {
  const sends = new RecentSends();
  for (let i = 0; i < 60; i++) sends.remember(`m${i}`, i % 2 === 0 ? '#room' : `uid${i}`, i % 2 === 1, 1000 + i);
  for (let i = 0; i < 10; i++) assert.equal(sends.get(`m${i}`), undefined, `m${i} is forgotten`);
  assert.deepEqual(sends.get('m10'), { where: '#room', time: 1010 });
  assert.deepEqual(sends.get('m59'), { where: privateWhere('uid59'), time: 1059 });
  sends.forget('m59');
  assert.equal(sends.get('m59'), undefined);
  assert.equal(sends.get(''), undefined, 'an empty slot is not a msgid');
});
