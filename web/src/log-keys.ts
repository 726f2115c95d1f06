// Keys inside the message log, which is one tab stop: ← and → move through its nicks and
// links (from the log itself, ← goes to the newest, → to the oldest); Esc goes back to the log.
export function onLogKey(e: KeyboardEvent, log: HTMLElement | null): void {
  if (!log || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
  if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight' && e.key !== 'Escape') return;
  const items = [...log.querySelectorAll<HTMLElement>('.lines a, .lines button')];
  const at = items.indexOf(document.activeElement as HTMLElement);
  if (e.key === 'Escape') {
    if (at === -1) return;
    e.preventDefault();
    log.focus();
    return;
  }
  if (items.length === 0) return;
  e.preventDefault();
  const step = e.key === 'ArrowLeft' ? -1 : 1;
  const next = at === -1 ? (step === -1 ? items.length - 1 : 0) : Math.min(items.length - 1, Math.max(0, at + step));
  items[next]!.focus();
}
