// One `parlor serve` per data directory: two servers on one database would each keep their
// own idea of the accounts (SqliteStore caches the account names), so the second is refused.
//
// Two files in the data directory:
// - parlor.lock.guard, an empty SQLite file on which an exclusive transaction stays open for
//   as long as the server runs. That is an OS file lock (fcntl), which Node has no other way
//   to take: the kernel settles two servers starting at once, and it drops the lock when the
//   process dies in any way, kill -9 included. The file is never deleted: a server waiting on
//   the old file and another creating a new one would both get "the" lock.
// - parlor.lock, text for people and messages: the holder's PID, host and start time. A
//   parlor.lock left by a dead process (kill -9, a power cut) is taken over.
//
// Limit: when the guard is free but parlor.lock names a PID that is running and is not this
// process, the start is refused: a parlor that lost its guard file to a `rm` must not get a
// twin. After a crash the PID may have been reused by an unrelated process: on Linux, one
// that started after parlor.lock was written cannot be its writer, and the lock is taken
// over; elsewhere (or with no start time in the file) the message says which PID and which
// file to delete once checked. Over a network file system, the guard is as good as its fcntl
// locking.
import { closeSync, openSync, readFileSync, readSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import Database from './sqlite-driver.js';
import type { Database as Db } from 'better-sqlite3';
import { makePrivateDirectory, PRIVATE_FILE_MODE, restrictToOwner } from './private-files.ts';

export const LOCK_FILE = 'parlor.lock';
export const GUARD_FILE = 'parlor.lock.guard';

export type DataDirLockErrorCode = 'in-use' | 'pid-running' | 'unusable';

/** The data directory could not be locked; the message says by whom and what to do. */
export class DataDirLockError extends Error {
  override name = 'DataDirLockError';
  constructor(
    readonly code: DataDirLockErrorCode,
    message: string,
    /** The process holding the directory, when known. */
    readonly holderPid?: number,
  ) {
    super(message);
  }
}

export interface LockHolder {
  pid: number;
  /** The rest of parlor.lock (host, start time), for the log. */
  detail: string;
  /** When the holder wrote parlor.lock (its `started` line), in ms; undefined when unreadable. */
  startedAt?: number | undefined;
}

/** A holder's lock file is read up to this size: it is a few dozen bytes. */
const MAX_LOCK_FILE_BYTES = 4096;
/** A server that has the guard but not yet written parlor.lock: how long to wait for its PID. */
const HOLDER_PID_ATTEMPTS = 20;
const HOLDER_PID_INTERVAL_MS = 50;
const PID_LINE = /^[1-9][0-9]{0,9}$/;

export class DataDirLock {
  readonly lockPath: string;
  private released = false;

  private constructor(
    readonly dir: string,
    private readonly guard: Db,
    /** The dead process whose parlor.lock this start took over, if any. */
    readonly staleHolder: LockHolder | undefined,
  ) {
    this.lockPath = join(dir, LOCK_FILE);
  }

  /** Locks `dir` (created 0700 when missing) for this process, or throws DataDirLockError. */
  static async acquire(dir: string): Promise<DataDirLock> {
    const lockPath = join(dir, LOCK_FILE);
    let guard: Db;
    try {
      makePrivateDirectory(dir);
      const guardPath = join(dir, GUARD_FILE);
      closeSync(openSync(guardPath, 'a', PRIVATE_FILE_MODE));
      restrictToOwner(guardPath);
      guard = new Database(guardPath, { timeout: 0 });
    } catch (err) {
      throw new DataDirLockError('unusable', `cannot lock the data directory ${dir}: ${(err as Error).message}`);
    }
    try {
      guard.pragma('locking_mode = EXCLUSIVE');
      guard.pragma('journal_mode = MEMORY'); // nothing is written: no journal file beside it
      guard.exec('BEGIN EXCLUSIVE');
    } catch (err) {
      guard.close();
      if ((err as { code?: unknown }).code !== 'SQLITE_BUSY') {
        throw new DataDirLockError('unusable', `cannot lock the data directory ${dir}: ${(err as Error).message} (${join(dir, GUARD_FILE)})`);
      }
      const holder = await runningHolder(lockPath);
      const who = holder ? `pid ${holder.pid}` : `pid unknown: ${lockPath} is missing or unreadable`;
      throw new DataDirLockError('in-use', `data directory ${dir} is in use by another parlor (${who}); stop it or use --data-dir`, holder?.pid);
    }
    // The guard is ours, so parlor.lock, if any, was left by a process that is gone.
    const previous = readHolder(lockPath);
    if (previous !== undefined && previous.pid !== process.pid && isRunning(previous.pid) && !reusedPid(previous)) {
      guard.close();
      throw new DataDirLockError(
        'pid-running',
        `data directory ${dir} is locked by pid ${previous.pid} (${lockPath}), which is running; if that process is not a parlor (a pid reused after a crash), delete ${lockPath} and start again`,
        previous.pid,
      );
    }
    try {
      writeLockFile(lockPath);
    } catch (err) {
      guard.close();
      throw new DataDirLockError('unusable', `cannot write ${lockPath}: ${(err as Error).message}`);
    }
    return new DataDirLock(dir, guard, previous);
  }

  /** Removes parlor.lock (when still ours) and drops the OS lock. Synchronous: runs on 'exit'. */
  release(): void {
    if (this.released) return;
    this.released = true;
    try {
      if (readHolder(this.lockPath)?.pid === process.pid) rmSync(this.lockPath, { force: true });
    } catch {
      // Left behind, it names a dead PID: the next start takes it over.
    } finally {
      this.guard.close(); // rolls the transaction back: the lock is free
    }
  }
}

/** parlor.lock written whole: a reader never sees half of it. */
function writeLockFile(lockPath: string): void {
  const temp = `${lockPath}.${process.pid}.tmp`;
  rmSync(temp, { force: true });
  writeFileSync(temp, `${process.pid}\nhost ${hostname()}\nstarted ${new Date().toISOString()}\n`, { flag: 'wx', mode: PRIVATE_FILE_MODE });
  renameSync(temp, lockPath);
}

/** The holder named by parlor.lock: its first line is a PID; anything else names nobody. */
export function readHolder(lockPath: string): LockHolder | undefined {
  let text: string;
  try {
    const fd = openSync(lockPath, 'r');
    try {
      const buffer = Buffer.alloc(MAX_LOCK_FILE_BYTES);
      text = buffer.toString('utf8', 0, readSync(fd, buffer, 0, buffer.length, 0));
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
  const [first = '', ...rest] = text.split('\n');
  const line = first.trim();
  if (!PID_LINE.test(line)) return undefined;
  const pid = Number(line);
  if (pid > 0x7fffffff) return undefined;
  const started = rest.find((l) => l.startsWith('started '))?.slice('started '.length).trim();
  const startedAt = started === undefined ? undefined : Date.parse(started);
  return { pid, detail: rest.join(' ').replace(/\s+/g, ' ').trim().slice(0, 200), startedAt: Number.isFinite(startedAt) ? startedAt : undefined };
}

/** Linux's USER_HZ, the unit of /proc/<pid>/stat's start time: 100 on every architecture Node runs on. */
const PROC_TICKS_PER_SECOND = 100;
/** /proc/stat's boot time is in whole seconds, and the clock may have been adjusted a little since. */
const START_TIME_SLACK_MS = 5_000;

/**
 * Whether the running process with the holder's PID started after the holder wrote
 * parlor.lock: then it is another process that was given the dead holder's PID. Known on
 * Linux only (/proc); elsewhere, or without a start time in the file, assumed not.
 */
function reusedPid(holder: LockHolder): boolean {
  if (holder.startedAt === undefined) return false;
  const started = processStartTime(holder.pid);
  return started !== undefined && started > holder.startedAt + START_TIME_SLACK_MS;
}

/** When process `pid` started (ms since the epoch), from /proc; undefined when unknown. */
function processStartTime(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // After the command's last ')': field 3 (state) first, so field 22 (starttime) is the 20th.
    const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    const bootLine = readFileSync('/proc/stat', 'latin1').split('\n').find((l) => l.startsWith('btime '));
    const bootSeconds = Number(bootLine?.slice('btime '.length));
    if (!Number.isFinite(ticks) || !Number.isFinite(bootSeconds) || bootSeconds <= 0) return undefined;
    return bootSeconds * 1000 + (ticks * 1000) / PROC_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** The holder of a busy guard; it may not have written parlor.lock yet, so a few tries. */
async function runningHolder(lockPath: string): Promise<LockHolder | undefined> {
  let holder: LockHolder | undefined;
  for (let attempt = 0; attempt < HOLDER_PID_ATTEMPTS; attempt++) {
    holder = readHolder(lockPath);
    if (holder !== undefined && isRunning(holder.pid)) return holder;
    await delay(HOLDER_PID_INTERVAL_MS);
  }
  return holder;
}

/** Whether a process with this PID exists (EPERM: it does, under another user) and is not a zombie. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
  return !isZombie(pid);
}

/**
 * A killed process stays a zombie until its parent reaps it, for ever under a container init
 * that does not: signal 0 still reaches it. Linux says so in /proc; elsewhere, assume not.
 */
function isZombie(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return false;
  }
  // "pid (command) S …": the command may hold spaces and parentheses, the state follows the last ')'.
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state === 'Z' || state === 'X';
}
