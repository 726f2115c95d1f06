// How many rooms may be registered: per account and on the whole server. A registered room
// never goes away by itself, so without a cap one account could fill LIST for everyone, for
// ever. The counts come from the network's rooms (registered ones are all loaded, empty or
// not, and restored from the store at start), so they hold across restarts and servers.
import { foldCase } from '../protocol/casemapping.ts';
import type { Config } from './config.ts';
import { StandardReplyError } from './irc-error.ts';
import type { Channel } from '../network/state.ts';

export interface RoomCounts {
  /** Registered rooms whose founder is the account. */
  byAccount: number;
  /** Registered rooms on the server. */
  total: number;
}

export function countRegisteredRooms(channels: Iterable<Channel>, account: string): RoomCounts {
  const folded = foldCase(account);
  let byAccount = 0;
  let total = 0;
  for (const ch of channels) {
    if (!ch.registration) continue;
    total++;
    if (foldCase(ch.registration.founder) === folded) byAccount++;
  }
  return { byAccount, total };
}

/** Throws FAIL REGISTER ACCOUNT_ROOM_LIMIT or SERVER_ROOM_LIMIT when `account` may not register `room`. */
export function checkRoomQuota(channels: Iterable<Channel>, account: string, room: string, limits: Config['accounts']): void {
  const counts = countRegisteredRooms(channels, account);
  if (counts.byAccount >= limits.maxRoomsPerAccount) {
    throw new StandardReplyError(
      'REGISTER',
      'ACCOUNT_ROOM_LIMIT',
      [room],
      `${account} has registered ${counts.byAccount} rooms, the most one account may; UNREGISTER one first`,
    );
  }
  if (counts.total >= limits.maxRegisteredRooms) {
    throw new StandardReplyError('REGISTER', 'SERVER_ROOM_LIMIT', [room], `This server holds ${counts.total} registered rooms, as many as it takes`);
  }
}
