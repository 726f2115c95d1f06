// One line in three columns: time, who (a nick column of fixed width, so that text starts at
// one edge), what. Messages and actions stand out; joins, parts and the like are quiet. At
// phone width a message's nick goes above its text (messages.css).
import { redactedText } from '../../src/clients/format.ts';
import type { ChatLine, LineKind } from '../../src/clients/model.ts';
import { AnnouncementLine } from './Announcement.tsx';
import { BotBadge } from './BotBadge.tsx';
import { useLanguage } from './language.ts';
import { Nick } from './Nick.tsx';
import { RichText } from './RichText.tsx';
import './redaction.css';

const QUIET = new Set(['join', 'part', 'quit', 'kick', 'nick', 'mode', 'topic', 'info']);

/** What stands in the nick column of lines that are not someone speaking. */
const MARKS: Partial<Record<LineKind, string>> = { action: '*', join: '→', part: '←', quit: '←', kick: '←', nick: '↔', error: '!' };

interface Props {
  line: ChatLine;
  onNick: (nick: string) => void;
  /** Same speaker as the line before, shortly after: at phone width the nick is not repeated. */
  continued?: boolean;
  /** Offered when the user may delete the line (their own, or any as a room operator): sends REDACT. */
  onDelete?: ((line: ChatLine) => void) | undefined;
}

export function MessageLine({ line, onNick, continued = false, onDelete }: Props) {
  // Times in the page's locale, with formatters made once per language (not once per line).
  const { t, clock, dateTime } = useLanguage();
  if (line.kind === 'announcement') return <AnnouncementLine line={line} />;
  const from = line.from && !line.serverNotice ? line.from : undefined;
  const classes = ['line', `line-${line.kind}`, QUIET.has(line.kind) ? 'quiet' : '', line.self ? 'self' : '', line.mention ? 'mention' : '', continued ? 'continued' : ''];
  const clickable = from !== undefined && !line.self ? onNick : undefined;
  const nick = from !== undefined && <Nick nick={from} onClick={clickable} inert />;
  let who;
  // A bot's badge: after its nick in an action, at the start of the text otherwise (the nick
  // column is cut to one width).
  const badge = line.bot && from !== undefined ? <BotBadge nick={from} /> : null;
  let text = (
    <>
      {badge && <>{badge} </>}
      <RichText text={line.text} inert />
    </>
  );
  if (line.kind === 'message' && nick) {
    who = nick;
  } else if (line.kind === 'notice') {
    who = <span class="notice-from">-{line.from || t('client.line.server')}-</span>;
  } else {
    who = (
      <span class="mark" aria-hidden="true">
        {MARKS[line.kind] ?? '•'}
      </span>
    );
    if (line.kind === 'action' && nick && !line.redacted) {
      text = (
        <>
          {nick} {badge && <>{badge} </>}
          <RichText text={line.text} inert />
        </>
      );
    }
  }
  // Deleted (redaction.ts): who said it stays, the words are gone.
  if (line.redacted) {
    if (nick) who = nick;
    text = <span class="redacted">{redactedText(line, t)}</span>;
  }
  const label = t('web.messages.deleteLabel', { from: line.from ?? '' });
  return (
    <li class={classes.filter(Boolean).join(' ')}>
      <time dateTime={line.time.toISOString()} title={dateTime(line.time)}>
        {clock(line.time)}
      </time>
      <span class="who">{who}</span>
      <span class="text">
        {text}
        {onDelete && !line.redacted && (
          <button type="button" class="delete-line" tabIndex={-1} aria-label={label} title={label} onClick={() => onDelete(line)}>
            {t('web.messages.delete')}
          </button>
        )}
      </span>
    </li>
  );
}
