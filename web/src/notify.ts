// Desktop notifications for mentions and private messages that arrive while the tab is
// hidden. Permission is asked on the Connect click (browsers want a user gesture for it).
import { plainText } from '../../src/clients/format.ts';
import type { ChatBuffer, ChatLine } from '../../src/clients/model.ts';
import type { Translate } from '../../src/i18n/i18n.ts';

/** Asks for permission once, when it has not been given or refused yet. */
export function askNotificationPermission(): void {
  if (typeof Notification === 'undefined' || Notification.permission !== 'default') return;
  Notification.requestPermission().catch(() => {
    // refused or unsupported: the client simply does not notify
  });
}

/** Shows a notification for a line that calls for one, titled in the page's language; clicking it opens the buffer. */
export function notifyLine(buffer: ChatBuffer, line: ChatLine, t: Translate, open: () => void): void {
  if (typeof document === 'undefined' || !document.hidden) return;
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  if (line.self || line.serverNotice || line.from === undefined) return;
  if (line.kind !== 'message' && line.kind !== 'action' && line.kind !== 'notice') return;
  if (!line.mention && buffer.kind !== 'query') return;
  const title = buffer.kind === 'query' ? t('web.notify.private', { nick: line.from }) : t('web.notify.inRoom', { nick: line.from, room: buffer.name });
  // A notification shows text as it is: bold and colour codes would show as boxes or nothing.
  const text = plainText(line.text);
  const body = line.kind === 'action' ? `* ${line.from} ${text}` : text;
  try {
    const n = new Notification(title, { body, tag: `parlor-${buffer.key}` });
    n.onclick = () => {
      window.focus();
      open();
      n.close();
    };
  } catch {
    // some browsers (Android Chrome) only notify through a service worker: nothing to do
  }
}
