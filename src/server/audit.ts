// The audit log: every admin action with its time, actor and target, appended as one JSON
// line to a file (when configured) and kept in a bounded in-memory list for `audit` and
// the web panel. File writes go through a stream, never blocking the event loop.
import { createWriteStream, fchmodSync, openSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { makePrivateDirectory, PRIVATE_FILE_MODE } from '../storage/private-files.ts';

export interface AuditEntry {
  time: number;
  /** Who acted: `console`, or `oper:<name>` with the name of the oper block used. */
  actor: string;
  action: string;
  target?: string | undefined;
  detail?: string | undefined;
}

/** Actions whose detail is what was said: it stays in the audit file, out of the server log. */
const SPOKEN_ACTIONS: ReadonlySet<string> = new Set(['say', 'broadcast', 'wallops', 'redact']);

export class AuditLog {
  private readonly entries: AuditEntry[] = [];
  private stream: WriteStream | undefined;

  constructor(
    path: string | null,
    private readonly keep: number,
    private readonly logger: Logger,
  ) {
    if (path !== null) this.stream = openAuditFile(path, logger);
  }

  record(entry: AuditEntry): void {
    this.entries.push(entry);
    if (this.entries.length > this.keep) this.entries.splice(0, this.entries.length - this.keep);
    // pino stamps its own time; nothing an action records is a password.
    const { time: _time, detail, ...logged } = entry;
    this.logger.info({ audit: true, ...logged, ...(SPOKEN_ACTIONS.has(entry.action) ? {} : { detail }) }, `admin ${entry.action}`);
    this.stream?.write(JSON.stringify({ ...entry, time: new Date(entry.time).toISOString() }) + '\n');
  }

  /** The newest entries, oldest first. */
  recent(count = this.keep): AuditEntry[] {
    return this.entries.slice(-count);
  }

  close(): Promise<void> {
    const stream = this.stream;
    this.stream = undefined;
    if (!stream) return Promise.resolve();
    return new Promise((resolve) => stream.end(resolve));
  }
}

/**
 * The audit file, opened for appending: 0600 (its directory 0700 when made here) whatever the
 * umask, since it holds what operators did and said. Opened once, at start; a file that cannot
 * be opened leaves the log in memory and in the server log, as a failed write does.
 */
function openAuditFile(path: string, logger: Logger): WriteStream | undefined {
  let fd: number;
  try {
    makePrivateDirectory(dirname(path));
    fd = openSync(path, 'a', PRIVATE_FILE_MODE);
  } catch (err) {
    logger.error({ err, path }, 'cannot open the audit log');
    return undefined;
  }
  try {
    fchmodSync(fd, PRIVATE_FILE_MODE); // a file made before modes were set
  } catch (err) {
    logger.warn({ err, path }, 'cannot make the audit log private (mode 600)');
  }
  const stream = createWriteStream(path, { fd, flags: 'a' });
  stream.on('error', (err) => logger.error({ err, path }, 'cannot write the audit log'));
  return stream;
}
