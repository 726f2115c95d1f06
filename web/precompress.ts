// A Vite build plugin: next to every built text file over 1 KB it writes a Brotli (.br) and a
// gzip (.gz) copy, when smaller, which the server (src/transport/static-files.ts) sends to
// browsers that accept them, so that nothing is compressed per request.
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { Plugin } from 'vite';

const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.json', '.webmanifest', '.txt']);
/** Below this, the saving is smaller than the cost of a second file and a Vary lookup. */
const MIN_BYTES = 1024;

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

async function compressFile(file: string): Promise<void> {
  const original = await readFile(file);
  if (original.length <= MIN_BYTES) return;
  const [br, gz] = await Promise.all([
    brotli(original, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: original.length,
      },
    }),
    gzipAsync(original, { level: constants.Z_BEST_COMPRESSION }),
  ]);
  await Promise.all([
    br.length < original.length ? writeFile(`${file}.br`, br) : undefined,
    gz.length < original.length ? writeFile(`${file}.gz`, gz) : undefined,
  ]);
}

/** Writes the compressed siblings of every compressible file under `dir`. */
export async function precompressDirectory(dir: string): Promise<void> {
  const files: string[] = [];
  for (const name of await readdir(dir, { recursive: true })) {
    if (!COMPRESSIBLE.has(extname(name))) continue;
    const file = join(dir, name);
    if ((await stat(file)).isFile()) files.push(file);
  }
  await Promise.all(files.map(compressFile));
}

export function precompress(): Plugin {
  let outDir: string | undefined;
  return {
    name: 'parlor-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    // After every file (public/ ones included) is written.
    async closeBundle() {
      if (outDir !== undefined) await precompressDirectory(outDir);
    },
  };
}
