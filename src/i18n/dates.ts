// Days and times as the reader's locale writes them (Intl), for day separators and line times.
// Times stay on a 24-hour clock with two-digit fields, so that lines' times line up in a column.

/** `Thu, 1 Jan 2026` (en-GB), `Thu, Jan 1, 2026` (en), `2026年1月1日周四` (zh-CN). */
export function formatDay(time: Date, locale: string): string {
  return new Intl.DateTimeFormat(locale, { weekday: 'short', year: 'numeric', month: 'short', day: 'numeric' }).format(time);
}

/**
 * formatClock's formatter, made once: making an Intl.DateTimeFormat costs ~0.1 ms, too much
 * for every line of a long log on every redraw; using one costs ~1 µs.
 */
export function clockFormat(locale: string, seconds = false): (time: Date) => string {
  const format = new Intl.DateTimeFormat(locale, {
    hour: '2-digit',
    minute: '2-digit',
    ...(seconds && { second: '2-digit' }),
    hourCycle: 'h23',
  });
  return (time) => format.format(time);
}

/** Local time as 09:05, or 09:05:07 with seconds, in the locale's digits and separators. */
export function formatClock(time: Date, locale: string, seconds = false): string {
  return clockFormat(locale, seconds)(time);
}

/** formatDateTime's formatter, made once (see clockFormat). */
export function dateTimeFormat(locale: string): (time: Date) => string {
  const format = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', hourCycle: 'h23' });
  return (time) => format.format(time);
}

/** A moment with its date, for "topic set … on …". */
export function formatDateTime(time: Date, locale: string): string {
  return dateTimeFormat(locale)(time);
}
