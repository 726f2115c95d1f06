// Text forms of chat lines and times, shared by the terminal UI and line mode.
import { formatClock, formatDay } from '../i18n/dates.ts';
import { ENGLISH, type Translate } from '../i18n/i18n.ts';
import type { ChatBuffer, ChatLine } from './model.ts';

/** What lines are written in: the catalogue's language and the locale of days and times (a ChatModel is one). */
export interface LineLanguage {
  readonly t: Translate;
  readonly dateLocale: string;
}

export const ENGLISH_LINES: LineLanguage = { t: ENGLISH.t, dateLocale: 'en' };

/** Local time as HH:MM, or HH:MM:SS, on a 24-hour clock in the locale's digits. */
export function clock(time: Date, seconds = false, locale = 'en'): string {
  return formatClock(time, locale, seconds);
}

/** The local day, for separators: "Wed, Nov 26, 2025", "2025年11月26日周三". */
export function dayLabel(time: Date, locale = 'en'): string {
  return formatDay(time, locale);
}

export function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/** A bot's marker after its nick ("[bot]"), or nothing for a person: a nick has no space, so it cannot be faked. */
export function botMark(line: ChatLine, { t }: LineLanguage = ENGLISH_LINES): string {
  return line.bot ? ` ${t('client.line.botMark')}` : '';
}

/** What a deleted line says in place of its text (redaction.ts): "message deleted by op: spam". */
export function redactedText(line: ChatLine, t: Translate): string {
  const by = line.redactedBy;
  const reason = line.redactReason;
  if (by !== undefined) return reason === undefined ? t('client.redact.deletedBy', { nick: by }) : t('client.redact.deletedByReason', { nick: by, reason });
  return reason === undefined ? t('client.redact.deleted') : t('client.redact.deletedReason', { reason });
}

/** How a line reads after its time: "<nick> text", "* nick waves", "-nick- text", "*** Broadcast from irc.example: text", "-!- bob joined"; "<nick [bot]> text" from a bot. */
export function lineText(line: ChatLine, language: LineLanguage = ENGLISH_LINES): { mark: string; text: string } {
  const { t } = language;
  // A deleted message (redaction.ts) keeps its place and its sender, not its words.
  if (line.redacted) return { mark: `<${line.from ?? '?'}${botMark(line, language)}>`, text: redactedText(line, t) };
  switch (line.kind) {
    case 'message':
      return { mark: `<${line.from ?? '?'}${botMark(line, language)}>`, text: line.text };
    case 'action':
      return { mark: '*', text: `${line.from ?? '?'}${botMark(line, language)} ${line.text}` };
    case 'notice':
      return { mark: `-${line.from || t('client.line.server')}${botMark(line, language)}-`, text: line.text };
    case 'announcement':
      return { mark: '***', text: t('client.line.announcement', { from: line.from || t('client.line.server'), text: line.text }) };
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
export function plainLine(buffer: ChatBuffer, line: ChatLine, language: LineLanguage = ENGLISH_LINES): string {
  const { mark, text } = lineText(line, language);
  // One event a line: the lines of a multi-line message are joined by ' ↵ '.
  return `[${clock(line.time, true, language.dateLocale)}] ${bufferLabel(buffer)} ${plainText(mark)} ${plainText(text.replaceAll('\n', ' ↵ '))}`;
}
