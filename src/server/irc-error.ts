// Errors a command handler throws; the dispatcher turns them into replies in one place.

/** A numeric error reply: `:server <numeric> <client> <...params> :<text>`. */
export class IrcError extends Error {
  override name = 'IrcError';
  constructor(
    readonly numeric: string,
    readonly params: readonly string[],
    readonly text: string,
  ) {
    super(`${numeric} ${params.join(' ')} :${text}`);
  }
}

/** An IRCv3 standard reply: `FAIL <command> <code> [<context>...] :<description>`. */
export class StandardReplyError extends Error {
  override name = 'StandardReplyError';
  constructor(
    readonly command: string,
    readonly code: string,
    readonly context: readonly string[],
    readonly description: string,
  ) {
    super(`FAIL ${command} ${code} :${description}`);
  }
}
