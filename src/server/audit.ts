// The audit log: every admin action with its time, actor and target, appended as one JSON
// line to a file (when configured) and kept in a bounded in-memory list for `audit` and
// the web panel. File writes go through a stream, never blocking the event loop.
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';

export interface AuditEntry {
  time: number;
  /** Who acted: `console`, or `oper:<name>` with the name of the oper block used. */
  actor: string;
  action: string;
  target?: string | undefined;
  detail?: string | undefined;
}

/** Actions whose detail is what was said: it stays in the audit file, out of the server log. */
const SPOKEN_ACTIONS: ReadonlySet<string> = new Set(['say', 'broadcast', 'wallops']);

export class AuditLog {
  private readonly entries: AuditEntry[] = [];
  private stream: WriteStream | undefined;

  constructor(
    path: string | null,
    private readonly keep: number,
    private readonly logger: Logger,
  ) {
    if (path !== null) {
      mkdirSync(dirname(path), { recursive: true });
      this.stream = createWriteStream(path, { flags: 'a' });
      this.stream.on('error', (err) => logger.error({ err, path }, 'cannot write the audit log'));
    }
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
