// The middle: the current buffer's lines, newest at the bottom, `scroll` rows up when the
// user paged back (with a note of how far down the end is).
import { Box, Text } from 'ink';
import { ENGLISH_LINES, type LineLanguage } from '../format.ts';
import type { ChatLine } from '../model.ts';
import { visibleRows } from './message-rows.ts';
import { RowView } from './RowView.tsx';
import { fit } from './text-layout.ts';

export interface MessagePaneProps {
  lines: readonly ChatLine[];
  width: number;
  height: number;
  /** Rows scrolled up from the bottom. */
  scroll: number;
  language?: LineLanguage;
}

export function MessagePane({ lines, width, height, scroll, language = ENGLISH_LINES }: MessagePaneProps) {
  const scrolled = scroll > 0 && height > 1;
  const { rows, skip } = visibleRows(lines, width, scrolled ? height - 1 : height, scroll, language);
  const blank = Math.max(0, (scrolled ? height - 1 : height) - rows.length);
  return (
    <Box flexDirection="column" width={width} height={height}>
      {blank > 0 ? <Text>{Array.from({ length: blank }, () => ' '.repeat(width)).join('\n')}</Text> : null}
      {rows.map((row, i) => (
        <RowView key={i} segments={row} width={width} />
      ))}
      {scrolled ? (
        <Text inverse wrap="truncate-end">
          {fit(language.t('terminal.scrolledUp', { count: skip }), width)}
        </Text>
      ) : null}
    </Box>
  );
}
