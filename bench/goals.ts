// Issue 17's targets ("[7/7 speed] Private chat as fast as room chat"), checked against one
// run's results: each is met, missed, or not measured (its workload or reference server was
// not in the run). Ratios are against the best reference server in the same run.
import type { Result } from './runner.ts';

export interface GoalCheck {
  goal: string;
  result: string;
  met: boolean | undefined;
}

const REFERENCES = ['ngircd', 'inspircd'];
/** InspIRCd's join-2000 total at the last full comparison, used when it is not in the run. */
const INSPIRCD_JOIN_MS = 1_030;

const n = (v: number, digits = 0): string => (Number.isFinite(v) ? v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '–');

function find(results: Result[], server: string, workload: (name: string) => boolean): Result | undefined {
  return results.find((r) => r.server === server && workload(r.workload));
}

/** Parlor's deliveries/s against the faster reference server in the same run. */
function throughputRatio(results: Result[], workload: string, need: number, extra = ''): GoalCheck {
  const goal = `${workload} deliveries/s ≥ ${need}× the best peer${extra}`;
  const parlor = find(results, 'parlor', (w) => w === workload);
  const peers = REFERENCES.map((s) => find(results, s, (w) => w === workload)).filter((r) => r !== undefined);
  if (!parlor) return { goal, result: 'not measured', met: undefined };
  if (peers.length === 0) return { goal, result: 'not measured (needs --compare)', met: undefined };
  const best = peers.reduce((a, b) => (b.deliveriesPerSec > a.deliveriesPerSec ? b : a));
  const ratio = parlor.deliveriesPerSec / best.deliveriesPerSec;
  // What the servers would show if the generator cost nothing: CPU per delivery against the
  // thriftiest peer (the generator shares the machine's cores, which narrows the throughput ratio).
  const thrifty = peers.reduce((a, b) => (b.cpuPerDeliveryUs < a.cpuPerDeliveryUs ? b : a));
  const capacity = `CPU per delivery ${n(parlor.cpuPerDeliveryUs, 2)} vs ${n(thrifty.cpuPerDeliveryUs, 2)} µs ${thrifty.server}: ${n(thrifty.cpuPerDeliveryUs / parlor.cpuPerDeliveryUs, 2)}×`;
  return { goal, result: `${n(ratio, 2)}× ${best.server} (${n(parlor.deliveriesPerSec)} vs ${n(best.deliveriesPerSec)}/s); ${capacity}`, met: ratio >= need };
}

export function checkGoals(results: Result[]): GoalCheck[] {
  const checks: GoalCheck[] = [];
  const pairs = find(results, 'parlor', (w) => w === 'pairs-200');
  const pairsRatio = throughputRatio(results, 'pairs-200', 1.2, ', every message stored');
  if (pairs && pairsRatio.met !== undefined) {
    const stored = pairs.stored;
    const allStored = stored !== undefined && stored >= pairs.sent && pairs.sent > 0;
    pairsRatio.result += `; stored ${stored === undefined ? 'nothing (no accounts)' : `${n(stored)}/${n(pairs.sent)}`}`;
    pairsRatio.met = pairsRatio.met && allStored;
  }
  checks.push(pairsRatio);
  checks.push(
    pairs
      ? {
          goal: 'pairs-200 server CPU per private message ≤ 4 µs (every message stored)',
          result: `${n(pairs.cpuPerDeliveryUs, 2)} µs${pairs.stored === undefined ? ' (nothing stored)' : ''}`,
          met: pairs.cpuPerDeliveryUs <= 4 && pairs.stored !== undefined && pairs.stored >= pairs.sent,
        }
      : { goal: 'pairs-200 server CPU per private message ≤ 4 µs (every message stored)', result: 'not measured', met: undefined },
  );
  checks.push(throughputRatio(results, 'room-100', 1.2));
  checks.push(throughputRatio(results, 'rooms-1000', 1.2));

  const reg = find(results, 'parlor', (w) => w === 'register-500');
  const regGoal = 'register-500 ≥ 3,000 registrations/s, p99 < 150 ms';
  checks.push(
    reg
      ? { goal: regGoal, result: `${n(reg.regPerSec)}/s, p99 ${n(reg.regP99Ms)} ms`, met: reg.regPerSec >= 3000 && reg.regP99Ms < 150 && reg.registered === reg.clients }
      : { goal: regGoal, result: 'not measured', met: undefined },
  );

  const join = find(results, 'parlor', (w) => w === 'join-2000');
  const inspJoin = find(results, 'inspircd', (w) => w === 'join-2000');
  const joinGoal = 'join-2000 total ≤ InspIRCd’s';
  const bar = inspJoin?.joinTotalMs ?? INSPIRCD_JOIN_MS;
  checks.push(
    join
      ? {
          goal: joinGoal,
          result: `${n(join.joinTotalMs)} ms vs ${n(bar)} ms${inspJoin ? ' (same run)' : ' (InspIRCd not in this run: its last full-run figure)'}`,
          met: join.joinTotalMs <= bar,
        }
      : { goal: joinGoal, result: 'not measured', met: undefined },
  );

  const idle = find(results, 'parlor', (w) => w.startsWith('idle-'));
  const idleGoal = 'idle ≤ 3.5 KB per registered connection';
  checks.push(
    idle
      ? { goal: idleGoal, result: `${n(idle.bytesPerConnection / 1024, 2)} KB (${idle.workload}, ${n(idle.registered)} held)`, met: idle.bytesPerConnection <= 3.5 * 1024 && idle.registered === idle.clients }
      : { goal: idleGoal, result: 'not measured', met: undefined },
  );

  const unhealthy = results.filter((r) => r.lost > 0 || r.disconnects > 0 || r.registered < r.clients);
  checks.push({
    goal: 'zero lost (incl. messages not stored), zero disconnects, every server',
    result: unhealthy.length === 0 ? 'yes' : unhealthy.map((r) => `${r.server}/${r.workload}: lost ${r.lost}, disconnects ${r.disconnects}`).join('; '),
    met: unhealthy.length === 0,
  });
  return checks;
}

export function goalsTable(checks: GoalCheck[]): string {
  const mark = (m: boolean | undefined): string => (m === undefined ? '–' : m ? 'met' : '**missed**');
  return ['| issue 17 target | result | met? |', '| --- | --- | --- |', ...checks.map((c) => `| ${c.goal} | ${c.result} | ${mark(c.met)} |`)].join('\n');
}
