// The fast-check parameters of test/helpers/property.ts: a failure says which seed failed and
// how to run it again, and PARLOR_SEED set to that seed replays the same failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { propertyParams, replayCommand } from './helpers/property.ts';

/** Fails for numbers of 1000 and more: fast-check finds one and shrinks it to exactly 1000. */
const failsFrom1000 = fc.property(fc.nat(), (n) => {
  assert.ok(n < 1000, `${n} is too big`);
});

function failureOf(run: () => void): Error {
  try {
    run();
  } catch (err) {
    return err as Error;
  }
  assert.fail('the property did not fail');
}

function withSeedEnv<T>(value: string | undefined, body: () => T): T {
  const saved = process.env.PARLOR_SEED;
  if (value === undefined) delete process.env.PARLOR_SEED;
  else process.env.PARLOR_SEED = value;
  try {
    return body();
  } finally {
    if (saved === undefined) delete process.env.PARLOR_SEED;
    else process.env.PARLOR_SEED = saved;
  }
}

/** The seed in the replay line of a failure: the one to give PARLOR_SEED. */
function replaySeed(message: string): string {
  const match = /^Replay: PARLOR_SEED=(-?\d+) node --import tsx --test \S+$/m.exec(message);
  assert.ok(match, `no replay line in:\n${message}`);
  return match[1]!;
}

test('a failing property names its seed, the command that replays it, and keeps the assertion as its cause', () => {
  const failure = withSeedEnv(undefined, () => failureOf(() => fc.assert(failsFrom1000, propertyParams({ numRuns: 200 }))));
  const seed = replaySeed(failure.message);
  // fast-check's own report is all there: the same seed, the counterexample, shrunk.
  assert.match(failure.message, new RegExp(`\\{ seed: ${seed}, path: "[\\d:]+", endOnFailure: true \\}`));
  assert.match(failure.message, /^Counterexample: \[1000\]$/m);
  assert.match(String((failure.cause as Error | undefined)?.message), /1000 is too big/);
  assert.match(failure.message, /--test test\/property-seed\.test\.ts$/m, 'the command names this file');
});

test('PARLOR_SEED replays a failure: the same seed, the same run, the same first counterexample', () => {
  const first = withSeedEnv(undefined, () => failureOf(() => fc.assert(failsFrom1000, propertyParams({ numRuns: 200, endOnFailure: true }))));
  const seed = replaySeed(first.message);
  const again = withSeedEnv(seed, () => failureOf(() => fc.assert(failsFrom1000, propertyParams({ numRuns: 200, endOnFailure: true }))));
  assert.equal(replaySeed(again.message), seed);
  // Without shrinking the counterexample is the first failing draw: only the same seed gives it again.
  const counterexample = (message: string): string => /^Counterexample: (.*)$/m.exec(message)?.[1] ?? message;
  assert.equal(counterexample(again.message), counterexample(first.message));
  assert.equal(withSeedEnv(seed, () => propertyParams().seed), Number(seed));
});

test('an async property reports its seed the same way', async () => {
  const saved = process.env.PARLOR_SEED;
  process.env.PARLOR_SEED = '12345';
  try {
    const property = fc.asyncProperty(fc.nat(), async (n) => {
      await Promise.resolve();
      assert.ok(n < 1000);
    });
    await assert.rejects(fc.assert(property, propertyParams({ numRuns: 200 })), (err: Error) => {
      assert.equal(replaySeed(err.message), '12345');
      return true;
    });
  } finally {
    if (saved === undefined) delete process.env.PARLOR_SEED;
    else process.env.PARLOR_SEED = saved;
  }
});

test('a passing property is quiet; the replay command is relative to the working directory', () => {
  fc.assert(fc.property(fc.nat(), (n) => n >= 0), propertyParams({ numRuns: 50 }));
  assert.equal(replayCommand(7, `${process.cwd()}/test/x.test.ts`), 'PARLOR_SEED=7 node --import tsx --test test/x.test.ts');
});
