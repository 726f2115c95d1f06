// Texts of the client core that a user tester found hard to read (issue 16), in both
// languages: room settings (+i, +m, +n, +t, +s, +k, +l) and ban/exception changes as
// sentences (Chinese without spaces between Chinese words), a failed login in plain words,
// `/delete n` past the user's own messages, and LINKS where two nodes share a server name.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEffect, type EffectHost } from '../../src/clients/effects.ts';
import { applyMessage, newInboundState } from '../../src/clients/inbound.ts';
import { ChatModel } from '../../src/clients/model.ts';
import { saslFailureReason } from '../../src/clients/sasl-login.ts';
import { createTranslator } from '../../src/i18n/i18n.ts';
import { parseLine } from '../../src/protocol/message.ts';

/** A model in `locale`, in #lobby, after Parlor's ISUPPORT; `feed` applies a raw line. */
function roomModel(locale: 'en' | 'zh-CN' = 'en') {
  const m = new ChatModel('Parlor');
  m.nick = 'me';
  m.status = 'registered';
  m.language = createTranslator(locale);
  const s = newInboundState();
  const feed = (...lines: string[]): void => {
    for (const line of lines) applyMessage(m, parseLine(line), s);
  };
  feed(':srv 005 me CHANMODES=beI,k,l,imnst PREFIX=(ov)@+ EXCEPTS=e INVEX=I EXTBAN=$,a :are supported');
  feed(':me!u@h JOIN #lobby');
  const room = m.find('#lobby')!;
  const texts = (from: number): string[] => room.lines.slice(from).map((l) => l.text);
  return { m, s, room, feed, texts };
}

