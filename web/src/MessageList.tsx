// The conversation's lines, with day separators. Stays at the bottom while the user is
// there; scrolling to the top asks for older lines (chathistory) and keeps the view still
// when they arrive. Coming back to a conversation (or to the page), a "New messages" divider
// marks where the user left off. The log is one tab stop: its nicks and links are reached
// with the arrow keys (log-keys.ts).
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { ChatBuffer, ChatLine } from '../../src/clients/model.ts';
import { dayLabel, sameDay } from '../../src/clients/format.ts';
import type { WebClient } from './connection.ts';
import { DeleteConfirm } from './DeleteConfirm.tsx';
import { MessageLine } from './MessageLine.tsx';
import { useLanguage } from './language.ts';
import { usePageVisible } from './page-visibility.ts';
import { isNews } from './page-title.ts';
import { onLogKey } from './log-keys.ts';
import { foldCase } from '../../src/protocol/casemapping.ts';
import { isDeletable, REDACTION_CAP, redactLine } from '../../src/clients/redaction.ts';
import { lastReadLine } from './read-marker.ts';

interface Props {
  client: WebClient;
  buffer: ChatBuffer;
  onNick: (nick: string) => void;
}

/** Pixels from an edge that still count as being at it. */
const EDGE = 40;
/** A message this soon after one of the same person's continues it (one nick above both on phones). */
const CONTINUE_MS = 5 * 60_000;

/**
 * The id of the last line the user had seen in this buffer when they came back to it (to the
 * buffer, or to the page), or undefined. Kept per buffer while it is in view and the page shown.
 */
function useLastSeen(buffer: ChatBuffer): number | undefined {
  const visible = usePageVisible();
  const seen = useRef(new Map<string, number>());
  const mark = useRef<{ key: string; visible: boolean; afterId: number | undefined } | undefined>(undefined);
  if (mark.current === undefined || mark.current.key !== buffer.key || (visible && !mark.current.visible)) {
    mark.current = { key: buffer.key, visible, afterId: lastReadLine(buffer, seen.current.get(buffer.key)) };
  }
  mark.current.visible = visible;
  const last = buffer.lines.at(-1);
  if (visible && last) seen.current.set(buffer.key, last.id);
  return mark.current.afterId;
}

export function MessageList({ client, buffer, onNick }: Props) {
  const pane = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const shown = useRef({ key: '', firstId: -1, height: 0 });
  const lastSeen = useLastSeen(buffer);
  const { t, dateLocale } = useLanguage();
  const seenAt = lastSeen === undefined ? -1 : buffer.lines.findIndex((l) => l.id === lastSeen);
  const dividerAt = seenAt !== -1 && buffer.lines.slice(seenAt + 1).some(isNews) ? seenAt + 1 : -1;

  useLayoutEffect(() => {
    const el = pane.current;
    if (!el) return;
    const prev = shown.current;
    const firstId = buffer.lines[0]?.id ?? -1;
    const divider = el.querySelector<HTMLElement>('.unread-divider');
    if (prev.key !== buffer.key) {
      atBottom.current = true;
      // Back with more new lines than fit: start at the divider rather than the end.
      if (divider && el.scrollHeight - divider.offsetTop > el.clientHeight) {
        atBottom.current = false;
        el.scrollTop = divider.offsetTop - EDGE;
      }
    }
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
  // Delete: one's own messages, and any as the room's operator (the server checks again).
  const moderating = buffer.kind === 'room' && (buffer.members.get(foldCase(client.model.nick))?.prefixes.includes('@') ?? false);
  // Someone else's line (an operator's deletion) is confirmed first, with a reason if wanted.
  const [confirming, setConfirming] = useState<{ buffer: ChatBuffer; line: ChatLine } | undefined>(undefined);
  const redact = (target: ChatBuffer, line: ChatLine, reason?: string) => {
    const command = redactLine(target, line, reason);
    if (command) client.send(command);
    // The button goes when the line is deleted: focus stays in the log (where ←/→ go on)
    // rather than falling back to the page.
    pane.current?.focus();
  };
  const onDelete = client.caps.has(REDACTION_CAP)
    ? (line: ChatLine) => {
        if (line.self) redact(buffer, line);
        else setConfirming({ buffer, line });
      }
    : undefined;
  let previous: ChatLine | undefined;
  return (
    <>
      <div class="messages" ref={pane} onScroll={onScroll} onKeyDown={(e) => onLogKey(e, pane.current)} role="log" aria-live="polite" aria-label={t('web.messages.in', { name: buffer.name })} tabIndex={0}>
        {canLoad && (
          <button type="button" class="load-older" tabIndex={-1} onClick={() => client.loadOlder(buffer)}>
            {t('web.messages.loadOlder')}
          </button>
        )}
        <ol class="lines">
          {buffer.lines.map((line, i) => {
            const separator = previous === undefined || !sameDay(previous.time, line.time);
            const divider = i === dividerAt;
            const continued =
              !separator && !divider && previous !== undefined && line.kind === 'message' && previous.kind === 'message' && line.from !== undefined && previous.from === line.from && line.time.getTime() - previous.time.getTime() < CONTINUE_MS;
            previous = line;
            return [
              separator && (
                <li key={`day-${line.id}`} class="day">
                  {dayLabel(line.time, dateLocale)}
                </li>
              ),
              divider && (
                <li key="unread-divider" class="unread-divider">
                  {t('web.messages.newMessages')}
                </li>
              ),
              <MessageLine key={line.id} line={line} onNick={onNick} continued={continued} onDelete={onDelete && (line.self || moderating) && isDeletable(line) ? onDelete : undefined} />,
            ];
          })}
        </ol>
      </div>
      {/* Outside the log: its keys (log-keys.ts) and live announcements are not the dialog's. */}
      {confirming && (
        <DeleteConfirm
          key={confirming.line.id}
          line={confirming.line}
          onDelete={(reason) => redact(confirming.buffer, confirming.line, reason)}
          onClose={() => {
            setConfirming(undefined);
            pane.current?.focus();
          }}
        />
      )}
    </>
  );
}
