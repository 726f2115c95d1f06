// One screen row made of styled pieces, padded with spaces to its full width so that what
// was drawn there before is covered. The pieces are laid out beforehand (text-layout.ts):
// ink is never left to wrap or cut text itself.
import { Text } from 'ink';
import type { Segment } from './message-rows.ts';
import { displayWidth } from './text-layout.ts';

export function RowView({ segments, width }: { segments: Segment[]; width: number }) {
  const used = displayWidth(segments.map((s) => s.text).join(''));
  return (
    <Text wrap="truncate-end">
      {segments.map((s, i) => (
        <Text key={i} color={s.color} backgroundColor={s.backgroundColor} dimColor={s.dim} bold={s.bold} italic={s.italic}>
          {s.text}
        </Text>
      ))}
      {used < width ? ' '.repeat(width - used) : ''}
    </Text>
  );
}
