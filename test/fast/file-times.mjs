// A node:test reporter: each test file's wall time (its process start-up included), slowest
// first, to see where `npm test` spends its minutes. Plain JavaScript: node loads reporters
// before tsx. Beside the usual output:
//   node --import tsx --test --test-reporter=spec --test-reporter-destination=stdout \
//     --test-reporter=./test/fast/file-times.mjs --test-reporter-destination=file-times.txt …files

/** @param {AsyncIterable<{ type: string, data: any }>} source */
export default async function* fileTimes(source) {
  /** @type {Map<string, number>} */
  const perFile = new Map();
  for await (const event of source) {
    if (event.type !== 'test:complete') continue;
    const { nesting, name, file, details } = event.data;
    // In the runner's process each file is a test named after its path, at the top.
    if (nesting === 0 && file !== undefined && name === file) perFile.set(file, details.duration_ms);
  }
  const rows = [...perFile].sort((a, b) => b[1] - a[1]);
  const total = rows.reduce((sum, [, ms]) => sum + ms, 0);
  const cwd = process.cwd() + '/';
  yield `# ${rows.length} files, ${(total / 1000).toFixed(1)} s summed\n`;
  for (const [file, ms] of rows) yield `${(ms / 1000).toFixed(1).padStart(7)} s  ${file.startsWith(cwd) ? file.slice(cwd.length) : file}\n`;
}
