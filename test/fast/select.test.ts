// Which files `npm run test:fast` runs (test/fast/select.ts): decided from the imports, through
// the harness (test/, bench/) but not through the code under test (src/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { selectInProcess } from './select.ts';

function project(files: Record<string, string>): { testRoot: string; remove(): void } {
  const root = mkdtempSync(join(tmpdir(), 'parlor-select-'));
  for (const [path, source] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), source);
  }
  return { testRoot: join(root, 'test'), remove: () => rmSync(root, { recursive: true, force: true }) };
}

test('files that start programs or browsers, themselves or through the harness they import, are left to npm test', (t) => {
  const tree = project({
    'test/plain.test.ts': "import { test } from 'node:test';\nimport { startServer } from './helpers/server.ts';\n",
    'test/helpers/server.ts': "import net from 'node:net';\nimport { Server } from '../../src/server.ts';\n",
    // src/ may spawn (the CLI does): that is the code under test, not a reason.
    'src/server.ts': "import { spawn } from 'node:child_process';\n",
    'test/redis.test.ts': "import { test } from 'node:test';\nimport { startRedis } from './helpers/redis.ts';\n",
    'test/helpers/redis.ts': "import { execFile, spawn } from 'node:child_process';\n",
    'test/deep/bench.test.ts': "import { run } from '../../bench/runner.ts';\n",
    'bench/runner.ts': "export { generate } from './load/generator.ts';\n",
    'bench/load/generator.ts': "import { fork } from 'child_process';\n",
    'test/types-only.test.ts': "import type { Browser } from 'playwright-core';\nimport { test } from 'node:test';\n",
    // (Split, or this file's own source would read as importing it.)
    'test/browser.test.ts': "const { chromium } = await imp" + "ort('playwright-core');\n",
    // An import cycle among helpers ends; the spawn at its far end still counts.
    'test/cycle.test.ts': "import { a } from './helpers/a.ts';\n",
    'test/helpers/a.ts': "import { b } from './b.ts';\nexport const a = 1;\n",
    'test/helpers/b.ts': "import { a } from './a.ts';\nimport { chromium } from 'playwright-core';\n",
    'test/helpers/not-a-test.ts': "import { spawn } from 'node:child_process';\n",
  });
  t.after(() => tree.remove());
  const { inProcess, outOfProcess } = selectInProcess(tree.testRoot);
  const shown = (file: string): string => relative(tree.testRoot, file);
  assert.deepEqual(inProcess.map(shown), ['plain.test.ts', 'types-only.test.ts']);
  assert.deepEqual(
    Object.fromEntries([...outOfProcess].map(([file, reason]) => [shown(file), reason])),
    {
      'browser.test.ts': 'playwright-core',
      'cycle.test.ts': 'test/helpers/a.ts → test/helpers/b.ts → playwright-core',
      'deep/bench.test.ts': 'bench/runner.ts → bench/load/generator.ts → child_process',
      'redis.test.ts': 'test/helpers/redis.ts → node:child_process',
    },
  );
});

test('this project: the Redis, PostgreSQL, process and browser tests are out; the protocol and server tests are in', () => {
  const { inProcess, outOfProcess } = selectInProcess(new URL('..', import.meta.url).pathname);
  const inside = new Set(inProcess.map((file) => relative(process.cwd(), file)));
  const outside = new Set([...outOfProcess.keys()].map((file) => relative(process.cwd(), file)));
  for (const file of ['test/protocol/parser.test.ts', 'test/server/limits.test.ts', 'test/fast/select.test.ts']) assert.ok(inside.has(file), file);
  for (const file of ['test/cluster/redis-bus.test.ts', 'test/storage/postgres.test.ts', 'test/cluster/processes.test.ts', 'test/browser/web-client.test.ts', 'test/e2e/package.test.ts']) {
    assert.ok(outside.has(file), file);
  }
});
