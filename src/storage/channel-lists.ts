// A registered room's lists — bans (+b), ban exceptions (+e), invite exceptions (+I) — as the
// channels table holds them: each in a column of its own (bans, exceptions, invites), a JSON
// array of `{mask, setBy, setAt}`. Separate columns, not tagged entries in `bans`, so that an
// older Parlor reading a newer row (a rollback, a rolling upgrade) never takes an exception
// for a ban.
import type { ChannelRecord } from './store.ts';

type Entry = ChannelRecord['bans'][number];
type Lists = Pick<ChannelRecord, 'bans' | 'exceptions' | 'invites'>;

/** One list entry with exactly its three fields (what is stored and given back). */
export const listEntry = (e: Entry): Entry => ({ mask: e.mask, setBy: e.setBy, setAt: e.setAt });

/** The room's lists from the three columns' text; empty exception lists are left out. */
export function channelListsFromColumns(bans: string, exceptions: string, invites: string): Lists {
  const out: Lists = { bans: (JSON.parse(bans) as Entry[]).map(listEntry) };
  const e = (JSON.parse(exceptions) as Entry[]).map(listEntry);
  const i = (JSON.parse(invites) as Entry[]).map(listEntry);
  if (e.length > 0) out.exceptions = e;
  if (i.length > 0) out.invites = i;
  return out;
}

/** A record's exception lists, copied, only where not empty (what every store gives back). */
export function cleanExceptionLists(c: Lists): Omit<Lists, 'bans'> {
  const out: Omit<Lists, 'bans'> = {};
  if (c.exceptions?.length) out.exceptions = c.exceptions.map(listEntry);
  if (c.invites?.length) out.invites = c.invites.map(listEntry);
  return out;
}
