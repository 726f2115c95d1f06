// WALLOPS in the client core: a server notice marked in the user's language, not in English.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLine } from '../../src/protocol/message.ts';
import { applyMessage, newInboundState } from '../../src/clients/inbound.ts';
import { ChatModel } from '../../src/clients/model.ts';
import { createTranslator } from '../../src/i18n/i18n.ts';

function wallopsLine(locale: 'en' | 'zh-CN'): [string, string | undefined, string] | undefined {
  const m = new ChatModel('Parlor');
  m.nick = 'zoe';
  m.status = 'registered';
  m.language = createTranslator(locale);
  applyMessage(m, parseLine(':oper!o@host WALLOPS :restarting at noon'), newInboundState());
  const line = m.server.lines.at(-1);
  return line && [line.kind, line.from, line.text];
}

test('a WALLOPS is a notice in the server view, marked in the client language', () => {
  assert.deepEqual(wallopsLine('en'), ['notice', 'oper', '[wallops] restarting at noon']);
  assert.deepEqual(wallopsLine('zh-CN'), ['notice', 'oper', '[管理员通告] restarting at noon']);
});
