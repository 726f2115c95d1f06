// Text the client core makes or reads while connecting: a username from a nick, the reason
// inside a server's ERROR, a reconnect delay for people (which SASL mechanisms CAP LS offers:
// sasl-login.ts).

import { ENGLISH, type Translate } from '../i18n/i18n.ts';

/** A username (ident) made from a nick: letters and digits only, as most servers accept. */
export function usernameFrom(nick: string): string {
  return nick.replace(/[^A-Za-z0-9]/g, '').slice(0, 10) || 'parlor';
}

export function formatDelay(ms: number, t: Translate = ENGLISH.t): string {
  return ms >= 1000 ? t('client.seconds', { count: Math.round(ms / 100) / 10 }) : t('client.milliseconds', { count: ms });
}

/** `Closing Link: host (Killed (admin (bye)))` → `Killed (admin (bye))`; other text as is. */
export function closingReason(text: string): string {
  return /^Closing Link: \S+ \((.*)\)$/.exec(text)?.[1] ?? text;
}
