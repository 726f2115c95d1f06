// The private-message path's cheap forms (issue 17): what each saves must not change what is
// parsed or sent. A line without tags shares one frozen empty tag object; commands already in
// upper case are taken as sent, others upper-cased in ASCII only; a delivery to one user is
// written as that session's own text, not as bytes encoded to be shared.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { hasTags, NO_TAGS, parseLine } from '../../src/protocol/message.ts';
import { Delivery, type DeliveryHost, type LocalSession } from '../../src/node/delivery.ts';
import { Outgoing } from '../../src/server/outgoing.ts';

describe('parseLine on the message path', () => {
  test('a line without tags gets the shared empty tags, which nothing can change', () => {
    const a = parseLine('PRIVMSG bob :hi');
    const b = parseLine('NOTICE bob :hi');
    assert.equal(a.tags, NO_TAGS);
    assert.equal(b.tags, NO_TAGS);
    assert.equal(hasTags(a.tags), false);
    assert.ok(Object.isFrozen(a.tags));
    assert.throws(() => {
      (a.tags as Record<string, string>).label = 'x';
    }, TypeError);
    assert.equal(parseLine('PRIVMSG bob :hi').tags.label, undefined);
  });

  test('a line with tags gets its own object', () => {
    const m = parseLine('@+typing=active;label=a1 TAGMSG bob');
    assert.notEqual(m.tags, NO_TAGS);
    assert.equal(hasTags(m.tags), true);
    assert.deepEqual(m.tags, { '+typing': 'active', label: 'a1' });
  });

  test('commands: upper case as sent, mixed case upper-cased in ASCII only, digits checked', () => {
    assert.equal(parseLine('PRIVMSG bob :hi').command, 'PRIVMSG');
    assert.equal(parseLine('PrivMsg bob :hi').command, 'PRIVMSG');
    assert.equal(parseLine('pıng x').command, 'PıNG');
    assert.equal(parseLine('001 x').command, '001');
    assert.throws(() => parseLine('0001 x'), { code: 'INVALID_COMMAND' });
    assert.equal(parseLine('A1B x').command, 'A1B');
  });
});

describe('Delivery to one user', () => {
  function fakeSession(calls: string[]): LocalSession {
    return {
      tagVariant: 0,
      deliveryMark: 0,
      user: undefined,
      nickOrStar: 'bob',
      hasCap: () => false,
      sendOutgoing: (out) => void calls.push(`shared ${out.line(0)}`),
      sendReply: (out) => void calls.push(`own ${out.line(0)}`),
    };
  }

  test('a private message is written as the session’s own text, and counted', () => {
    const calls: string[] = [];
    const session = fakeSession(calls);
    const host = { serverName: 'irc.test', local: (uid: string) => (uid === 'u2' ? session : undefined), logError: (err: unknown) => assert.fail(String(err)) } as unknown as DeliveryHost;
    const delivery = new Delivery(host, 0);
    const out = new Outgoing('alice!a@h', 'PRIVMSG', ['bob', 'hi'], 0, 'm1');
    delivery.run([{ to: 'user', uid: 'u2', out, message: true }, { to: 'user', uid: 'u3', out, message: true }]);
    assert.deepEqual(calls, ['own :alice!a@h PRIVMSG bob hi']);
    assert.equal(delivery.messagesDelivered, 1);
  });
});
