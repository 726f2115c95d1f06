// The page title counts unread messages, "(3) Parlor": lines in other conversations, and in
// the current one while the page is hidden (a background tab).
import { useEffect, useState } from 'preact/hooks';
import type { ChatLine } from '../../src/clients/model.ts';
import type { WebClient } from './connection.ts';
import { usePageVisible } from './page-visibility.ts';

/** Lines that count as news: someone else speaking (the title's count, the unread divider). */
export const isNews = (line: ChatLine) => !line.self && (line.kind === 'message' || line.kind === 'action' || line.kind === 'notice');

export function usePageTitle(client: WebClient): void {
  const visible = usePageVisible();
  const [unseenHere, setUnseenHere] = useState(0);
  useEffect(() => {
    if (visible) {
      setUnseenHere(0);
      return;
    }
    const onLine = (buffer: unknown, line: ChatLine) => {
      if (buffer === client.model.current && isNews(line)) setUnseenHere((n) => n + 1);
    };
    client.on('line', onLine);
    return () => void client.off('line', onLine);
  }, [client, visible]);

  const current = client.model.current;
  const unread = client.model.buffers.reduce((sum, b) => sum + (b === current ? 0 : b.unread), unseenHere);
  useEffect(() => {
    const base = 'Parlor';
    document.title = unread > 0 ? `(${unread}) ${base}` : base;
  }, [unread]);
  useEffect(
    () => () => {
      document.title = 'Parlor';
    },
    [],
  );
}
