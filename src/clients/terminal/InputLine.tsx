// The input at the bottom: a prompt with the nick, then the text being typed, scrolled sideways
// so that the cursor (shown inverse) stays in view; measured in columns, cut between graphemes.
// A text of several lines (a paste, Alt-Enter, Ctrl-J) shows a line break as '↵' and takes a
// row per line, up to `maxRows`; the rows follow the cursor's line.
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { displayWidth, graphemes, truncate } from './text-layout.ts';

/** How a line break in the input shows: one UTF-16 unit, like the '\n' it stands for. */
export const LINE_BREAK_MARK = '↵';

export interface InputLineProps {
  prompt: string;
  text: string;
  cursor: number;
  width: number;
  /** The most rows the input may take (one per line of its text). */
  maxRows?: number;
}

/** The visible part of the text: before the cursor, under it, after it. */
export function inputWindow(text: string, cursor: number, width: number): { before: string; at: string; after: string } {
  const beforeAll = graphemes(text.slice(0, cursor));
  const afterAll = graphemes(text.slice(cursor));
  const at = afterAll.shift() ?? ' ';
  const room = Math.max(0, width - displayWidth(at));
  // Keep some of what follows the cursor in view when there is any, at most a quarter.
  const afterWidth = displayWidth(afterAll.join(''));
  const keepAfter = Math.min(afterWidth, Math.floor(room / 4));
  let before = '';
  let used = 0;
  for (let i = beforeAll.length - 1; i >= 0; i--) {
    const w = displayWidth(beforeAll[i]!);
    if (used + w > room - keepAfter) break;
    before = beforeAll[i] + before;
    used += w;
  }
  let after = '';
  for (const g of afterAll) {
    const w = displayWidth(g);
    if (used + w > room) break;
    after += g;
    used += w;
  }
  return { before, at, after };
}

/** The rows the input takes for `text`: one per line, at least one, at most `maxRows`. */
export function inputRowCount(text: string, maxRows: number): number {
  return Math.max(1, Math.min(maxRows, text.split('\n').length));
}

export interface InputRow {
  /** The row's text, its line break (if the line has one after it) shown as the mark. */
  text: string;
  /** Where the cursor is in `text`, on the cursor's row only. */
  cursor?: number;
  /** Whether lines above are out of view (first row only). */
  moreAbove?: boolean;
}

/** The rows to show for `text` with the cursor at `cursor`, at most `maxRows`. */
export function inputRows(text: string, cursor: number, maxRows: number): InputRow[] {
  const lines = text.split('\n');
  if (lines.length === 1 || maxRows <= 1) return [{ text: text.replaceAll('\n', LINE_BREAK_MARK), cursor }];
  const starts: number[] = [];
  let offset = 0;
  for (const line of lines) {
    starts.push(offset);
    offset += line.length + 1;
  }
  let cursorLine = lines.length - 1;
  while (cursorLine > 0 && starts[cursorLine]! > cursor) cursorLine--;
  // The last lines (where a paste leaves the cursor), or higher up to keep the cursor's line in view.
  const first = Math.min(Math.max(0, lines.length - maxRows), cursorLine);
  const shown = lines.slice(first, first + maxRows);
  return shown.map((line, i) => {
    const n = first + i;
    const row: InputRow = { text: n < lines.length - 1 ? line + LINE_BREAK_MARK : line };
    if (n === cursorLine) row.cursor = cursor - starts[n]!;
    if (i === 0 && first > 0) row.moreAbove = true;
    return row;
  });
}

/** Text with its line-break marks dimmed. */
function Marked({ text }: { text: string }) {
  const parts = text.split(LINE_BREAK_MARK);
  return (
    <>
      {parts.map((part, i) => (
        <Text key={i}>
          {part}
          {i < parts.length - 1 ? <Text dimColor>{LINE_BREAK_MARK}</Text> : null}
        </Text>
      ))}
    </>
  );
}

function Row({ head, row, width }: { head: ReactNode; row: InputRow; width: number }) {
  const more = row.moreAbove ? '…' : '';
  const room = Math.max(1, width - displayWidth(more));
  if (row.cursor === undefined) {
    const shown = truncate(row.text, room);
    const used = displayWidth(more + shown);
    return (
      <Text wrap="truncate-end">
        {head}
        <Text dimColor>{more}</Text>
        <Marked text={shown} />
        {used < width ? ' '.repeat(width - used) : ''}
      </Text>
    );
  }
  const { before, at, after } = inputWindow(row.text, row.cursor, room);
  const used = displayWidth(more + before + at + after);
  return (
    <Text wrap="truncate-end">
      {head}
      <Text dimColor>{more}</Text>
      <Marked text={before} />
      <Text inverse>{at}</Text>
      <Marked text={after} />
      {used < width ? ' '.repeat(width - used) : ''}
    </Text>
  );
}

export function InputLine({ prompt, text, cursor, width, maxRows = 1 }: InputLineProps) {
  const promptWidth = displayWidth(prompt);
  const room = Math.max(1, width - promptWidth);
  const rows = inputRows(text, cursor, maxRows);
  const indent = ' '.repeat(promptWidth);
  return (
    <Box flexDirection="column" width={width}>
      {rows.map((row, i) => (
        <Row
          key={i}
          row={row}
          width={room}
          head={
            i === 0 ? (
              <Text bold color="cyan">
                {prompt}
              </Text>
            ) : (
              indent
            )
          }
        />
      ))}
    </Box>
  );
}
