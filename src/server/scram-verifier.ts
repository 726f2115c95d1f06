// The SCRAM-SHA-256 verifier an account keeps (column `accounts.scram`) instead of its
// password: `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`, PostgreSQL's format.
// Derived with PBKDF2 in libuv's thread pool (never on the event loop): with the scrypt hash,
// in the hashing queue's turn, when an account is created; for older accounts, at their next
// successful PLAIN login. Accounts without one get a fake, stable per name and the salt secret
// (scram-secret.ts), so that they cannot be told from accounts whose password is simply not the one tried.
import { createHash, createHmac, pbkdf2, randomBytes } from 'node:crypto';
import { foldCase } from '../protocol/casemapping.ts';
import { saslprep } from '../protocol/saslprep.ts';
import { SCRAM_MECHANISM } from '../protocol/scram-messages.ts';
import type { AccountRecord } from '../storage/store.ts';
import type { CommandHost } from './command-services.ts';

export const SCRAM_KEY_BYTES = 32;
const KEY_BYTES = SCRAM_KEY_BYTES;
const SALT_BYTES = 16;

export interface ScramVerifier {
  iterations: number;
  salt: Buffer;
  storedKey: Buffer;
  serverKey: Buffer;
}

export function formatVerifier(v: ScramVerifier): string {
  return `${SCRAM_MECHANISM}$${v.iterations}:${v.salt.toString('base64')}$${v.storedKey.toString('base64')}:${v.serverKey.toString('base64')}`;
}

const VERIFIER = /^SCRAM-SHA-256\$(\d{1,10}):([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2}):([A-Za-z0-9+/]+={0,2})$/;

export function parseVerifier(text: string | undefined): ScramVerifier | undefined {
  const m = text === undefined ? null : VERIFIER.exec(text);
  if (!m) return undefined;
  const v = { iterations: Number(m[1]), salt: Buffer.from(m[2]!, 'base64'), storedKey: Buffer.from(m[3]!, 'base64'), serverKey: Buffer.from(m[4]!, 'base64') };
  return v.iterations >= 1 && v.storedKey.length === KEY_BYTES && v.serverKey.length === KEY_BYTES && v.salt.length > 0 ? v : undefined;
}

export const hmac = (key: Buffer, data: string | Buffer): Buffer => createHmac('sha256', key).update(data).digest();
export const sha256 = (data: Buffer): Buffer => createHash('sha256').update(data).digest();

/** The verifier of `password` with a new salt (PBKDF2 off the event loop); undefined when SASLprep refuses the password. */
export async function deriveVerifier(password: string, iterations: number, salt: Buffer = randomBytes(SALT_BYTES)): Promise<string | undefined> {
  const prepared = saslprep(password);
  if (prepared === undefined) return undefined;
  const salted = await new Promise<Buffer>((resolve, reject) =>
    pbkdf2(Buffer.from(prepared, 'utf8'), salt, iterations, KEY_BYTES, 'sha256', (err, key) => (err ? reject(err) : resolve(key))),
  );
  const clientKey = hmac(salted, 'Client Key');
  return formatVerifier({ iterations, salt, storedKey: sha256(clientKey), serverKey: hmac(salted, 'Server Key') });
}

/** What an account without a verifier (or no account) is answered with: stable per name and secret (scram-secret.ts), matching no proof. */
export function fakeVerifier(key: Buffer, name: string, iterations: number): ScramVerifier {
  const folded = foldCase(name);
  return {
    iterations,
    salt: hmac(key, `scram salt\0${folded}`).subarray(0, SALT_BYTES),
    storedKey: hmac(key, `scram stored key\0${folded}`),
    serverKey: hmac(key, `scram server key\0${folded}`),
  };
}

/**
 * After a successful PLAIN login: derives the account's verifier if it has none, or one with
 * fewer iterations than configured, in the background (errors are logged). In a hashing slot,
 * as scrypt is, so that a flood of logins (many connections, one known password) runs no more
 * PBKDF2 at once than `auth.hashConcurrency`; but only a free one: with every slot busy or
 * someone waiting it is not done now, and the account's next PLAIN login tries again.
 */
export function refreshVerifier(host: CommandHost, account: AccountRecord, password: string): Promise<void> {
  const iterations = host.config.accounts.scramIterations;
  const current = parseVerifier(account.scram);
  if (current && current.iterations >= iterations) return Promise.resolve();
  const { store } = host.services;
  const derived = host.services.hashing.tryRun(() => deriveVerifier(password, iterations));
  if (derived === undefined) return Promise.resolve();
  return (async () => {
    const scram = await derived;
    if (scram === undefined) return;
    // The password may have changed (or the account been deleted and registered again) meanwhile.
    const now = await store.getAccount(account.name);
    if (now?.passwordHash !== account.passwordHash) return;
    await store.updateAccount(account.name, { scram });
  })().catch((err: unknown) => host.services.logError(err, 'deriving an account’s SCRAM verifier'));
}

