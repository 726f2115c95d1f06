// A room's own settings changed by MODE — invite-only (+i), moderated (+m), no messages from
// outside (+n), topic for operators only (+t), secret (+s), a password (+k) and a limit on
// people (+l) — as a sentence a person reads ("alice makes the room invite-only") rather than
// "alice sets mode +i". Worded only where the server uses the letter as RFC 2811 does (its
// CHANMODES puts it in the same kind); anything else stays "sets mode …" (list-modes.ts).
import type { MessageKey } from '../i18n/i18n.ts';
import type { ModeChange } from './list-modes.ts';
import type { ChatModel } from './model.ts';

/** CHANMODES kinds, as in ChatModel.chanModes: 1 always takes an argument, 2 only when set, 3 a flag. */
const KIND: Readonly<Record<string, 1 | 2 | 3>> = { i: 3, m: 3, n: 3, t: 3, s: 3, k: 1, l: 2 };

const WORDED: Readonly<Record<string, [set: MessageKey, unset: MessageKey]>> = {
  i: ['client.roomMode.inviteOnlySet', 'client.roomMode.inviteOnlyUnset'],
  m: ['client.roomMode.moderatedSet', 'client.roomMode.moderatedUnset'],
  n: ['client.roomMode.noOutsideSet', 'client.roomMode.noOutsideUnset'],
  t: ['client.roomMode.topicLockSet', 'client.roomMode.topicLockUnset'],
  s: ['client.roomMode.secretSet', 'client.roomMode.secretUnset'],
  k: ['client.roomMode.keySet', 'client.roomMode.keyUnset'],
  l: ['client.roomMode.limitSet', 'client.roomMode.limitUnset'],
};

/** The sentence for one change of a room setting by `by`, or undefined when it is not one worded here. */
export function flagModeText(m: ChatModel, by: string, change: ModeChange): string | undefined {
  const kind = KIND[change.mode];
  const keys = WORDED[change.mode];
  if (kind === undefined || keys === undefined || !m.chanModes[kind].includes(change.mode)) return undefined;
  if (!change.add) return m.t(keys[1], { nick: by });
  if (change.mode === 'k') return change.arg === undefined ? undefined : m.t(keys[0], { nick: by, key: change.arg });
  if (change.mode === 'l') {
    const count = Number(change.arg);
    return Number.isSafeInteger(count) && count > 0 ? m.t(keys[0], { nick: by, count }) : undefined;
  }
  return m.t(keys[0], { nick: by });
}
