// NAMES: a room's 353 lines and its 366, made as a paced reply asks for them. A JOIN sends the
// joiner the whole list, so a room filling up (2000 joining at once) makes them once per join
// over a growing room: the names are measured without leaving JavaScript and each 353 line is
// written as text, checked with one scan, rather than serialized parameter by parameter.
import { RPL_ENDOFNAMES, RPL_NAMREPLY } from '../../protocol/numerics.ts';
import { breaksLine, utf8ByteLength } from '../../protocol/wire-text.ts';
import type { Channel, User } from '../../network/state.ts';
import type { Context } from '../context.ts';
import { middleParam, Outgoing } from '../outgoing.ts';
import { numericReply } from '../paced-reply.ts';

/** Whether `viewer` may see the room's members (secret rooms: members only). */
export function canSeeChannel(ch: Channel, viewer: User): boolean {
  return !ch.flags.has('s') || ch.members.has(viewer);
}

/** A room's 353 lines and its 366. */
export function* namesLines(ctx: Context, ch: Channel): Generator<Outgoing> {
  const viewer = ctx.user;
  const isMember = ch.members.has(viewer);
  if (!canSeeChannel(ch, viewer)) {
    yield numericReply(ctx, RPL_ENDOFNAMES, ch.name, 'End of /NAMES list');
    return;
  }
  const multi = ctx.session.hasCap('multi-prefix');
  const full = ctx.session.hasCap('userhost-in-names');
  const symbol = ch.flags.has('s') ? '@' : '=';
  // What an Outgoing of [nick, symbol, room, names] would write before the names.
  const head = `:${ctx.serverName} ${RPL_NAMREPLY} ${middleParam(ctx.session.nickOrStar)} ${symbol} ${ch.name} `;
  // Each 353 line, CR LF included, must fit in LINELEN: the names get what the fixed part leaves.
  const budget = ctx.limits.lineBytes - utf8ByteLength(head) - 3;
  const time = ctx.now();
  const reply = (names: string, bytes: number): Outgoing => {
    const text = head + (names.includes(' ') ? ':' : '') + names;
    // Nicks and room names are checked where they come in; a line that breaks anyway, or an
    // entry too long for a line alone (a long mask), is left to the serializer, which drops or cuts it.
    return bytes > budget || breaksLine(text) ? numericReply(ctx, RPL_NAMREPLY, symbol, ch.name, names) : Outgoing.fromText(text, time);
  };
  // A line's entries, joined once it is full: one flat string, not a concatenation per member.
  let entries: string[] = [];
  let bytes = 0;
  // Users and their memberships walked side by side: two iterators of one Map keep step (the
  // same order, even as members come and go between the pieces of a paced reply), and unlike
  // entries() they make no [user, membership] pair per member.
  const memberships = ch.members.values();
  for (const member of ch.members.keys()) {
    const m = memberships.next().value!;
    if (!isMember && member.modes.has('i')) continue;
    const entry = m.prefix(multi) + (full ? member.mask : member.nick);
    const entryBytes = utf8ByteLength(entry);
    if (entries.length > 0 && bytes + 1 + entryBytes > budget) {
      yield reply(entries.join(' '), bytes);
      entries = [];
    }
    bytes = entries.length === 0 ? entryBytes : bytes + 1 + entryBytes;
    entries.push(entry);
  }
  if (entries.length > 0) yield reply(entries.join(' '), bytes);
  yield numericReply(ctx, RPL_ENDOFNAMES, ch.name, 'End of /NAMES list');
}
