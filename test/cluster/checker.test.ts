// The randomized checker of issue 18: three real nodes on one seeded DelayedLog (each reading it
// at its own pace; even seeds also lose and repeat deliveries), a few dozen real clients sending
// random NICK, JOIN (+l/+k/+i rooms), PART, KICK, MODE, INVITE, PRIVMSG, REDACT and QUIT without
// waiting, races started on purpose, node kills and restarts. Once the run has settled: every node
// in the state the log's replay reaches (snapshot digests equal), one user per nick, +l/+k/+i
// honoured by every JOIN, one founding operator per new room, every message to exactly its room's
// members at its position, once each and in log order on every node, every deletion told to
// exactly whom its position's deliveries name, no message sent after its deletion to a client
// told of it nor kept in history, a killed node's users gone.
//
// `npm test` runs a handful of seeds, a few seconds each. Longer runs:
//   PARLOR_CHECKER_SEEDS=50 (seeds 1..50) or PARLOR_CHECKER_SEEDS=3,17 · PARLOR_CHECKER_OPS=2000
//   PARLOR_SEED=17 replays one seed (the commands are the same; timers interleave as they will).
// A failing seed whose fault was found is kept as a deterministic scenario in checker-regressions.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChecker } from '../helpers/checker/run.ts';

const DEFAULT_SEEDS = [1, 2, 3, 4, 5, 6];
const DEFAULT_OPS = 400;

function seedsToRun(): number[] {
  const one = process.env.PARLOR_SEED;
  if (one !== undefined && one.trim() !== '') return [Number(one)];
  const spec = process.env.PARLOR_CHECKER_SEEDS?.trim();
  if (!spec) return DEFAULT_SEEDS;
  if (/^\d+$/.test(spec)) return Array.from({ length: Number(spec) }, (_, i) => i + 1);
  return spec.split(',').map((s) => Number(s.trim()));
}

function opsPerRun(): number {
  const ops = Number(process.env.PARLOR_CHECKER_OPS ?? DEFAULT_OPS);
  if (!Number.isSafeInteger(ops) || ops <= 0) throw new RangeError(`PARLOR_CHECKER_OPS must be a positive integer, not ${process.env.PARLOR_CHECKER_OPS}`);
  return ops;
}

for (const seed of seedsToRun()) {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`Invalid checker seed ${seed}`);
  // Even seeds: one delivery in fifty lost, one in fifty made twice, per node.
  const faultRate = seed % 2 === 0 ? 0.02 : 0;
  test(`checker: seed ${seed}${faultRate > 0 ? ', lossy' : ''} (PARLOR_SEED=${seed} replays it)`, async (t) => {
    const result = await runChecker({ seed, ops: opsPerRun(), faultRate });
    t.diagnostic(`seed ${seed}: ${JSON.stringify(result.stats)}`);
    const shown = result.violations.slice(0, 30);
    for (const v of shown) t.diagnostic(v);
    assert.deepEqual(shown, [], `${result.violations.length} invariant(s) broken with seed ${seed} (set PARLOR_SEED=${seed} to replay)`);
  });
}
