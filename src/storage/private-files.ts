// Files only the server's user may read: the data directory is created 0700 and the files in
// it (database, write-ahead log, audit log, lock) 0600, whatever the umask. The umask can only
// clear bits, so creating with these modes is enough for new files; files Parlor made before
// it set modes are narrowed with chmod when opened.
import { chmodSync, mkdirSync, statSync } from 'node:fs';

export const PRIVATE_DIRECTORY_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Creates `dir` (and its parents) as 0700 when missing; an existing directory keeps its mode. */
export function makePrivateDirectory(dir: string): void {
  const found = statSync(dir, { throwIfNoEntry: false });
  if (found && !found.isDirectory()) throw new Error(`${dir} is not a directory`);
  if (!found) mkdirSync(dir, { recursive: true, mode: PRIVATE_DIRECTORY_MODE });
}

/**
 * Narrows an existing file of the server's to 0600. A missing file, or one owned by another
 * user (EPERM), is left as it is: refusing to start over a mode would help nobody.
 */
export function restrictToOwner(path: string): void {
  try {
    chmodSync(path, PRIVATE_FILE_MODE);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'EPERM') throw err;
  }
}
