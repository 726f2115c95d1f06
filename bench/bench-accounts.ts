// Accounts for the workloads whose clients log in (pairs-200: Parlor stores a private
// message only between two logged-in accounts), made in the bench's database before
// `parlor serve` opens it, and the count of messages that database holds afterwards.
import Database from '../src/storage/sqlite-driver.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { hashPassword } from '../src/server/passwords.ts';
import { deriveVerifier } from '../src/server/scram-verifier.ts';
import { SqliteStore } from '../src/storage/sqlite-store.ts';

export interface BenchLogin {
  password: string;
  passwordHash: string;
  scram: string | undefined;
}

/** scrypt cost of the bench accounts' hash: logins are outside the timed phase, but 200 at cost 15 take ~5 s. */
const BENCH_PASSWORD_COST = 10;
/** As config.accounts.scramIterations (default): a verifier that is current is not derived again after a PLAIN login. */
const SCRAM_ITERATIONS = 4096;

/** One password, hashed once for every account (a hash per account would cost seconds). */
export async function benchLogin(password = 'bench-password'): Promise<BenchLogin> {
  const [passwordHash, scram] = await Promise.all([hashPassword(password, BENCH_PASSWORD_COST), deriveVerifier(password, SCRAM_ITERATIONS)]);
  return { password, passwordHash, scram };
}

/** Creates verified accounts named `names` in the SQLite database of `dataDir` (the server must not be running on it). */
export async function seedAccounts(dataDir: string, names: string[], login: BenchLogin): Promise<void> {
  const store = new SqliteStore({ path: join(dataDir, 'parlor.db'), quickCheck: false });
  try {
    const createdAt = Date.now();
    for (const name of names) {
      const created = await store.createAccount({ name, passwordHash: login.passwordHash, scram: login.scram, createdAt, verified: true, suspended: false });
      if (!created) throw new Error(`bench account ${name} exists already in ${dataDir}`);
    }
  } finally {
    await store.close();
  }
}

/** Rows in the messages table of `dataDir`'s database (read-only; the server may be running). */
export function countStoredMessages(dataDir: string): number {
  const path = join(dataDir, 'parlor.db');
  if (!existsSync(path)) return 0;
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    return db.prepare('SELECT COUNT(*) FROM messages').pluck().get() as number;
  } finally {
    db.close();
  }
}
