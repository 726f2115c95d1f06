// A broadcast from the server's admins to everyone (`NOTICE $*`): the client core puts it in
// every open conversation, and it reads as an announcement there, not as one more line.
import type { ChatLine } from '../../src/clients/model.ts';
import { useLanguage } from './language.ts';
import { RichText } from './RichText.tsx';
import './announcement.css';

export function AnnouncementLine({ line }: { line: ChatLine }) {
  const { t, clock, dateTime } = useLanguage();
  return (
    // The note is inside the list item: an <li> given another role breaks the list (axe: list).
    <li class="announcement-item">
      <div class="line line-announcement" role="note">
        <span class="announcement-label">{t('web.announcement.label')}</span>
        <span class="announcement-from">{t('web.announcement.from', { from: line.from || t('web.announcement.theServer') })}</span>
        <time dateTime={line.time.toISOString()} title={dateTime(line.time)}>
          {clock(line.time)}
        </time>
        <span class="text">
          <RichText text={line.text} inert />
        </span>
      </div>
    </li>
  );
}
