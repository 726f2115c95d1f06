// The reducer with Unicode nicks: nick freedom by the shared fold and by skeleton, whatever
// node wrote the event; the casemapping is one for the whole network; snapshots keep both.
import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import type { LogEntry } from '../../src/cluster/log-cursor.ts';
import type { NetworkEvent } from '../../src/network/events.ts';
import { NetworkState } from '../../src/network/network-state.ts';
import { Reducer } from '../../src/network/reducer.ts';
import { loadSnapshot, takeSnapshot } from '../../src/network/snapshot.ts';

const T0 = 1_700_000_000_000;

class Log {
  readonly state = new NetworkState();
  readonly reducer = new Reducer(this.state, { serverName: 'a.test' });
  private position = 0;
  apply(event: NetworkEvent, epoch = 'e1'): ReturnType<Reducer['apply']> {
    this.position++;
    const entry: LogEntry<NetworkEvent> = { position: this.position, epoch, time: T0 + this.position, ref: 0, event };
    return this.reducer.apply(entry);
  }
}

const introduce = (uid: string, nick: string, nodeId = 'n1'): NetworkEvent => ({
  type: 'user.introduce', uid, nodeId, nick, username: 'u', hostname: 'h.example', realname: 'R', secure: false, address: '10.0.0.1', modes: '',
});

describe('reducer: Unicode nicks', () => {
  test('ЖОРА is Жора; 张三 and 張三 are two; a Cyrillic twin of a Latin nick is refused both ways', () => {
    const log = new Log();
    log.apply({ type: 'node.up', nodeId: 'n1', casemapping: 'precis' });
    assert.equal(log.apply(introduce('1', 'Жора')).verdict.ok, true);
    const again = log.apply(introduce('2', 'ЖОРА')).verdict;
    assert.equal(again.ok, false);
    assert.equal(!again.ok && again.refusal?.numeric, '433');
    assert.equal(log.apply(introduce('3', '张三')).verdict.ok, true);
    assert.equal(log.apply(introduce('4', '張三')).verdict.ok, true);
    assert.equal(log.apply(introduce('5', 'papa')).verdict.ok, true);
    const twin = log.apply(introduce('6', '\u0440\u0430\u0440\u0430')).verdict; // рара
    assert.equal(twin.ok, false);
    assert.equal(log.state.userByNick('жора')?.uid, '1');
    // The Latin one leaves; the Cyrillic one comes; the Latin one may not come back.
    log.apply({ type: 'user.quit', uid: '5', reason: 'bye', msgid: 'q5' });
    assert.equal(log.apply(introduce('6', '\u0440\u0430\u0440\u0430')).verdict.ok, true);
    assert.equal(log.apply(introduce('7', 'papa')).verdict.ok, false);
    assert.equal(log.apply({ type: 'user.nick', uid: '3', nick: 'papa', msgid: 'n1' }).verdict.ok, false);
    // Changing one's own nick to a look-alike of itself (case) is fine.
    assert.equal(log.apply({ type: 'user.nick', uid: '1', nick: 'ЖОРА', msgid: 'n2' }).verdict.ok, true);
    assert.equal(log.state.userByNick('жора')?.nick, 'ЖОРА');
  });

  test('a snapshot keeps the look-alike index and the casemapping', () => {
    const log = new Log();
    log.apply({ type: 'node.up', nodeId: 'n1', casemapping: 'precis' });
    log.apply(introduce('1', 'papa'));
    const copy = new NetworkState();
    loadSnapshot(copy, takeSnapshot(log.state));
    assert.equal(copy.casemapping, 'precis');
    assert.equal(copy.lookalikes.twinOf('\u0440\u0430\u0440\u0430')?.uid, '1');
  });

  test('a node with another casemapping is refused', () => {
    const log = new Log();
    assert.equal(log.apply({ type: 'node.up', nodeId: 'n1', casemapping: 'precis' }, 'e1').verdict.ok, true);
    const other = log.apply({ type: 'node.up', nodeId: 'n2', casemapping: 'rfc1459' }, 'e2').verdict;
    assert.equal(other.ok, false);
    assert.match(!other.ok ? (other.refusal?.text ?? '') : '', /casemapping/);
    assert.equal(log.state.nodes.has('n2'), false);
    assert.equal(log.state.casemapping, 'precis');
    assert.equal(log.apply({ type: 'node.up', nodeId: 'n2', casemapping: 'precis' }, 'e3').verdict.ok, true);
  });

  test('a node folding with another Unicode version is refused; a snapshot keeps the version', () => {
    const log = new Log();
    assert.equal(log.apply({ type: 'node.up', nodeId: 'n1', casemapping: 'precis', unicode: '15.1' }, 'e1').verdict.ok, true);
    const other = log.apply({ type: 'node.up', nodeId: 'n2', casemapping: 'precis', unicode: '16.0' }, 'e2').verdict;
    assert.equal(other.ok, false);
    assert.match(!other.ok ? (other.refusal?.text ?? '') : '', /Unicode 15\.1.*16\.0/);
    assert.equal(log.state.nodes.has('n2'), false);
    const copy = new NetworkState();
    loadSnapshot(copy, takeSnapshot(log.state));
    assert.equal(copy.unicode, '15.1');
    assert.equal(log.apply({ type: 'node.up', nodeId: 'n2', casemapping: 'precis', unicode: '15.1' }, 'e3').verdict.ok, true);
    // Once every node is gone, a network restarted on a newer Node takes its version.
    log.apply({ type: 'node.down', nodeId: 'n1', epoch: 'e1', reason: 'upgrade' });
    log.apply({ type: 'node.down', nodeId: 'n2', epoch: 'e3', reason: 'upgrade' });
    assert.equal(log.apply({ type: 'node.up', nodeId: 'n1', casemapping: 'precis', unicode: '16.0' }, 'e4').verdict.ok, true);
    assert.equal(log.state.unicode, '16.0');
  });
});
