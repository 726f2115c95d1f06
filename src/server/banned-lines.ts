// What a banned client is told as its connection closes.
import { clipToBytes } from '../protocol/clip-text.ts';
import { formatDuration } from '../protocol/duration.ts';
import { ERR_YOUREBANNEDCREEP } from '../protocol/numerics.ts';
import { toWireText } from '../protocol/wire-text.ts';
import type { ServerBan } from '../network/bans.ts';

/** ERR_YOUREBANNEDCREEP and the closing ERROR for a banned client. */
export function bannedLines(serverName: string, ban: ServerBan, nick: string, address: string, now: number): string[] {
  // Rounded up: a ban set for 1h reads "1h" in the second it was set, not "59m 59s".
  const left = ban.expiresAt === undefined ? '' : ` (expires in ${formatDuration(Math.ceil((ban.expiresAt - now) / 1000) * 1000)})`;
  // These go out as a connection's last lines, which no serializer checks: the reason, from the
  // bus or the store, is made one line here.
  // Cut so that the 465 line fits 512 bytes with the longest server name and nick.
  const reason = clipToBytes(toWireText(ban.reason), 300);
  return [
    `:${serverName} ${ERR_YOUREBANNEDCREEP} ${nick} :You are banned from this server: ${reason}${left}`,
    `ERROR :Closing Link: ${address} (Banned: ${reason})`,
  ];
}
