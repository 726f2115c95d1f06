// `npm run bench [-- --compare] [--quick] [--only a,b] [--idle N]`: runs every workload
// against Parlor (and ngircd / InspIRCd with --compare), each on a fresh server, and
// prints one table. Results go to bench/results/.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { detailLines, markdownTable, svgChart } from './report.ts';
import { runWorkload, type Result } from './runner.ts';
import { externalTarget, parlorTarget, type Target } from './targets.ts';
import { workloads } from './workloads.ts';

const { values } = parseArgs({
  options: {
    compare: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    idle: { type: 'string' },
    out: { type: 'string' },
    profile: { type: 'boolean', default: false },
  },
});

const here = fileURLToPath(new URL('.', import.meta.url));
const outDir = values.out ?? join(here, 'results');
const idle = Number(values.idle ?? (values.quick ? 2000 : 20000));
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

const results: Result[] = [];
const scratch = await mkdtemp(join(os.tmpdir(), 'parlor-bench-'));
console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
try {
  for (const w of list) {
    for (const target of targets) {
      const dir = join(scratch, `${target.name}-${w.name}`);
      await mkdir(dir, { recursive: true });
      const server = await target.start(dir);
      try {
        const r = await runWorkload(target.name, server, w);
        results.push(r);
        console.log(detailLines([r]));
      } catch (err) {
        console.log(`- ${target.name} ${w.name}: FAILED ${(err as Error).message}`);
      } finally {
        await server.stop();
      }
    }
  }
} finally {
  await rm(scratch, { recursive: true, force: true });
}

const table = markdownTable(results);
console.log(`\n${table}\n`);
await mkdir(outDir, { recursive: true });
await writeFile(join(outDir, 'latest.json'), JSON.stringify({ date: new Date().toISOString(), machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memGiB: os.totalmem() / 2 ** 30, node: process.version }, results }, null, 2));
await writeFile(join(outDir, 'latest.md'), `${table}\n\n${detailLines(results)}\n`);
await writeFile(join(outDir, 'chart.svg'), svgChart(results));
console.log(`results written to ${outDir}`);
const bad = results.filter((r) => r.lost > 0 || r.disconnects > 0 || r.registered < r.clients);
if (bad.length > 0) {
  console.log(`WARNING: losses or disconnects in ${bad.map((r) => `${r.server}/${r.workload}`).join(', ')}`);
  process.exitCode = 1;
}
