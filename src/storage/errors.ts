// Failures of a Store that may pass (the database is down or slow): a stable code, so that
// REGISTER, SASL and CHATHISTORY can answer "temporarily unavailable" instead of "no".

export type StoreErrorCode =
  /** The database cannot be reached, or did not answer in time. */
  | 'STORE_UNAVAILABLE'
  /** The database's schema is newer than this program knows: an older node must not write to it. */
  | 'SCHEMA_TOO_NEW';

export class StoreError extends Error {
  override name = 'StoreError';
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isStoreUnavailable(err: unknown): boolean {
  return err instanceof StoreError && err.code === 'STORE_UNAVAILABLE';
}
