// LogCursor: a node applies the log's entries exactly once, in order, whatever the transport
// does to them (late, twice, lost), and passes over a dead epoch's entries on every node alike.
// The property test prints its seed when it fails, and the PARLOR_SEED=… command that replays it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { propertyParams } from '../helpers/property.ts';
import { LogCursor, type LogEntry } from '../../src/cluster/log-cursor.ts';

const entry = (position: number, epoch = 'a1'): LogEntry<string> => ({ position, epoch, time: 1000 + position, ref: 0, event: `e${position}` });

test('entries in order are applied; a repeat is a duplicate; a skipped position is a gap', () => {
  const cursor = new LogCursor();
  assert.equal(cursor.check(entry(1)), 'apply');
  assert.equal(cursor.check(entry(2)), 'apply');
  assert.equal(cursor.check(entry(2)), 'duplicate');
  assert.equal(cursor.check(entry(1)), 'duplicate');
  assert.equal(cursor.check(entry(4)), 'gap');
  assert.equal(cursor.position, 2, 'a gap leaves the cursor where it was');
  assert.equal(cursor.check(entry(3)), 'apply');
  assert.equal(cursor.check(entry(4)), 'apply');
});

test('a dead epoch: its later entries use up their positions but are not applied', () => {
  const cursor = new LogCursor();
  assert.equal(cursor.check(entry(1, 'b1')), 'apply');
  cursor.markEpochDead('b1');
  assert.equal(cursor.check(entry(2, 'b1')), 'dead-epoch');
  assert.equal(cursor.check(entry(3, 'b2')), 'apply', 'the node back under a new epoch is heard');
  assert.equal(cursor.position, 3);
});

test('starting from a snapshot: what it reflects is a duplicate; its dead epochs stay dead', () => {
  const cursor = new LogCursor(10);
  assert.equal(cursor.check(entry(10)), 'duplicate');
  assert.equal(cursor.check(entry(11)), 'apply');
  cursor.resetTo(20, ['x1']);
  assert.equal(cursor.check(entry(21, 'x1')), 'dead-epoch');
  assert.throws(() => new LogCursor(-1), RangeError);
  assert.throws(() => cursor.resetTo(1.5), RangeError);
});

test('property: late, repeated and lost deliveries still apply the log once, in order', () => {
  const logEntries = fc
    .array(fc.constantFrom('a1', 'b1', 'b2'), { minLength: 1, maxLength: 60 })
    .map((epochs) => epochs.map((epoch, i) => entry(i + 1, epoch)));
  fc.assert(
    fc.property(
      logEntries,
      // What the transport does: each delivery names an entry (possibly again, possibly never).
      fc.array(fc.nat(), { maxLength: 200 }),
      fc.nat(),
      (log, picks, killAt) => {
        // b1 is declared dead at some position: a node.down every node applies at that point.
        const downAt = (killAt % log.length) + 1;
        const cursor = new LogCursor();
        const applied: number[] = [];
        const take = (e: LogEntry<string>): void => {
          const verdict = cursor.check(e);
          if (verdict === 'apply') applied.push(e.position);
          if (verdict === 'gap') catchUp();
          if ((verdict === 'apply' || verdict === 'dead-epoch') && e.position === downAt) cursor.markEpochDead('b1');
        };
        // Resync: read the log after our position, as a node does from the real log.
        const catchUp = (): void => {
          for (const e of log.slice(cursor.position)) take(e);
        };
        for (const p of picks) take(log[p % log.length]!);
        catchUp(); // the transport settles: the rest of the log arrives
        const expected = log.filter((e) => !(e.epoch === 'b1' && e.position > downAt)).map((e) => e.position);
        assert.deepEqual(applied, expected);
        assert.equal(cursor.position, log.length);
      },
    ),
    propertyParams({ numRuns: 300 }),
  );
});
