// MAXLIST checked again by the reducer: a channel.mode carries its writer's list limits, and an
// entry past them is left out at its place in the log. Two operators on two nodes, each seeing
// room for one more ban, cannot fill the list past it together.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { LogEntry } from '../../src/cluster/log-cursor.ts';
import type { ListLimits, NetworkEvent } from '../../src/network/events.ts';
import { NetworkState } from '../../src/network/network-state.ts';
import { Reducer } from '../../src/network/reducer.ts';

const T0 = 1_700_000_000_000;

class Log {
  readonly state = new NetworkState();
  readonly reducer = new Reducer(this.state, { serverName: 'a.test' });
  private position = 0;
  constructor() {
    this.apply({ type: 'node.up', nodeId: 'n1' });
  }
  apply(event: NetworkEvent): ReturnType<Reducer['apply']> {
    this.position++;
    const entry: LogEntry<NetworkEvent> = { position: this.position, epoch: 'e1', time: T0 + this.position, ref: 0, event };
    return this.reducer.apply(entry);
  }
}

const introduce = (uid: string, nick: string): NetworkEvent => ({
  type: 'user.introduce', uid, nodeId: 'n1', nick, username: 'u', hostname: 'h.example', realname: 'R', secure: false, address: '10.0.0.1', modes: '',
});

const LIMITS: ListLimits = { b: 2, e: 1, I: 1 };
const mode = (uid: string, changes: { add: boolean; mode: string; arg?: string }[], listLimits?: ListLimits): NetworkEvent => ({
  type: 'channel.mode', uid, setBy: `${uid}!u@h.example`, channel: '#room', changes, msgid: `m${Math.random()}`, ...(listLimits && { listLimits }),
});

test('two operators each adding to a list with one place left: the later entry in the log is left out', () => {
  const log = new Log();
  log.apply(introduce('1', 'op1'));
  log.apply(introduce('2', 'op2'));
  log.apply({ type: 'channel.join', uid: '1', channel: '#room', key: undefined, msgid: 'j1' });
  log.apply({ type: 'channel.join', uid: '2', channel: '#room', key: undefined, msgid: 'j2' });
  log.apply(mode('1', [{ add: true, mode: 'o', arg: '2' }]));
  assert.ok(log.apply(mode('1', [{ add: true, mode: 'b', arg: 'a!*@*' }], LIMITS)).verdict.ok);
  // Both wrote against a list of one entry.
  const first = log.apply(mode('1', [{ add: true, mode: 'b', arg: 'b!*@*' }], LIMITS));
  const second = log.apply(mode('2', [{ add: true, mode: 'b', arg: 'c!*@*' }, { add: true, mode: 'e', arg: 'x!*@*' }], LIMITS));
  assert.deepEqual(first.verdict.ok && first.verdict.modeParams, ['+b', 'b!*@*']);
  assert.deepEqual(second.verdict.ok && second.verdict.modeParams, ['+e', 'x!*@*']);
  const room = log.state.channel('#room')!;
  assert.deepEqual(room.bans.map((b) => b.mask), ['a!*@*', 'b!*@*']);
  // Each list has its own limit; removing makes room again.
  const third = log.apply(mode('1', [{ add: true, mode: 'e', arg: 'y!*@*' }, { add: false, mode: 'b', arg: 'a!*@*' }, { add: true, mode: 'b', arg: 'c!*@*' }], LIMITS));
  assert.deepEqual(third.verdict.ok && third.verdict.modeParams, ['-b+b', 'a!*@*', 'c!*@*']);
  assert.deepEqual(room.exceptions.map((b) => b.mask), ['x!*@*']);
  // Without limits (an event from before they were carried), nothing is left out.
  const unlimited = log.apply(mode('1', [{ add: true, mode: 'b', arg: 'd!*@*' }]));
  assert.deepEqual(unlimited.verdict.ok && unlimited.verdict.modeParams, ['+b', 'd!*@*']);
});
