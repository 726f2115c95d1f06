// The left column: every buffer with its number (for /window and Alt-N), unread and
// mention counts, the current one highlighted. Long lists scroll to keep it in view.
import { Box, Text } from 'ink';
import type { ChatBuffer } from '../model.ts';
import { displayWidth, fit, truncate } from './text-layout.ts';

export interface SidebarProps {
  buffers: readonly ChatBuffer[];
  currentKey: string;
  width: number;
  height: number;
}

/** "12 #room" with the counts at the right: "3" unread, "!1" mentions. */
export function sidebarRow(buffer: ChatBuffer, n: number, width: number): string {
  const counts = [buffer.unread > 0 ? String(buffer.unread) : '', buffer.mentions > 0 ? `!${buffer.mentions}` : ''].filter((c) => c !== '').join(' ');
  const number = `${n}`.padStart(2) + ' ';
  const room = width - displayWidth(number) - (counts ? displayWidth(counts) + 1 : 0);
  const name = truncate(buffer.name, Math.max(1, room));
  return fit(`${number}${name}${' '.repeat(Math.max(0, room - displayWidth(name)))}${counts ? ` ${counts}` : ''}`, width);
}

export function Sidebar({ buffers, currentKey, width, height }: SidebarProps) {
  const current = Math.max(0, buffers.findIndex((b) => b.key === currentKey));
  // Scroll the list when it is longer than the column, the current buffer in view.
  const first = Math.max(0, Math.min(current - Math.floor(height / 2), buffers.length - height));
  const shown = buffers.slice(first, first + height);
  return (
    <Box flexDirection="column" width={width} height={height}>
      {shown.map((b, i) => {
        const isCurrent = b.key === currentKey;
        const quiet = b.kind === 'room' && !b.joined;
        return (
          <Text
            key={b.key || '(server)'}
            wrap="truncate-end"
            inverse={isCurrent}
            bold={isCurrent || b.unread > 0}
            color={b.mentions > 0 ? 'yellow' : undefined}
            dimColor={quiet && !isCurrent}
          >
            {sidebarRow(b, first + i + 1, width)}
          </Text>
        );
      })}
      {shown.length < height ? <Text>{Array.from({ length: height - shown.length }, () => ' '.repeat(width)).join('\n')}</Text> : null}
    </Box>
  );
}
