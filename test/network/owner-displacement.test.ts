// The reducer deciding, at an entry's place in the log, whether the owner of an account takes
// its nick from whoever holds the nick itself (user.nick with `displace`), and whether a user
// introduced logged in to the account (SASL as they connect) takes it from the holder of the
// nick or of a look-alike (user.introduce with `displace`). Otherwise 433, and nothing changes.
import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import type { LogEntry } from '../../src/cluster/log-cursor.ts';
import type { NetworkEvent, NickDisplacement } from '../../src/network/events.ts';
import { ADMIN_UID, NetworkState } from '../../src/network/network-state.ts';
import { Reducer } from '../../src/network/reducer.ts';

const T0 = 1_700_000_000_000;
const TWIN = '\u0412\u041e\u0405\u0405'; // ВОЅЅ, Cyrillic

class Log {
  readonly state: NetworkState;
  readonly reducer: Reducer;
  private position = 0;
  constructor(admin?: { nick: string; hostname: string }) {
    this.state = new NetworkState(admin);
    this.reducer = new Reducer(this.state, { serverName: 'a.test' });
    this.apply({ type: 'node.up', nodeId: 'n1', casemapping: 'precis' });
  }
  apply(event: NetworkEvent): ReturnType<Reducer['apply']> {
    this.position++;
    const entry: LogEntry<NetworkEvent> = { position: this.position, epoch: 'e1', time: T0 + this.position, ref: 0, event };
    return this.reducer.apply(entry);
  }
}

const introduce = (uid: string, nick: string, account?: string, displace?: NickDisplacement): NetworkEvent => ({
  type: 'user.introduce', uid, nodeId: 'n1', nick, username: 'u', hostname: 'h.example', realname: 'R', secure: false, address: '10.0.0.1', modes: '', account,
  ...(displace && { displace }),
});

const toUser = (outcome: ReturnType<Reducer['apply']>, uid: string): string[] =>
  outcome.deliveries.flatMap((d) => (d.to === 'user' && d.uid === uid ? [d.out.line(0)] : []));

function assertRefused(outcome: ReturnType<Reducer['apply']>, text: string): void {
  assert.equal(outcome.verdict.ok, false);
  assert.equal(!outcome.verdict.ok && outcome.verdict.refusal?.numeric, '433');
  assert.equal(!outcome.verdict.ok && outcome.verdict.refusal?.text, text);
  assert.deepEqual(outcome.deliveries, []);
}

describe('reducer: the owner takes the nick itself', () => {
  test('user.nick with displace renames the exact holder to the guest nick and tells them', () => {
    const log = new Log();
    log.apply(introduce('1', 'bossaway', 'boss'));
    log.apply(introduce('2', 'boss'));
    const outcome = log.apply({ type: 'user.nick', uid: '1', nick: 'boss', msgid: 'n1', displace: { uid: '2', nick: 'Guest12345', msgid: 'g1' } });
    assert.equal(outcome.verdict.ok, true);
    assert.equal(log.state.userByNick('boss')?.uid, '1');
    assert.equal(log.state.userByNick('Guest12345')?.uid, '2');
    assert.deepEqual(toUser(outcome, '2'), [
      ':boss!u@h.example NICK Guest12345',
      ':a.test NOTICE Guest12345 :boss is the nick of an account whose owner has logged in and taken it, so you are now Guest12345.',
    ]);
  });

  test('the holder stays when the claimant is not the owner, or the holder is logged in to the account', () => {
    const log = new Log();
    log.apply(introduce('1', 'bossaway', 'other'));
    log.apply(introduce('2', 'boss'));
    assertRefused(log.apply({ type: 'user.nick', uid: '1', nick: 'boss', msgid: 'n1', displace: { uid: '2', nick: 'Guest1', msgid: 'g1' } }), 'Nickname is already in use');
    const both = new Log();
    both.apply(introduce('1', 'bossaway', 'boss'));
    both.apply(introduce('2', 'boss', 'Boss'));
    assertRefused(both.apply({ type: 'user.nick', uid: '1', nick: 'boss', msgid: 'n1', displace: { uid: '2', nick: 'Guest1', msgid: 'g1' } }), 'Nickname is already in use');
    assert.equal(both.state.users.get('2')?.nick, 'boss');
  });

  test('the admin pseudo-user is never displaced, even by an account named like it', () => {
    const log = new Log({ nick: 'Admin', hostname: 'a.test' });
    log.apply(introduce('1', 'someone', 'admin'));
    assertRefused(log.apply({ type: 'user.nick', uid: '1', nick: 'admin', msgid: 'n1', displace: { uid: ADMIN_UID, nick: 'Guest1', msgid: 'g1' } }), 'Nickname is already in use');
    assert.equal(log.state.users.get(ADMIN_UID)?.nick, 'Admin');
  });
});

describe('reducer: the owner introduced logged in takes the nick', () => {
  for (const held of ['boss', TWIN]) {
    test(`from the holder of ${held}`, () => {
      const log = new Log();
      log.apply(introduce('2', held));
      const outcome = log.apply(introduce('1', 'boss', 'boss', { uid: '2', nick: 'Guest12345', msgid: 'g1' }));
      assert.equal(outcome.verdict.ok, true);
      assert.equal(log.state.userByNick('boss')?.uid, '1');
      assert.equal(log.state.userByNick('Guest12345')?.uid, '2');
      assert.equal(log.state.lookalikes.twinOf(TWIN)?.uid, '1');
      const [nick, notice] = toUser(outcome, '2');
      assert.equal(nick, `:${held}!u@h.example NICK Guest12345`);
      assert.match(notice!, /the nick of an account whose owner has logged in and taken it, so you are now Guest12345\.$/);
    });
  }

  test('not logged in to the account, without a displacement, or to a taken guest nick: refused, nothing changes', () => {
    const log = new Log();
    log.apply(introduce('2', TWIN));
    log.apply(introduce('3', 'Guest1'));
    const displace = { uid: '2', nick: 'Guest9', msgid: 'g1' };
    assertRefused(log.apply(introduce('1', 'boss', undefined, displace)), 'Nickname is too like one already in use');
    assertRefused(log.apply(introduce('1', 'boss', 'other', displace)), 'Nickname is too like one already in use');
    assertRefused(log.apply(introduce('1', 'boss', 'boss')), 'Nickname is too like one already in use');
    assertRefused(log.apply(introduce('1', 'boss', 'boss', { ...displace, nick: 'Guest1' })), 'Nickname is too like one already in use');
    assertRefused(log.apply(introduce('1', 'boss', 'boss', { ...displace, nick: 'notaguest' })), 'Nickname is too like one already in use');
    assert.equal(log.state.users.has('1'), false);
    assert.equal(log.state.users.get('2')?.nick, TWIN);
  });

  test('a ban on the newcomer refuses it before anyone is renamed', () => {
    const log = new Log();
    log.apply(introduce('2', 'boss'));
    log.apply({ type: 'ban.add', list: 'ban', ban: { kind: 'mask', mask: '*!*@h.example', reason: 'no', setBy: 'op', setAt: T0, expiresAt: undefined } });
    const outcome = log.apply(introduce('1', 'boss', 'boss', { uid: '2', nick: 'Guest12345', msgid: 'g1' }));
    assert.equal(outcome.verdict.ok, false);
    assert.equal(!outcome.verdict.ok && outcome.verdict.refusal?.numeric, '465');
    assert.equal(log.state.users.get('2')?.nick, 'boss');
  });
});
