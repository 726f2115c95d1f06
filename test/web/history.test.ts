// Merging chathistory pages into a buffer and choosing where the next page ends
// (web/src/history.ts): pure, so tested under Node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChatModel } from '../../src/clients/model.ts';
import { createTranslator } from '../../src/i18n/i18n.ts';
import { parseLine } from '../../src/protocol/message.ts';
import { mergeHistory, olderRef } from '../../web/src/history.ts';

const TIME = '2026-01-02T03:04:05.006Z';

function roomModel(): ChatModel {
  const model = new ChatModel('irc.test');
  model.nick = 'me';
  model.status = 'registered';
  model.ensure('#room');
  return model;
}

test('lines of one millisecond with the same text are all kept, in the order the server gave', () => {
  const model = roomModel();
  const page = [1, 2, 3].map((n) => parseLine(`@time=${TIME};msgid=m${n} :bob!b@h PRIVMSG #room :same`));
  assert.equal(mergeHistory(model, '#room', page), true);
  assert.deepEqual(
    model.find('#room')!.lines.map((l) => l.msgid),
    ['m1', 'm2', 'm3'],
  );
  // The same page again adds nothing.
  assert.equal(mergeHistory(model, '#room', page), false);
});

test('the next page ends at the oldest message of the conversation, never at a broadcast shown in it', () => {
  const model = roomModel();
  const room = model.find('#room')!;
  // A broadcast arrived first (it is in every buffer, in no room's history), then a message.
  model.announce({ from: 'irc.test', text: 'restart at noon', msgid: 'broadcast1', time: new Date(TIME) });
  model.add(room, { kind: 'message', from: 'bob', text: 'hi', msgid: 'room1', time: new Date(Date.parse(TIME) + 1) });
  assert.equal(olderRef(room.lines), 'msgid=room1');
  // With only the broadcast there, nothing of the room's own is known: ask for the latest.
  const alone = new ChatModel('irc.test');
  alone.ensure('#quiet');
  alone.announce({ from: 'irc.test', text: 'restart at noon', msgid: 'broadcast1', time: new Date(TIME) });
  assert.equal(olderRef(alone.find('#quiet')!.lines), undefined);
});

test('lines a history page makes the client write are in the user language', () => {
  const model = roomModel();
  model.language = createTranslator('zh-CN');
  // A server with event-playback sends topic changes in history too.
  mergeHistory(model, '#room', [parseLine(`@time=${TIME};msgid=t1 :bob!b@h TOPIC #room :新主题`)]);
  const line = model.find('#room')!.lines.find((l) => l.kind === 'topic');
  assert.equal(line?.text, 'bob 把主题改为：新主题');
});
