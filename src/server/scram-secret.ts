// The secret behind the made-up SCRAM salts of unknown accounts (scram-verifier.ts's
// fakeVerifier). It must be the same on every node and across restarts, or a prober could tell
// an unknown account (whose salt changes) from a real one (whose salt does not). Unless
// `accounts.scramSecret` is set, it is kept in the store of record, which every node shares
// (Store.serverSecret: table server_secrets), made by whichever node needs it first.
//
// A kept secret never changes, so each server reads it once and keeps it: later SCRAM attempts
// cost no read. The first attempt reads it beside the account (scram.ts), so that even then the
// time taken does not tell a known account from an unknown one.
import { randomBytes } from 'node:crypto';
import type { Store } from '../storage/store.ts';

/** Its name in the store's server_secrets. */
export const SCRAM_SALT_SECRET_NAME = 'scram salt secret';
/** 256 random bits, the candidate a node offers when the store keeps none yet. */
const SECRET_BYTES = 32;

/** The key of the made-up salts, owned by the server; one per store. */
export class ScramSaltSecret {
  private kept: Buffer | undefined;
  /** The first read, shared by the attempts that come while it is under way. */
  private reading: Promise<Buffer> | undefined;

  constructor(
    private readonly store: Store,
    /** `accounts.scramSecret`, read at each use: a reload may set or change it. */
    private readonly configured: () => string | undefined,
  ) {}

  /**
   * `accounts.scramSecret` when configured, else the one kept in the store (made there on
   * first use). Rejects as the store does when it is unavailable; the next call tries again.
   */
  get(): Promise<Buffer> {
    const configured = this.configured();
    if (configured !== undefined) return Promise.resolve(Buffer.from(configured, 'utf8'));
    if (this.kept !== undefined) return Promise.resolve(this.kept);
    this.reading ??= this.read().finally(() => {
      this.reading = undefined;
    });
    return this.reading;
  }

  private async read(): Promise<Buffer> {
    const value = await this.store.serverSecret(SCRAM_SALT_SECRET_NAME, randomBytes(SECRET_BYTES).toString('base64'));
    this.kept = Buffer.from(value, 'base64');
    return this.kept;
  }
}
