// Keys typed before `parlor chat` has put the terminal in raw mode (while Node and the UI are
// still starting, which takes seconds under load). Until then the terminal is in cooked mode:
// the tty driver turns each Enter (CR) into LF (ICRNL) and keeps the keys in its line buffer.
// They are read all at once, in the first read after raw mode goes on. In raw mode LF is
// Ctrl-J, a line break in the input; but in what was typed ahead every LF was an Enter (or a
// Ctrl-J, which cooked mode cannot tell apart), so there it is taken for Enter: each line typed
// ahead is sent, as it would have been had the UI been ready. (So a Ctrl-J that happens to be
// the very first key read in raw mode is an Enter too: in that read nothing tells them apart.)

/** Type-ahead as the keys raw mode would have read: each LF a CR (Enter). */
export function typeAheadAsKeys(text: string): string {
  return text.replaceAll('\n', '\r');
}

/**
 * Marks the first read after raw mode is turned on (again) as type-ahead. `arm` when raw mode
 * goes on; `take` on each read gives the read's text as keys.
 */
export class TypeAhead {
  private armed = false;

  arm(): void {
    this.armed = true;
  }

  take(text: string): string {
    if (!this.armed || text === '') return text;
    this.armed = false;
    return typeAheadAsKeys(text);
  }
}
