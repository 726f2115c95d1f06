// What the user typed and sent, kept until the server shows it through (echo-message), so
// that a refusal (a mute, a moderated room: 404 or 531) gives it back to the input line
// instead of losing it.

/** Text that is said rather than a command: plain lines, `//text` and `/me`. */
function isSaid(text: string): boolean {
  return !text.startsWith('/') || text.startsWith('//') || /^\/me /i.test(text);
}

export class UnsentInput {
  /** By buffer key: the last line sent from there, not yet seen through. */
  private readonly waiting = new Map<string, string>();
  /** By buffer key: a refused line, for its input line to take back. */
  private readonly refused = new Map<string, string>();

  /** `text` went out from the input line of the buffer `key`. */
  sent(key: string, text: string): void {
    if (key !== '' && isSaid(text)) this.waiting.set(key, text);
  }

  /** A message of ours showed in `key`: it got through. */
  through(key: string): void {
    this.waiting.delete(key);
  }

  /** The server refused a message to `key`; true when there is text to give back. */
  refuse(key: string): boolean {
    const text = this.waiting.get(key);
    if (text === undefined) return false;
    this.waiting.delete(key);
    this.refused.set(key, text);
    return true;
  }

  /** The refused text for `key`'s input line, once. */
  take(key: string): string | undefined {
    const text = this.refused.get(key);
    this.refused.delete(key);
    return text;
  }

  clear(): void {
    this.waiting.clear();
    this.refused.clear();
  }
}
