// One worker of `npm run test:fast` (test/fast/run.ts starts one per core through node --test).
// Loading src/ through tsx costs about a second of CPU per process, more than most test files
// take to run: so a worker imports file after file into one process, each as a suite of its own
// (its top-level tests and before/after hooks stay together), taking the next file nobody has
// claimed yet. `npm test` keeps one process per file.
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe } from 'node:test';
import { pathToFileURL } from 'node:url';

/** The whole-file limit `npm test` gives each file (its --test-timeout, which Node 20 applies to
 *  a whole file as well as to each test), here per file's suite. */
const FILE_TIMEOUT_MS = 240_000;
/** How long a worker may stay up after its last file (node:test reports once the loop is empty). */
const LEFT_OPEN_GRACE_MS = 10_000;

export interface Queue {
  /** Absolute paths of the test files, in the order they are handed out. */
  files: string[];
}

export const QUEUE_ENV = 'PARLOR_TEST_QUEUE';
export const QUEUE_FILE = 'files.json';

/** Claims file number `index` for this worker: the first to create its marker gets it. */
function claim(queueDir: string, index: number): boolean {
  try {
    closeSync(openSync(join(queueDir, `claimed-${index}`), 'wx'));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

export async function runShard(): Promise<void> {
  const queueDir = process.env[QUEUE_ENV];
  if (queueDir === undefined) throw new Error(`${QUEUE_ENV} is not set: run the fast suite with npm run test:fast`);
  const { files } = JSON.parse(readFileSync(join(queueDir, QUEUE_FILE), 'utf8')) as Queue;
  const ran: string[] = [];
  for (const [index, file] of files.entries()) {
    if (!claim(queueDir, index)) continue;
    ran.push(relative(process.cwd(), file));
    // Awaited: the suite ends before the next file is claimed, so idle workers take the rest.
    await describe(ran.at(-1)!, { timeout: FILE_TIMEOUT_MS }, async () => {
      await import(pathToFileURL(file).href);
    });
  }
  // A file that leaves a socket or a timer behind would keep this worker (and the run) alive
  // for ever: name what is left and end. (Unref'd: it does not itself keep the worker alive.)
  setTimeout(() => {
    const held = process.getActiveResourcesInfo().join(', ');
    console.error(`test:fast: a worker is held open by ${held} after running ${ran.join(', ')}: run them alone to see which leaves it`);
    process.exit(1);
  }, LEFT_OPEN_GRACE_MS).unref();
}
