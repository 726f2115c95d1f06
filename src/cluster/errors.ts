// Failures of the network's log as callers see them: one class per failure, with a stable
// code, so that a handler can answer FAIL … TEMPORARILY_UNAVAILABLE without reading messages.

export type LogErrorCode =
  /** The log cannot be reached right now (Redis down, paused past the command timeout). */
  | 'LOG_UNAVAILABLE'
  /** The log this node was reading is gone (Redis restarted without its data). */
  | 'LOG_LOST';

export class LogError extends Error {
  override name = 'LogError';
  constructor(
    readonly code: LogErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** True for a failure that may pass: the caller says "try again" rather than "no". */
export function isLogUnavailable(err: unknown): boolean {
  return err instanceof LogError;
}
