// Which test files `npm run test:fast` runs: those whose tests stay inside the test process.
// A file is left to `npm test` when it, or a module of the harness it imports (followed through
// test/ and bench/, not the code under test in src/ and web/), starts other programs (node:child_process: Redis, PostgreSQL, `parlor serve`, tmux, IRC
// clients) or drives a browser (playwright-core). Decided from the imports, so a new test file
// lands on the right side by itself.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** Imports that mean "this runs outside the test process". */
const OUT_OF_PROCESS_IMPORTS = new Set(['node:child_process', 'child_process', 'playwright-core']);

/** `import x from 'm'`, `import { x } from 'm'`, `export … from 'm'`, `import 'm'`, `import('m')`; not `import type`. */
const IMPORT_PATTERN = /^\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm;

export interface Selection {
  /** Absolute paths, sorted. */
  inProcess: string[];
  /** Absolute path → the import chain that keeps it out (e.g. `helpers/redis.ts → node:child_process`). */
  outOfProcess: Map<string, string>;
}

export function listTestFiles(testRoot: string): string[] {
  return readdirSync(testRoot, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.test.ts'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** The folders of harness code, followed through imports (src/ and web/ are the code under test). */
const HARNESS_DIRS = ['test', 'bench'];

export function selectInProcess(testRoot: string): Selection {
  const root = resolve(testRoot);
  const project = resolve(root, '..');
  const harness = HARNESS_DIRS.map((dir) => join(project, dir) + sep);
  const sources = new Map<string, string>();
  const read = (file: string): string => {
    let source = sources.get(file);
    if (source === undefined) {
      try {
        source = readFileSync(file, 'utf8');
      } catch {
        source = ''; // not a module we can read: judged by what imports it
      }
      sources.set(file, source);
    }
    return source;
  };

  /** Depth-first through the test modules `file` imports: why it is out of process, or ''. */
  const reasonFor = (file: string, seen: Set<string>): string => {
    seen.add(file);
    for (const match of read(file).matchAll(IMPORT_PATTERN)) {
      const specifier = match[1] ?? match[2]!;
      if (OUT_OF_PROCESS_IMPORTS.has(specifier)) return specifier;
      if (!specifier.startsWith('.')) continue;
      const target = resolve(dirname(file), specifier);
      // Each harness module is looked at once.
      if (!harness.some((dir) => target.startsWith(dir)) || seen.has(target)) continue;
      const inner = reasonFor(target, seen);
      if (inner !== '') return `${relative(project, target)} → ${inner}`;
    }
    return '';
  };

  const inProcess: string[] = [];
  const outOfProcess = new Map<string, string>();
  for (const file of listTestFiles(root)) {
    const reason = reasonFor(file, new Set());
    if (reason === '') inProcess.push(file);
    else outOfProcess.set(file, reason);
  }
  return { inProcess, outOfProcess };
}
