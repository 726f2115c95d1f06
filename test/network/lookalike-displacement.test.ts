// The reducer deciding, at an entry's place in the log, whether the owner of an account takes
// its nick from the holder of a look-alike (user.nick with `displace`): only the account's
// owner, only from a twin with no right to its nick, only to a free guest nick; otherwise the
// NICK is refused 433 and nothing changes.
import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import type { LogEntry } from '../../src/cluster/log-cursor.ts';
import type { NetworkEvent } from '../../src/network/events.ts';
import { NetworkState } from '../../src/network/network-state.ts';
import { Reducer } from '../../src/network/reducer.ts';

const T0 = 1_700_000_000_000;
const TWIN = '\u0412\u041e\u0405\u0405'; // ВОЅЅ, Cyrillic

class Log {
  readonly state = new NetworkState();
  readonly reducer = new Reducer(this.state, { serverName: 'a.test' });
  private position = 0;
  apply(event: NetworkEvent): ReturnType<Reducer['apply']> {
    this.position++;
    const entry: LogEntry<NetworkEvent> = { position: this.position, epoch: 'e1', time: T0 + this.position, ref: 0, event };
    return this.reducer.apply(entry);
  }
}

const introduce = (uid: string, nick: string, account?: string): NetworkEvent => ({
  type: 'user.introduce', uid, nodeId: 'n1', nick, username: 'u', hostname: 'h.example', realname: 'R', secure: false, address: '10.0.0.1', modes: '', account,
});

/** Owner (uid 1, account boss) as bossaway, and the twin's holder (uid 2, logged in to `twinAccount`). */
function scene(twinAccount?: string): Log {
  const log = new Log();
  log.apply({ type: 'node.up', nodeId: 'n1', casemapping: 'precis' });
  assert.equal(log.apply(introduce('1', 'bossaway', 'boss')).verdict.ok, true);
  assert.equal(log.apply(introduce('2', TWIN, twinAccount)).verdict.ok, true);
  return log;
}

const claim = (displace: { uid: string; nick: string; msgid: string } | undefined, uid = '1'): NetworkEvent => ({
  type: 'user.nick', uid, nick: 'boss', msgid: 'n1', ...(displace && { displace }),
});

function assertUnchanged(log: Log, outcome: ReturnType<Reducer['apply']>): void {
  assert.equal(outcome.verdict.ok, false);
  assert.equal(!outcome.verdict.ok && outcome.verdict.refusal?.numeric, '433');
  assert.deepEqual(outcome.deliveries, []);
  assert.equal(log.state.users.get('1')?.nick, 'bossaway');
  assert.equal(log.state.users.get('2')?.nick, TWIN);
}

describe('reducer: the owner takes their nick from a look-alike', () => {
  test('the twin is renamed to the guest nick and told; the owner gets the nick', () => {
    const log = scene();
    const outcome = log.apply(claim({ uid: '2', nick: 'Guest12345', msgid: 'g1' }));
    assert.equal(outcome.verdict.ok, true);
    assert.equal(log.state.userByNick('boss')?.uid, '1');
    assert.equal(log.state.userByNick('guest12345')?.uid, '2');
    assert.equal(log.state.lookalikes.twinOf(TWIN)?.uid, '1');
    const toTwin = outcome.deliveries.flatMap((d) => (d.to === 'user' && d.uid === '2' ? [d.out.line(0)] : []));
    assert.deepEqual(toTwin, [
      `:${TWIN}!u@h.example NICK Guest12345`,
      `:a.test NOTICE Guest12345 :${TWIN} looks like boss, the nick of an account whose owner has logged in and taken it, so you are now Guest12345.`,
    ]);
  });

  test('without a displacement, or naming someone else, the NICK is refused and nothing changes', () => {
    const log = scene();
    assertUnchanged(log, log.apply(claim(undefined)));
    assertUnchanged(log, log.apply(claim({ uid: '1', nick: 'Guest1', msgid: 'g1' })));
    assertUnchanged(log, log.apply(claim({ uid: '9', nick: 'Guest1', msgid: 'g1' })));
  });

  test('only the account’s owner may displace, only to a free Guest nick', () => {
    const log = scene();
    assert.equal(log.apply(introduce('3', 'mallory')).verdict.ok, true);
    assertUnchanged(log, log.apply(claim({ uid: '2', nick: 'Guest1', msgid: 'g1' }, '3')));
    assert.equal(log.state.users.get('3')?.nick, 'mallory');
    assertUnchanged(log, log.apply(claim({ uid: '2', nick: 'mallory2', msgid: 'g1' })));
    assert.equal(log.apply(introduce('4', 'Guest1')).verdict.ok, true);
    assertUnchanged(log, log.apply(claim({ uid: '2', nick: 'Guest1', msgid: 'g1' })));
  });

  test('a twin logged in to the account of its own nick, or to the owner’s, keeps it', () => {
    for (const account of [TWIN, 'BOSS']) {
      const log = scene(account);
      assertUnchanged(log, log.apply(claim({ uid: '2', nick: 'Guest1', msgid: 'g1' })));
    }
  });
});
