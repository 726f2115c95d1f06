// Text forms of chat lines and times, shared by the terminal UI and line mode.
import type { ChatBuffer, ChatLine } from './model.ts';

const pad = (n: number): string => String(n).padStart(2, '0');

/** Local time as HH:MM, or HH:MM:SS. */
export function clock(time: Date, seconds = false): string {
  const hm = `${pad(time.getHours())}:${pad(time.getMinutes())}`;
  return seconds ? `${hm}:${pad(time.getSeconds())}` : hm;
}

/** The local day, for separators: "Wed 2025-11-26". */
export function dayLabel(time: Date): string {
  const day = time.toLocaleDateString('en-GB', { weekday: 'short' });
  return `${day} ${time.getFullYear()}-${pad(time.getMonth() + 1)}-${pad(time.getDate())}`;
}

export function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/** How a line reads after its time: "<nick> text", "* nick waves", "-nick- text", "-!- bob joined". */
export function lineText(line: ChatLine): { mark: string; text: string } {
  switch (line.kind) {
    case 'message':
      return { mark: `<${line.from ?? '?'}>`, text: line.text };
    case 'action':
      return { mark: '*', text: `${line.from ?? '?'} ${line.text}` };
    case 'notice':
      return { mark: `-${line.from || 'server'}-`, text: line.text };
    case 'error':
      return { mark: '!!', text: line.text };
    default:
      return { mark: '-!-', text: line.text };
  }
}

/** The buffer as named in line mode: the room or nick, `*` for the server. */
export function bufferLabel(buffer: ChatBuffer): string {
  return buffer.kind === 'server' ? '*' : buffer.name;
}

/**
 * Text without IRC formatting (bold, colours `\x03fg,bg`, hex colours `\x04rrggbb`, …) nor
 * other control characters, which would move the cursor or break a line in two.
 */
export function plainText(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/\x03(?:\d{1,2}(?:,\d{1,2})?)?|\x04(?:[0-9a-fA-F]{6}(?:,[0-9a-fA-F]{6})?)?/g, '')
      // eslint-disable-next-line no-control-regex
      .replace(/[\x00-\x1f\x7f-\x9f]/g, '')
  );
}

/** One line of line mode's output: `[HH:MM:SS] #room <nick> text`. */
export function plainLine(buffer: ChatBuffer, line: ChatLine): string {
  const { mark, text } = lineText(line);
  return `[${clock(line.time, true)}] ${bufferLabel(buffer)} ${plainText(mark)} ${plainText(text)}`;
}