describe('mode changes as sentences', () => {
  test('Chinese ban and exception sentences have no spaces between Chinese words', () => {
    const { room, feed, texts } = roomModel('zh-CN');
    const from = room.lines.length;
    feed(':wang!w@h MODE #lobby +e $a:bob', ':wang!w@h MODE #lobby +I $a', ':wang!w@h MODE #lobby +b $~a', ':wang!w@h MODE #lobby -e $a:bob');
    feed(':wang!w@h MODE #lobby +b troll!*@*', ':wang!w@h MODE #lobby -b troll!*@*');
    assert.deepEqual(texts(from), [
      'wang 将以 bob 身份登录的用户设为封禁例外',
      'wang 允许所有已登录的用户无需邀请即可加入',
      'wang 封禁了所有未登录的用户',
      'wang 不再将以 bob 身份登录的用户设为封禁例外',
      'wang 封禁了匹配 troll!*@* 的用户',
      'wang 解封了匹配 troll!*@* 的用户',
    ]);
    for (const text of texts(from)) assert.doesNotMatch(text, /[\u4e00-\u9fff] [\u4e00-\u9fff]/u, text);
  });

  test('the list replies in Chinese read the same way', () => {
    const { room, feed, texts } = roomModel('zh-CN');
    const from = room.lines.length;
    feed(':srv 348 me #lobby $a:bob alice!a@h 1700000000', ':srv 349 me #lobby :End of Channel Exception List');
    assert.match(texts(from)[0]!, /^#lobby 将以 bob 身份登录的用户设为封禁例外（由 alice 于 .+ 设置）$/);
  });

  test('room settings read as sentences, set and unset, in English', () => {
    const { room, feed, texts } = roomModel();
    const from = room.lines.length;
    feed(':carol!c@h MODE #lobby +i', ':carol!c@h MODE #lobby -i', ':carol!c@h MODE #lobby +ntm-s', ':carol!c@h MODE #lobby +kl door 25', ':carol!c@h MODE #lobby -lk *');
    feed(':carol!c@h MODE #lobby +l 1', ':carol!c@h MODE #lobby +ov me me');
    assert.deepEqual(texts(from), [
      'carol makes the room invite-only',
      'carol opens the room: no invitation needed to join',
      'carol stops messages to the room from people outside it',
      'carol lets only operators change the topic',
      'carol moderates the room: only operators and voiced people can talk',
      'carol shows the room in the room list again',
      "carol sets the room's password to door",
      'carol limits the room to 25 people',
      "carol removes the room's limit on people",
      "carol removes the room's password",
      'carol limits the room to 1 person',
      'carol sets mode +ov me me',
    ]);
  });

  test('room settings in Chinese', () => {
    const { room, feed, texts } = roomModel('zh-CN');
    const from = room.lines.length;
    feed(':ann!a@h MODE #lobby +i', ':ann!a@h MODE #lobby +l 10', ':ann!a@h MODE #lobby -t');
    assert.deepEqual(texts(from), ['ann 将本聊天室设为仅限受邀者加入', 'ann 将本聊天室的人数上限设为 10 人', 'ann 允许聊天室里的所有人修改主题']);
  });

  test('a letter a server uses otherwise stays "sets mode"', () => {
    const { room, feed, texts } = roomModel();
    // Here +i takes an argument: not the RFC's invite-only.
    feed(':srv 005 me CHANMODES=beI,ik,l,mnst :are supported');
    const from = room.lines.length;
    feed(':carol!c@h MODE #lobby +i x');
    assert.deepEqual(texts(from), ['carol sets mode +i x']);
  });
});

describe('a failed login in plain words', () => {
  const en = createTranslator('en').t;
  const zh = createTranslator('zh-CN').t;
  const reason = (line: string, t = en): string => saslFailureReason(parseLine(line), t);

  test('904 is a wrong account name or password, in both languages, without the server text', () => {
    assert.equal(reason(':srv 904 me :SASL authentication failed'), 'wrong account name or password');
    assert.equal(reason(':srv 904 me :SASL authentication failed', zh), '账号或密码不对');
    assert.equal(zh('client.session.loginFailed', { reason: reason(':srv 904 me :SASL authentication failed', zh) }), '登录失败：账号或密码不对');
  });

  test('a reason the server adds is quoted after our own words; 905 and 906 in words', () => {
    assert.equal(
      reason(':srv 904 me :SASL authentication failed: Too many failed logins for this name; try again in 60 seconds'),
      'the server refused the login (Too many failed logins for this name; try again in 60 seconds)',
    );
    assert.equal(reason(':srv 905 me :SASL message too long'), 'the account name or password is too long for the server');
    assert.equal(reason(':srv 906 me :SASL authentication aborted', zh), '登录中途被中断了');
  });
});

describe('/delete past the user’s own messages', () => {
  function host(locale: 'en' | 'zh-CN') {
    const model = new ChatModel('irc.test');
    model.nick = 'me';
    model.status = 'registered';
    model.language = createTranslator(locale);
    const room = model.ensure('#r');
    model.select(room.key);
    const sent: string[] = [];
    const h: EffectHost = { model, inbound: newInboundState(), pending: [], registered: true, hasCap: () => true, send: (l) => sent.push(l), quit: () => {}, forgetRoom: () => {} };
    for (const [i, text] of ['one', 'two', 'three'].entries()) model.add(room, { kind: 'message', from: 'me', self: true, text, msgid: `m${i}` });
    model.add(room, { kind: 'message', from: 'bob', text: 'not mine', msgid: 'b1' });
    return { h, room, sent };
  }

  test('says how many there are, in both languages; within them it deletes', () => {
    const en = host('en');
    applyEffect(en.h, { type: 'delete', target: '#r', back: 9 });
    assert.equal(en.room.lines.at(-1)!.text, 'You have only 3 messages here that could be deleted.');
    assert.deepEqual(en.sent, []);
    applyEffect(en.h, { type: 'delete', target: '#r', back: 3 });
    assert.deepEqual(en.sent, ['REDACT #r m0']);
    const zh = host('zh-CN');
    applyEffect(zh.h, { type: 'delete', target: '#r', back: 4 });
    assert.equal(zh.room.lines.at(-1)!.text, '你在这里只有 3 条可以删除的消息。');
  });
});

describe('LINKS where nodes share a server name', () => {
  const links = [
    ':parlor.local 364 me parlor.local parlor.local :0 Parlor node node2',
    ':parlor.local 364 me parlor.local parlor.local :1 Parlor node node1',
    ':parlor.local 365 me * :End of /LINKS list',
  ];
  const shown = (locale: 'en' | 'zh-CN', lines: string[]): string[] => {
    const { m, feed } = roomModel(locale);
    const from = m.server.lines.length;
    feed(...lines);
    return m.server.lines.slice(from).map((l) => l.text);
  };

  test('each shows its node, and the other node reads as linked to this one', () => {
    assert.deepEqual(shown('en', links), [
      'Server parlor.local on node node2 (this one): Parlor',
      'Server parlor.local on node node1, linked to this one: Parlor',
      'End of the server list.',
    ]);
    assert.deepEqual(shown('zh-CN', links), ['服务器 parlor.local 的 node2 节点（本服务器）：Parlor', '服务器 parlor.local 的 node1 节点，连接到本服务器：Parlor', '服务器列表结束。']);
  });

  test('distinct names read as before', () => {
    const lines = [':a.example 364 me a.example a.example :0 Parlor node n-a', ':a.example 364 me b.example a.example :1 Parlor node n-b', ':a.example 365 me * :End'];
    assert.deepEqual(shown('en', lines), ['Server a.example (this one): Parlor node n-a', 'Server b.example, linked to a.example: Parlor node n-b', 'End of the server list.']);
  });
});
