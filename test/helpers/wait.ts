/**
 * How long a helper waits for something that should come, when the test names no time.
 * A wait ends as soon as its match arrives, so this costs nothing when tests pass; it is
 * long because CI's two cores also run another test file, its servers and browsers, where a
 * 5 s allowance could run out (none was seen to; other short waits were). A test that expects
 * nothing to come names its own, short, time.
 */
export const WAIT_MS = 15_000;
