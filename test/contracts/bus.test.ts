// One contract for every Bus implementation (in-process now; Redis comes with clustering).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Bus } from '../../src/cluster/bus.ts';
import { InProcessBus } from '../../src/cluster/in-process-bus.ts';

type Event = { n: number };

export function busContract(name: string, make: () => Bus<Event>): void {
  describe(`Bus contract: ${name}`, () => {
    test('publish reaches local subscribers before it returns, in order', async () => {
      const bus = make();
      const seen: number[] = [];
      bus.subscribe((e) => seen.push(e.n));
      bus.publish({ n: 1 });
      assert.deepEqual(seen, [1]);
      bus.publish({ n: 2 });
      bus.publish({ n: 3 });
      assert.deepEqual(seen, [1, 2, 3]);
      await bus.close();
    });

    test('every subscriber gets every event; unsubscribe stops delivery', async () => {
      const bus = make();
      const a: number[] = [];
      const b: number[] = [];
      const offA = bus.subscribe((e) => a.push(e.n));
      bus.subscribe((e) => b.push(e.n));
      bus.publish({ n: 1 });
      offA();
      bus.publish({ n: 2 });
      assert.deepEqual(a, [1]);
      assert.deepEqual(b, [1, 2]);
      await bus.close();
    });

    test('has a node id', () => {
      assert.match(make().nodeId, /^\S+$/);
    });
  });
}

busContract('InProcessBus', () => new InProcessBus<Event>('n1'));
