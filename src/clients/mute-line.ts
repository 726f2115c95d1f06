// A message refused because the user is muted (404 in a room, 531 to a person): said in the
// user's language, with the mute's end in their own time zone — the server writes it in
// English and UTC (src/network/mute-text.ts), which it must, being the same for everyone.
import { formatClock, formatDateTime } from '../i18n/dates.ts';
import type { Translate } from '../i18n/i18n.ts';
import { readMutedText } from '../network/mute-text.ts';
import type { IrcMessage } from '../protocol/message.ts';
import * as N from '../protocol/numerics.ts';

/** The line to show for a refusal naming a mute; undefined for any other reply. */
export function mutedLine(msg: IrcMessage, t: Translate, dateLocale: string, now = new Date()): string | undefined {
  if (msg.command !== N.ERR_CANNOTSENDTOCHAN && msg.command !== N.ERR_CANNOTSENDTOUSER) return undefined;
  const mute = readMutedText(msg.params.at(-1) ?? '');
  if (!mute) return undefined;
  if (mute.until === undefined) return t('client.muted.noEnd', { reason: mute.reason });
  // The time alone when it is today here; else with its date.
  const today = mute.until.toDateString() === now.toDateString();
  const until = today ? formatClock(mute.until, dateLocale) : formatDateTime(mute.until, dateLocale);
  return t('client.muted.until', { until, reason: mute.reason });
}
