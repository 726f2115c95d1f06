// `npm run test:fast`: the test files that stay inside the test process (test/fast/select.ts),
// run by one worker process per core (test/fast/shard.ts), each worker taking the next file
// when it is done with one. Paths narrow the run (`npm run test:fast -- test/server`); options
// go to node --test (`-- --test-reporter=dot`); `--workers=N` sets how many workers (one per
// core by default, at most 4); `--list` prints which files run and why the others are left to
// `npm test`.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, constants, tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QUEUE_ENV, QUEUE_FILE, type Queue } from './shard.ts';
import { selectInProcess } from './select.ts';

const PROJECT = fileURLToPath(new URL('../../', import.meta.url));
/** Worker entry points (node --test runs each path once): as many as there may be cores to use. */
const MAX_WORKERS = 4;

// Paths (files or folders) narrow the run; the other arguments are node --test's.
const paths = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
const workersOption = process.argv.slice(2).find((arg) => arg.startsWith('--workers='));
const args = process.argv.slice(2).filter((arg) => arg.startsWith('-') && arg !== workersOption);
const selection = selectInProcess(join(PROJECT, 'test'));
const wanted = paths.map((path) => resolve(path));
const chosen = (file: string): boolean => wanted.length === 0 || wanted.some((path) => file === path || file.startsWith(path + sep));
const inProcess = selection.inProcess.filter(chosen);
const outOfProcess = [...selection.outOfProcess].filter(([file]) => chosen(file));

if (args.includes('--list')) {
  for (const file of inProcess) console.log(relative(PROJECT, file));
  for (const [file, reason] of outOfProcess) console.log(`# npm test only: ${relative(PROJECT, file)} (${reason})`);
  process.exit(0);
}

if (paths.length > 0) {
  for (const [file, reason] of outOfProcess) console.error(`# left to npm test: ${relative(PROJECT, file)} (${reason})`);
}
// One per core by default: loading and running tests is CPU work, and a worker only waits
// where a test does.
const wantedWorkers = workersOption === undefined ? availableParallelism() : Number(workersOption.slice('--workers='.length));
if (!Number.isInteger(wantedWorkers) || wantedWorkers < 1) throw new Error(`--workers takes a whole number from 1 to ${MAX_WORKERS}`);
const workers = Math.min(MAX_WORKERS, wantedWorkers, Math.max(1, inProcess.length));
const queueDir = mkdtempSync(join(tmpdir(), 'parlor-test-fast-'));
const queue: Queue = { files: inProcess };
writeFileSync(join(queueDir, QUEUE_FILE), JSON.stringify(queue));
const entries = Array.from({ length: workers }, (_, i) => join(PROJECT, 'test', 'fast', `worker-${i + 1}.ts`));

const child = spawn(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${workers}`, ...args, ...entries], {
  cwd: PROJECT,
  env: { ...process.env, [QUEUE_ENV]: queueDir },
  stdio: 'inherit',
});
const stop = (signal: NodeJS.Signals): void => {
  child.kill(signal);
};
process.on('SIGINT', stop).on('SIGTERM', stop);
child.once('exit', (code, signal) => {
  rmSync(queueDir, { recursive: true, force: true });
  process.exitCode = code ?? 128 + (signal === null ? 0 : constants.signals[signal]);
});
