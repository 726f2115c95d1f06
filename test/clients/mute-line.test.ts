// A muted user's refused message, read back from the server's English UTC text (mutedText) and
// said in the user's language and local time: the tester's "你已被禁言，到 21:38 为止".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mutedLine } from '../../src/clients/mute-line.ts';
import { createTranslator } from '../../src/i18n/i18n.ts';
import type { ServerBan } from '../../src/network/bans.ts';
import { mutedText, readMutedText } from '../../src/network/mute-text.ts';
import { parseLine } from '../../src/protocol/message.ts';

// Node follows TZ set at run time: the tester was in China, eight hours ahead of UTC.
process.env.TZ = 'Asia/Shanghai';

const mute = (expiresAt: number | undefined, reason: string): ServerBan => ({ kind: 'mask', mask: 'bob!*@*', reason, setBy: 'admin', setAt: 0, expiresAt }) as ServerBan;
const zh = createTranslator('zh-CN');
const en = createTranslator('en');

test('what mutedText writes, readMutedText reads back, in a room or to a person', () => {
  const end = Date.parse('2026-12-03T13:37:10Z');
  const room = `Cannot send to channel (${mutedText(mute(end, '冷静一下 (really): ok'))})`;
  assert.deepEqual(readMutedText(room), { until: new Date('2026-12-03T13:38:00Z'), reason: '冷静一下 (really): ok' });
  assert.deepEqual(readMutedText(mutedText(mute(undefined, 'spam'), { capitalised: true })), { until: undefined, reason: 'spam' });
  assert.equal(readMutedText('Cannot send to channel (+m)'), undefined);
  assert.equal(readMutedText('You are muted until tomorrow UTC: x'), undefined);
});

test('a mute refusal is one line in the user language, its end in local time', () => {
  const now = new Date('2026-12-03T10:00:00Z'); // 18:00 in Shanghai
  const text = `Cannot send to channel (${mutedText(mute(Date.parse('2026-12-03T13:38:00Z'), '冷静一下'))})`;
  const room = parseLine(`:irc.test 404 bob #lobby :${text}`);
  assert.equal(mutedLine(room, zh.t, 'zh-CN', now), '你已被禁言，到 21:38 为止（原因：冷静一下）');
  assert.equal(mutedLine(room, en.t, 'en-GB', now), 'You are muted until 21:38 (reason: 冷静一下)');
  // Another day: the date is said too.
  const later = mutedLine(room, zh.t, 'zh-CN', new Date('2026-12-01T10:00:00Z'))!;
  assert.match(later, /^你已被禁言，到 2026年12月3日 21:38 为止（原因：冷静一下）$/);
  const toPerson = parseLine(`:irc.test 531 bob alice :${mutedText(mute(undefined, 'spam'), { capitalised: true })}`);
  assert.equal(mutedLine(toPerson, zh.t, 'zh-CN', now), '你已被禁言（原因：spam）');
  assert.equal(mutedLine(parseLine(':irc.test 404 bob #lobby :Cannot send to channel (+m)'), zh.t, 'zh-CN', now), undefined);
});
