// The conversation's lines, with day separators. Stays at the bottom while the user is
// there; scrolling to the top asks for older lines (chathistory) and keeps the view still
// when they arrive.
import { useLayoutEffect, useRef } from 'preact/hooks';
import type { ChatBuffer } from '../../src/clients/model.ts';
import { dayLabel, sameDay } from '../../src/clients/format.ts';
import type { WebClient } from './connection.ts';
import { MessageLine } from './MessageLine.tsx';

interface Props {
  client: WebClient;
  buffer: ChatBuffer;
  onNick: (nick: string) => void;
}

/** Pixels from an edge that still count as being at it. */
const EDGE = 40;

export function MessageList({ client, buffer, onNick }: Props) {
  const pane = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const shown = useRef({ key: '', firstId: -1, height: 0 });

  useLayoutEffect(() => {
    const el = pane.current;
    if (!el) return;
    const prev = shown.current;
    const firstId = buffer.lines[0]?.id ?? -1;
    if (prev.key !== buffer.key) atBottom.current = true;
    if (atBottom.current) el.scrollTop = el.scrollHeight;
    else if (prev.key === buffer.key && firstId !== prev.firstId) el.scrollTop += el.scrollHeight - prev.height; // older lines went in above
    shown.current = { key: buffer.key, firstId, height: el.scrollHeight };
  });

  const onScroll = () => {
    const el = pane.current!;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < EDGE;
    shown.current.height = el.scrollHeight;
    if (el.scrollTop < EDGE) client.loadOlder(buffer);
  };

  const canLoad = buffer.kind !== 'server' && client.caps.has('draft/chathistory') && !client.historyDone.has(buffer.key);
  let previous: Date | undefined;
  return (
    <div class="messages" ref={pane} onScroll={onScroll} role="log" aria-live="polite" aria-label={`Messages in ${buffer.name}`} tabIndex={0}>
      {canLoad && (
        <button class="load-older" onClick={() => client.loadOlder(buffer)}>
          Load older messages
        </button>
      )}
      <ol class="lines">
        {buffer.lines.map((line) => {
          const separator = previous === undefined || !sameDay(previous, line.time);
          previous = line.time;
          return [
            separator && (
              <li key={`day-${line.id}`} class="day" role="separator">
                {dayLabel(line.time)}
              </li>
            ),
            <MessageLine key={line.id} line={line} onNick={onNick} />,
          ];
        })}
      </ol>
    </div>
  );
}
