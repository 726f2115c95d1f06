// Merges result files from several `npm run bench` runs into one table and chart
// (used for BENCHMARKS.md): npx tsx bench/combine.ts out-prefix a.json b.json …
import { readFileSync, writeFileSync } from 'node:fs';
import { checkGoals, goalsTable } from './goals.ts';
import { detailLines, markdownTable, svgChart } from './report.ts';
import type { Result } from './runner.ts';

const [prefix, ...files] = process.argv.slice(2);
if (!prefix || files.length === 0) throw new Error('usage: combine <out-prefix> <latest.json>...');
const results = files.flatMap((f) => (JSON.parse(readFileSync(f, 'utf8')) as { results: Result[] }).results);
writeFileSync(`${prefix}.md`, `${markdownTable(results)}\n\n${goalsTable(checkGoals(results))}\n\n${detailLines(results)}\n`);
writeFileSync(`${prefix}.svg`, svgChart(results));
