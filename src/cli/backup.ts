// `parlor backup <file>`: a consistent copy of the data directory's database, taken with
// SQLite's online backup API while the server runs (or not), without the sqlite3 tool. The
// copy is written beside its destination under a temporary name, 0600 from the start (it
// holds password hashes), checked, and only then renamed into place: a failed backup never
// leaves a half-written file where the operator expects a good one.
import { closeSync, existsSync, openSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import Database from '../storage/sqlite-driver.js';
import { ConfigError, mergeConfigInput, parseConfig, readConfigFile, type ConfigInput } from '../server/config.ts';
import { PRIVATE_FILE_MODE } from '../storage/private-files.ts';

export interface BackupFlags {
  config?: string;
  dataDir?: string;
  force?: boolean;
}

/** All pages in one step: one read transaction, so a server writing meanwhile cannot restart the copy. */
const ALL_PAGES = 0x7fffffff;

/** The database the config (or --data-dir) names; refuses a store that is not SQLite. */
async function databasePath(flags: BackupFlags): Promise<string> {
  const fromFile: ConfigInput = flags.config ? await readConfigFile(flags.config) : {};
  const fromFlags: ConfigInput = flags.dataDir === undefined ? {} : { storage: { dataDir: flags.dataDir } };
  const { storage } = parseConfig(mergeConfigInput(fromFile, fromFlags), 'configuration');
  if (storage.backend === 'postgres') throw new ConfigError('the store is PostgreSQL: back it up with pg_dump (see README "PostgreSQL")');
  if (storage.backend === 'memory') throw new ConfigError('storage.backend is memory: there is nothing on disk to back up');
  return join(storage.dataDir, 'parlor.db');
}

const sameFile = (a: string, b: string): boolean => existsSync(a) && existsSync(b) && realpathSync(a) === realpathSync(b);

/** SQLite's files beside a database: replacing one of them under a running server loses its writes. */
const SIDE_FILE_SUFFIXES = ['-wal', '-shm', '-journal'];

/** `path` with its directory's symlinks resolved (the file itself need not exist). */
const realLocation = (path: string): string => (existsSync(dirname(path)) ? join(realpathSync(dirname(path)), basename(path)) : resolve(path));

/** The database itself or one of its side files, by name or through a link. */
function isDatabaseFile(source: string, destination: string): boolean {
  const files = [source, ...SIDE_FILE_SUFFIXES.map((suffix) => `${source}${suffix}`)];
  return files.some((file) => sameFile(file, destination) || realLocation(file) === realLocation(destination));
}

export async function backup(target: string, flags: BackupFlags): Promise<void> {
  const source = await databasePath(flags);
  const found = statSync(source, { throwIfNoEntry: false });
  if (!found?.isFile() || found.size === 0) throw new ConfigError(`no database at ${source} (give --data-dir or --config)`);
  const destination = resolve(target);
  if (isDatabaseFile(source, destination)) throw new ConfigError(`${target} is the database itself or one of its files`);
  if (existsSync(destination) && flags.force !== true) throw new ConfigError(`${target} exists already (--force replaces it)`);
  if (!existsSync(dirname(destination))) throw new ConfigError(`the directory ${dirname(destination)} does not exist`);

  const partial = join(dirname(destination), `.${basename(destination)}.${process.pid}.partial`);
  // Created empty and private first: SQLite takes an empty file as an empty database.
  closeSync(openSync(partial, 'wx', PRIVATE_FILE_MODE));
  // Opened for writing though only read: a read-only connection cannot remove the -wal/-shm
  // files it needs, and would leave them beside a stopped server's database.
  const db = new Database(source, { fileMustExist: true, timeout: 5_000 });
  try {
    await db.backup(partial, { progress: () => ALL_PAGES });
    const copy = new Database(partial, { fileMustExist: true });
    try {
      // The copy keeps the source's WAL mode: made one self-contained file (no -wal/-shm
      // beside it). Parlor turns WAL on again when it opens a restored copy.
      copy.pragma('journal_mode = DELETE');
      const check = copy.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new Error(`the copy failed its check: ${String(check)}`);
    } finally {
      copy.close();
    }
    renameSync(partial, destination);
  } catch (err) {
    for (const leftover of [partial, `${partial}-wal`, `${partial}-shm`, `${partial}-journal`]) rmSync(leftover, { force: true });
    throw err;
  } finally {
    db.close();
  }
  const size = statSync(destination).size;
  process.stdout.write(`parlor: backed up ${source} to ${target} (${Math.ceil(size / 1024)} KiB)\n`);
}
