// fast-check parameters with a replayable seed: PARLOR_SEED when set, else a fresh random one
// (so every run explores new inputs). A failure names the seed and the command that replays it.
import path from 'node:path';
import fc from 'fast-check';
import { seedFromEnv } from './seed.ts';

/** The test file calling us, from the stack (under test:fast, argv[1] is a worker, not the file). */
function callingTestFile(): string {
  for (const line of (new Error().stack ?? '').split('\n')) {
    const match = /(?:file:\/\/)?(\/[^\s():]+\.test\.[cm]?[jt]sx?):\d+:\d+/.exec(line);
    if (match) return match[1]!;
  }
  return process.argv[1] ?? '<test file>';
}

/** The command that reruns the calling test file with `seed`. */
export function replayCommand(seed: number, testFile = callingTestFile()): string {
  const shown = path.isAbsolute(testFile) ? path.relative(process.cwd(), testFile) : testFile;
  return `PARLOR_SEED=${seed} node --import tsx --test ${shown}`;
}

/** fast-check reads seeds as 32-bit signed integers; keep ours in that form so the printed seed is the one to pass back. */
function propertySeed(): number {
  return seedFromEnv(Math.floor(Math.random() * 2 ** 32)) | 0;
}

/**
 * `params` plus a seed, and a failure message that ends with how to replay it:
 * `fc.assert(fc.property(...), propertyParams({ numRuns: 500 }))`.
 */
export function propertyParams<Ts>(params: fc.Parameters<Ts> = {}): fc.Parameters<Ts> {
  const seed = params.seed ?? propertySeed();
  const testFile = callingTestFile();
  const replayOnFailure: fc.Plugin<Ts> = () => ({
    onAllRunsComplete(details) {
      if (!details.failed) return;
      // Thrown before fast-check's own report, which it replaces: same text, plus the command.
      const report = fc.defaultReportMessage(details) ?? `Property failed\n{ seed: ${details.seed} }`;
      throw new Error(`${report}\n\nReplay: ${replayCommand(details.seed, testFile)}`, { cause: details.errorInstance ?? undefined });
    },
  });
  return { ...params, seed, plugins: [...(params.plugins ?? []), replayOnFailure] };
}
