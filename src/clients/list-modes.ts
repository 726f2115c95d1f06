// A room's lists — bans (+b), ban exceptions (+e), invite exceptions (+I) — as people read
// them: a MODE change to a list becomes a sentence ("alice exempts bob!*@* from the bans"), an
// account extban words its mask ("anyone logged in as bob"), and the list replies (367/368,
// 348/349, 346/347) read as entries with who set them and when. The server's own English
// texts are not shown: the client words these itself, in the user's language.
import { formatDateTime } from '../i18n/dates.ts';
import type { MessageKey } from '../i18n/i18n.ts';
import type { IrcMessage } from '../protocol/message.ts';
import * as N from '../protocol/numerics.ts';
import type { ChatModel } from './model.ts';
import { flagModeText } from './flag-modes.ts';

export interface ModeChange {
  add: boolean;
  mode: string;
  arg?: string | undefined;
}

/** MODE parameters after the target (`['+o-b', 'nick', 'mask']`) as single changes, by the server's CHANMODES and PREFIX. */
export function parseModeChanges(m: ChatModel, params: readonly string[]): ModeChange[] {
  const [modes = '', ...args] = params;
  const [lists, always, whenSet] = m.chanModes;
  const out: ModeChange[] = [];
  let add = true;
  for (const c of modes) {
    if (c === '+' || c === '-') {
      add = c === '+';
      continue;
    }
    const takesArg = m.prefixModes.includes(c) || lists.includes(c) || always.includes(c) || (add && whenSet.includes(c));
    out.push(takesArg ? { add, mode: c, arg: args.shift() } : { add, mode: c });
  }
  return out;
}

/** Changes back as MODE parameters: `+o-b nick mask`. */
function modeParams(changes: readonly ModeChange[]): string[] {
  let modes = '';
  let sign = '';
  const args: string[] = [];
  for (const c of changes) {
    const s = c.add ? '+' : '-';
    if (s !== sign) modes += sign = s;
    modes += c.mode;
    if (c.arg !== undefined) args.push(c.arg);
  }
  return [modes, ...args];
}

/** The sentence for setting and for removing an entry of each list. */
const WORDED: Readonly<Record<string, [set: MessageKey, unset: MessageKey]>> = {
  b: ['client.listMode.banSet', 'client.listMode.banUnset'],
  e: ['client.listMode.exceptSet', 'client.listMode.exceptUnset'],
  I: ['client.listMode.invexSet', 'client.listMode.invexUnset'],
};

/**
 * A list entry in words where it is an account extban (`$a`, `$a:bob`, `$~a`); else the mask
 * (as it is in English; in Chinese as "users matching …", so that every entry reads as a
 * phrase that sits in a sentence without spaces round it).
 */
export function describeListEntry(m: ChatModel, mask: string): string {
  const negated = mask.startsWith('$~a');
  const asMask = (): string => m.t('client.listMode.mask', { mask });
  if (!negated && !mask.startsWith('$a')) return asMask();
  const rest = mask.slice(negated ? 3 : 2);
  if (rest === '') return m.t(negated ? 'client.listMode.notLoggedIn' : 'client.listMode.anyAccount');
  if (!rest.startsWith(':') || rest.length === 1) return asMask();
  const account = rest.slice(1);
  return m.t(negated ? 'client.listMode.notAccount' : 'client.listMode.account', { account });
}

/**
 * The lines a room MODE change shows: each change to a ban or exception list, and each change
 * of a room setting (flag-modes.ts), as a sentence of its own; the others together as "sets mode …".
 */
export function modeChangeTexts(m: ChatModel, by: string, params: readonly string[]): string[] {
  const worded: string[] = [];
  const rest: ModeChange[] = [];
  for (const c of parseModeChanges(m, params)) {
    const keys = WORDED[c.mode];
    const setting = keys ? undefined : flagModeText(m, by, c);
    if (keys && c.arg !== undefined && m.chanModes[0].includes(c.mode)) worded.push(m.t(keys[c.add ? 0 : 1], { nick: by, mask: describeListEntry(m, c.arg) }));
    else if (setting !== undefined) worded.push(setting);
    else rest.push(c);
  }
  if (rest.length > 0 || worded.length === 0) worded.unshift(m.t('client.event.mode', { nick: by, modes: modeParams(rest).join(' ') }));
  return worded;
}

/** The entry and end numerics of each list, and the catalogue keys of their lines. */
const LIST_REPLIES: Readonly<Record<string, { entry: MessageKey; end: MessageKey; empty: MessageKey }>> = {
  [N.RPL_BANLIST]: { entry: 'client.listMode.banEntry', end: 'client.listMode.banEnd', empty: 'client.listMode.banEmpty' },
  [N.RPL_EXCEPTLIST]: { entry: 'client.listMode.exceptEntry', end: 'client.listMode.exceptEnd', empty: 'client.listMode.exceptEmpty' },
  [N.RPL_INVEXLIST]: { entry: 'client.listMode.invexEntry', end: 'client.listMode.invexEnd', empty: 'client.listMode.invexEmpty' },
};
const END_OF: Readonly<Record<string, string>> = { [N.RPL_ENDOFBANLIST]: N.RPL_BANLIST, [N.RPL_ENDOFEXCEPTLIST]: N.RPL_EXCEPTLIST, [N.RPL_ENDOFINVEXLIST]: N.RPL_INVEXLIST };

/** Entries shown of each list being read, by `<entry numeric> <room>`, so that the end line can say "no entries". */
export type ListCounts = Map<string, number>;

/** A list reply (367/368, 348/349, 346/347) in words, or undefined for any other message. */
export function listReplyText(m: ChatModel, msg: IrcMessage, counts: ListCounts): string | undefined {
  const [, room = '', mask = '', setter, when] = msg.params;
  const entryReply = LIST_REPLIES[msg.command];
  if (entryReply) {
    const key = `${msg.command} ${room}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    const date = when === undefined || !/^\d+$/.test(when) ? undefined : new Date(Number(when) * 1000);
    const by = setter === undefined || setter === '' ? '?' : setter.slice(0, setter.includes('!') ? setter.indexOf('!') : undefined);
    // Digits past what a Date holds make an invalid one, which formatting would throw on.
    const at = date === undefined || Number.isNaN(date.getTime()) ? '?' : formatDateTime(date, m.dateLocale);
    return m.t(entryReply.entry, { room, mask: describeListEntry(m, mask), by, when: at });
  }
  const of = END_OF[msg.command];
  if (of === undefined) return undefined;
  const key = `${of} ${room}`;
  const shown = counts.get(key) ?? 0;
  counts.delete(key);
  return m.t(shown === 0 ? LIST_REPLIES[of]!.empty : LIST_REPLIES[of]!.end, { room, count: shown });
}
