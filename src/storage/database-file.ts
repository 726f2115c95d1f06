// What is checked about parlor.db before and after it is opened, so that a damaged or lost
// database is refused with what is wrong instead of a server starting empty:
//
// - A zero-length parlor.db is refused. Parlor never leaves one: a new database is built
//   beside it (`parlor.db.<pid>.new`) and linked into place only once it holds the schema, so
//   an empty file means a truncation (a failed copy or restore, a full disk), and opening it
//   would silently start a server without a single account.
// - A missing parlor.db beside a non-empty parlor.db-wal is refused: the main file was
//   deleted or moved, and SQLite would discard the log with its commits.
// - `PRAGMA quick_check` must answer "ok"; otherwise its first lines are the error.
//
// Only a directory without a parlor.db (or a parlor.db-wal) gets a new, empty database.
import { closeSync, linkSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import Database from './sqlite-driver.js';
import type { Database as Db } from 'better-sqlite3';
import { dirname } from 'node:path';
import { migrate } from './migrations.ts';
import { makePrivateDirectory, PRIVATE_FILE_MODE, restrictToOwner } from './private-files.ts';

export type DatabaseFileErrorCode = 'empty-file' | 'wal-without-database' | 'damaged';

/** A database file refused before or after opening, with a stable code. */
export class DatabaseFileError extends Error {
  override name = 'DatabaseFileError';
  constructor(
    readonly code: DatabaseFileErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** quick_check lines shown in the error: enough to say what is wrong, not a page of it. */
const QUICK_CHECK_LINES = 10;
const QUICK_CHECK_LINE_CHARS = 200;
const RESTORE_ADVICE = 'restore it from a backup, or delete it (or move it away) to start with an empty database';

/**
 * Makes sure `path` is a database file worth opening: its directory exists (0700 when made
 * here), it is not an empty or orphaned file, and it is 0600. Creates a new one when missing.
 */
export function prepareDatabaseFile(path: string): void {
  makePrivateDirectory(dirname(path));
  const found = statSync(path, { throwIfNoEntry: false });
  if (found === undefined) {
    const wal = statSync(`${path}-wal`, { throwIfNoEntry: false });
    if (wal !== undefined && wal.size > 0) {
      throw new DatabaseFileError(
        'wal-without-database',
        `the database file is missing but its write-ahead log ${path}-wal (${wal.size} bytes) is there: put the database back from where it went or from a backup; delete ${path}-wal to start with an empty database`,
      );
    }
    createDatabaseFile(path);
    return;
  }
  if (found.isFile() && found.size === 0) {
    throw new DatabaseFileError('empty-file', `the file is empty (0 bytes): Parlor never leaves it so, it was truncated (a failed copy or restore, a full disk?); ${RESTORE_ADVICE}`);
  }
  // Before SQLite opens it: the -wal and -shm files it creates take the database's mode.
  if (found.isFile()) restrictToOwner(path);
}

/** Builds a new database with the schema beside `path` and links it into place whole. */
function createDatabaseFile(path: string): void {
  const building = `${path}.${process.pid}.new`;
  rmSync(building, { force: true });
  closeSync(openSync(building, 'wx', PRIVATE_FILE_MODE));
  try {
    const db = new Database(building);
    try {
      migrate(db);
    } finally {
      db.close();
    }
    try {
      // Unlike rename, link never replaces a database another process made meanwhile.
      linkSync(building, path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return;
      // A file system without hard links: rename, after checking nothing appeared.
      if (statSync(path, { throwIfNoEntry: false }) !== undefined) return;
      renameSync(building, path);
    }
  } finally {
    rmSync(building, { force: true });
    rmSync(`${building}-journal`, { force: true });
  }
}

/** The database's own files narrowed to 0600 once open (SQLite made -wal and -shm). */
export function restrictDatabaseFiles(path: string): void {
  for (const file of [path, `${path}-wal`, `${path}-shm`]) restrictToOwner(file);
}

/** Runs `PRAGMA quick_check` (reads every page: time grows with the file) and refuses damage. */
export function checkDatabase(db: Db): void {
  let lines: string[];
  try {
    // One row per problem, or (this SQLite) one row with a line per problem.
    const rows = db.pragma(`quick_check(${QUICK_CHECK_LINES})`, { simple: false }) as { quick_check: unknown }[];
    lines = rows.flatMap((r) => String(r.quick_check).split('\n'));
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code !== 'SQLITE_CORRUPT' && code !== 'SQLITE_NOTADB') throw err;
    throw new DatabaseFileError('damaged', `the file is damaged; PRAGMA quick_check failed: ${(err as Error).message}\n${RESTORE_ADVICE}`);
  }
  if (lines.length === 1 && lines[0] === 'ok') return;
  const shown = lines.slice(0, QUICK_CHECK_LINES).map((l) => `  ${l.length > QUICK_CHECK_LINE_CHARS ? `${l.slice(0, QUICK_CHECK_LINE_CHARS)}…` : l}`);
  throw new DatabaseFileError('damaged', `the file is damaged; PRAGMA quick_check says:\n${shown.join('\n')}\n${RESTORE_ADVICE}`);
}
