// The console's `help` laid out for the terminal it is shown on: each command's syntax, and
// its explanation wrapped at word boundaries to the terminal's width, under itself (a
// hanging indent). On a narrow terminal the explanation goes on the lines below the syntax.
import stringWidth from 'string-width';
import { wrap } from '../clients/terminal/text-layout.ts';

export interface HelpEntry {
  syntax: string;
  help: string;
}

/** Narrower than this, the explanation column would be too thin to read: it goes below. */
const MIN_HELP_COLUMN = 30;
const BELOW_INDENT = '    ';

/** The list of commands; `columns` undefined (a pipe) means lines as long as they come. */
export function helpLines(entries: readonly HelpEntry[], columns: number | undefined): string[] {
  const syntaxWidth = Math.max(...entries.map((e) => stringWidth(e.syntax)));
  if (columns === undefined) return entries.map((e) => `${pad(e.syntax, syntaxWidth)}  ${e.help}`);
  const helpColumn = columns - syntaxWidth - 2;
  if (helpColumn >= MIN_HELP_COLUMN) {
    return entries.flatMap((e) => wrap(e.help, helpColumn).map((row, i) => `${pad(i === 0 ? e.syntax : '', syntaxWidth)}  ${row}`));
  }
  return entries.flatMap((e) => [...wrap(e.syntax, columns), ...wrap(e.help, columns - BELOW_INDENT.length).map((row) => BELOW_INDENT + row)]);
}

/** One command's syntax and its explanation below it, wrapped to `columns`. */
export function commandHelpLines(entry: HelpEntry, columns: number | undefined): string[] {
  if (columns === undefined) return [entry.syntax, `  ${entry.help}`];
  return [...wrap(entry.syntax, columns), ...wrap(entry.help, columns - 2).map((row) => `  ${row}`)];
}

function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - stringWidth(text)));
}
