// A broadcast from the server's admins to everyone (`NOTICE $*`): the client core puts it in
// every open conversation, and it reads as an announcement there, not as one more line.
import type { ChatLine } from '../../src/clients/model.ts';
import { clock } from '../../src/clients/format.ts';
import { useLanguage } from './language.ts';
import { RichText } from './RichText.tsx';
import './announcement.css';

export function AnnouncementLine({ line }: { line: ChatLine }) {
  const { t, dateLocale } = useLanguage();
  return (
    <li class="line line-announcement" role="note">
      <span class="announcement-label">{t('web.announcement.label')}</span>
      <span class="announcement-from">{t('web.announcement.from', { from: line.from || t('web.announcement.theServer') })}</span>
      <time dateTime={line.time.toISOString()} title={line.time.toLocaleString()}>
        {clock(line.time, false, dateLocale)}
      </time>
      <span class="text">
        <RichText text={line.text} inert />
      </span>
    </li>
  );
}
