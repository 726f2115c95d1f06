// The bottom row: a prompt with the nick, then the text being typed, scrolled sideways so
// that the cursor (shown inverse) stays in view; measured in columns, cut between graphemes.
import { Text } from 'ink';
import { displayWidth, graphemes } from './text-layout.ts';

export interface InputLineProps {
  prompt: string;
  text: string;
  cursor: number;
  width: number;
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

export function InputLine({ prompt, text, cursor, width }: InputLineProps) {
  const promptWidth = displayWidth(prompt);
  const { before, at, after } = inputWindow(text, cursor, Math.max(1, width - promptWidth));
  const used = promptWidth + displayWidth(before + at + after);
  return (
    <Text wrap="truncate-end">
      <Text bold color="cyan">
        {prompt}
      </Text>
      {before}
      <Text inverse>{at}</Text>
      {after}
      {used < width ? ' '.repeat(width - used) : ''}
    </Text>
  );
}
