// IRCv3 draft/read-marker in the network's log: a marker moved forward reaches the account's
// other sessions, on every node. The store has already kept it (src/server/commands/markread.ts);
// the log only carries the news. No state here: markers live in the store.
import { foldCase } from '../protocol/casemapping.ts';
import { formatTime, Outgoing } from '../server/outgoing.ts';
import { NO_CHANGE, type Delivery, type Reduced } from './effects.ts';
import type { NetworkEvent } from './events.ts';
import type { NetworkState } from './network-state.ts';

export const READ_MARKER_CAP = 'draft/read-marker';

/** The server's MARKREAD for a target: `timestamp=…`, or `*` when no marker is known. */
export function markReadParams(target: string, time: number | undefined): string[] {
  return [target, time === undefined ? '*' : `timestamp=${formatTime(time)}`];
}

export function reduceReadMarker(
  state: NetworkState,
  e: Extract<NetworkEvent, { type: 'readmarker.set' }>,
  time: number,
  serverName: string,
  out: Delivery[],
): Reduced {
  // Checked again: the writer must still be logged in to the account it speaks for.
  const writer = state.users.get(e.uid);
  const folded = foldCase(e.account);
  if (!writer || writer.account === undefined || foldCase(writer.account) !== folded) return NO_CHANGE;
  if (!Number.isSafeInteger(e.time) || e.target === '') return NO_CHANGE;
  const msg = new Outgoing(serverName, 'MARKREAD', markReadParams(e.target, e.time), time);
  for (const u of state.users.values()) {
    if (u.uid === e.uid || u.account === undefined) continue;
    if (u.account === writer.account || foldCase(u.account) === folded) out.push({ to: 'user', uid: u.uid, out: msg, cap: READ_MARKER_CAP });
  }
  return undefined;
}
