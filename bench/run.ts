// `npm run bench [-- --compare] [--quick] [--only a,b] [--idle N] [--generator thread|process]`:
// runs every workload against Parlor (and ngircd / InspIRCd with --compare), each on a fresh
// server, and prints one table and issue 17's targets (goals.ts). Results go to bench/results/. `--cluster 1,2,3` runs the cluster bench
// instead (bench/cluster.ts: N nodes on Redis + PostgreSQL; --idle is then per node).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { checkGoals, goalsTable } from './goals.ts';
import type { GeneratorKind } from './load/generator.ts';
import { detailLines, headline, markdownTable, svgChart } from './report.ts';
import { runWorkload, type Result } from './runner.ts';
import { externalTarget, parlorTarget, type Target } from './targets.ts';
import { workloads } from './workloads.ts';

/** Average cores other processes may use during a measured phase before the run is flagged as noisy. */
const QUIET_OTHER_CORES = 0.2;

const { values } = parseArgs({
  options: {
    compare: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    idle: { type: 'string' },
    out: { type: 'string' },
    profile: { type: 'boolean', default: false },
    repeat: { type: 'string' },
    cluster: { type: 'string' },
    generator: { type: 'string', default: 'thread' },
  },
});
if (values.generator !== 'thread' && values.generator !== 'process') throw new Error('--generator is thread (worker threads, the default) or process (child processes)');
const generator: GeneratorKind = values.generator;

const here = fileURLToPath(new URL('.', import.meta.url));
const outDir = values.out ?? join(here, 'results');
// 20,000 idle connections need 20,000 descriptors in the server (and as many in the load
// generator); where the hard limit is lower, hold as many as it allows.
const fdLimit = Number(process.env.BENCH_FD_LIMIT ?? 1024);
const idle = Number(values.idle ?? Math.min(values.quick ? 2000 : 20000, fdLimit - 500));
if (idle + 500 > fdLimit) console.log(`warning: ulimit -n is ${fdLimit}; ${idle} idle connections may not fit`);
if (values.cluster !== undefined) {
  const { runClusterBench } = await import('./cluster.ts');
  // Each node and each idle load process holds its own connections: the limit is per node.
  const idlePerNode = Number(values.idle ?? Math.min(values.quick ? 2000 : 19000, fdLimit - 1000));
  const nodeCounts = values.cluster.split(',').map(Number);
  if (nodeCounts.some((n) => !Number.isInteger(n) || n < 1 || n > 6)) throw new Error('--cluster takes node counts from 1 to 6, e.g. 1,2,3');
  const profileDir = values.profile ? join(outDir, 'profiles') : undefined;
  process.exit(await runClusterBench({ nodeCounts, quick: values.quick, idlePerNode, only: values.only?.split(','), outDir, profileDir }));
}
let list = workloads({ factor: values.quick ? 0.25 : 1, idleConnections: idle });
if (values.only) {
  const wanted = values.only.split(',');
  list = list.filter((w) => wanted.some((n) => w.name.startsWith(n)));
}

const profileDir = values.profile ? join(outDir, 'profiles') : undefined;
const targets: Target[] = [parlorTarget(join(here, 'parlor-bench.yaml'), 'parlor', profileDir)];
if (values.compare) {
  for (const kind of ['ngircd', 'inspircd'] as const) {
    const t = await externalTarget(kind);
    if (t.available()) targets.push(t);
    else console.log(`${kind} is not installed (apt-get install ${kind}); skipped`);
  }
}

// Runs alternate between servers, and the median of `repeat` runs is kept, so a passing
// hiccup of the machine does not decide a comparison.
const repeat = Math.max(1, Number(values.repeat ?? 1));
const results: Result[] = [];
const scratch = await mkdtemp(join(os.tmpdir(), 'parlor-bench-'));
console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}; load generator: ${generator}s`);
try {
  for (const w of list) {
    const runs = new Map<string, Result[]>();
    for (let round = 0; round < repeat; round++) {
      for (const target of targets) {
        const dir = join(scratch, `${target.name}-${w.name}-${round}`);
        await mkdir(dir, { recursive: true });
        // Clients that log in need accounts made before the server starts (Parlor only).
        const server = await target.start(dir, w.login === true ? { accounts: w.clients.map((c) => c.nick) } : {});
        try {
          const r = await runWorkload(target.name, server, w, { generator, generatorProfileDir: profileDir });
          runs.set(target.name, [...(runs.get(target.name) ?? []), r]);
          console.log(detailLines([r]));
        } catch (err) {
          console.log(`- ${target.name} ${w.name}: FAILED ${(err as Error).message}`);
        } finally {
          await server.stop();
        }
      }
    }
    for (const list of runs.values()) {
      const sorted = [...list].sort((a, b) => headline(a).value - headline(b).value);
      const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
      // Losses or disconnects in any run count against the kept one.
      median.lost = Math.max(...list.map((r) => r.lost));
      median.disconnects = Math.max(...list.map((r) => r.disconnects));
      median.runs = list.map((r) => headline(r).value);
      results.push(median);
    }
  }
} finally {
  await rm(scratch, { recursive: true, force: true });
}

const table = markdownTable(results);
const goals = goalsTable(checkGoals(results));
console.log(`\n${table}\n\n${goals}\n`);
await mkdir(outDir, { recursive: true });
const machine = { cpus: os.cpus().length, model: os.cpus()[0]?.model, memGiB: os.totalmem() / 2 ** 30, node: process.version, loadAverage: os.loadavg() };
await writeFile(join(outDir, 'latest.json'), JSON.stringify({ date: new Date().toISOString(), machine, generator, results }, null, 2));
await writeFile(join(outDir, 'latest.md'), `${table}\n\n${goals}\n\n${detailLines(results)}\n`);
await writeFile(join(outDir, 'chart.svg'), svgChart(results));
console.log(`results written to ${outDir}`);
const busy = results.filter((r) => r.otherCores > QUIET_OTHER_CORES);
if (busy.length > 0) {
  console.log(`WARNING: the machine was not quiet (other processes used > ${QUIET_OTHER_CORES} cores) in ${busy.map((r) => `${r.server}/${r.workload} (${r.otherCores.toFixed(2)})`).join(', ')}`);
}
const bad = results.filter((r) => r.lost > 0 || r.disconnects > 0 || r.registered < r.clients);
if (bad.length > 0) {
  console.log(`WARNING: losses or disconnects in ${bad.map((r) => `${r.server}/${r.workload}`).join(', ')}`);
  process.exitCode = 1;
}
