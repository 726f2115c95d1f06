// MARKREAD: IRCv3 draft/read-marker (https://ircv3.net/specs/extensions/read-marker). How far
// the user has read each room and private conversation, kept per account in the store so the
// user's other connections (any node: a `readmarker.set` event) and later ones follow it.
// A user without an account keeps markers for this connection only, as ergo does for a client
// it does not keep history for.
import { foldCase } from '../../protocol/casemapping.ts';
import { isChannelName, isValidChannel, isValidNick } from '../../protocol/validate.ts';
import { markReadParams, READ_MARKER_CAP } from '../../network/reduce-read-marker.ts';
import { afterCommit } from '../../node/log-follower.ts';
import { isStoreUnavailable } from '../../storage/errors.ts';
import { accountNamed } from '../private-history.ts';
import type { CommandGroup, Context } from '../context.ts';
import { StandardReplyError } from '../irc-error.ts';
import { Outgoing } from '../outgoing.ts';

/** server-time's format exactly, as the spec asks: YYYY-MM-DDThh:mm:ss.sssZ. */
const SERVER_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** `timestamp=<server-time>` as ms; undefined for anything else (`*` included: a client may not set that). */
export function parseMarkReadTime(param: string): number | undefined {
  if (!param.startsWith('timestamp=')) return undefined;
  const text = param.slice('timestamp='.length);
  if (!SERVER_TIME.test(text)) return undefined;
  const time = Date.parse(text);
  // Date.parse rolls 02-30 over into March: only a time that writes back the same is one.
  return Number.isFinite(time) && time >= 0 && new Date(time).toISOString() === text ? time : undefined;
}

function fail(code: string, context: string[], text: string): StandardReplyError {
  return new StandardReplyError('MARKREAD', code, context, text);
}

function markRead(ctx: Context, shown: string, time: number | undefined): Outgoing {
  return new Outgoing(ctx.serverName, 'MARKREAD', markReadParams(shown, time), ctx.now());
}

/**
 * The target as this server shows it (a room's or an online nick's own spelling); undefined when
 * it names nothing valid. A secret room keeps its spelling from whoever is not in it: the answer
 * must not tell them it exists.
 */
function shownTarget(ctx: Context, target: string): string | undefined {
  if (isChannelName(target)) {
    if (!isValidChannel(target, ctx.limits.channelLength)) return undefined;
    const ch = ctx.network.channel(target);
    return ch && (!ch.flags.has('s') || ch.members.has(ctx.user)) ? ch.name : target;
  }
  if (!isValidNick(target, ctx.limits.nickLength, ctx.config.server.casemapping)) return undefined;
  return ctx.network.userByNick(target)?.nick ?? target;
}

/**
 * The store's key of the account's marker for `shown`: a room by its folded name; a private
 * conversation, as private history keys it (private-history.ts), by the other side's account
 * — the account of that name, else that of whoever is online with that nick — so that whoever
 * holds the nick later never inherits the marker, and the conversation has one marker
 * whichever nick its other side uses.
 */
function storedKey(ctx: Context, shown: string): string | Promise<string> {
  return isChannelName(shown) ? foldCase(shown) : accountNamed(ctx.network, ctx.services.store, shown);
}

async function getMarker(ctx: Context, shown: string): Promise<void> {
  const account = ctx.user.account;
  const time =
    account === undefined ? ctx.session.sessionReadMarkers?.get(foldCase(shown)) : await ctx.services.store.readMarker(account, await storedKey(ctx, shown));
  ctx.rb.add(markRead(ctx, shown, time));
}

async function setMarker(ctx: Context, shown: string, time: number): Promise<void> {
  const user = ctx.user;
  const account = user.account;
  const max = ctx.config.accounts.maxReadMarkers;
  if (account === undefined) {
    // This connection's own markers, by nick: they end with it.
    const key = foldCase(shown);
    const markers = (ctx.session.sessionReadMarkers ??= new Map());
    const current = markers.get(key);
    if (current === undefined && markers.size >= max) markers.delete(markers.keys().next().value!);
    markers.set(key, Math.max(current ?? time, time));
    ctx.rb.add(markRead(ctx, shown, markers.get(key)));
    return;
  }
  // The store moves it forward only; an older time is answered with the one it keeps.
  const stored = await ctx.services.store.setReadMarker(account, await storedKey(ctx, shown), time, max);
  const answer = (): void => ctx.rb.add(markRead(ctx, shown, stored.time));
  // Not moved (the time kept already, or an older one): the spec has the server ignore it, so
  // only this client is answered, with what is kept; nothing goes to the log.
  if (!stored.moved) return answer();
  // The other sessions hear of it through the log (every node), this one from the reply.
  await afterCommit(ctx.commit({ type: 'readmarker.set', uid: user.uid, account, target: shown, time: stored.time }), answer);
}

/**
 * After a JOIN, for a client with draft/read-marker: the room's marker, which the spec wants
 * before the RPL_ENDOFNAMES that follows the JOIN (the caller sends the names afterwards).
 */
export function markerOnJoin(ctx: Context, room: string): void | Promise<void> {
  if (!ctx.session.hasCap(READ_MARKER_CAP)) return;
  const account = ctx.user.account;
  const key = foldCase(room);
  if (account === undefined) {
    ctx.rb.add(markRead(ctx, room, ctx.session.sessionReadMarkers?.get(key)));
    return;
  }
  return ctx.services.store.readMarker(account, key).then(
    (time) => void ctx.rb.add(markRead(ctx, room, time)),
    (err: unknown) => {
      if (!isStoreUnavailable(err)) ctx.services.logError(err, 'reading a read marker');
      ctx.rb.server('FAIL', ['MARKREAD', 'INTERNAL_ERROR', room, 'The read timestamp could not be read']);
    },
  );
}

export const markReadCommands: CommandGroup = {
  // MARKREAD <target> [timestamp=<server-time>]
  MARKREAD: {
    // Zero: a missing target is the spec's FAIL NEED_MORE_PARAMS, not 461.
    minParams: 0,
    handler(ctx, [target, timestamp]) {
      if (target === undefined || target === '') throw fail('NEED_MORE_PARAMS', [], 'Missing parameters');
      const shown = shownTarget(ctx, target);
      if (shown === undefined) throw fail('INVALID_PARAMS', [target], 'Invalid target');
      if (timestamp === undefined) return getMarker(ctx, shown);
      const time = parseMarkReadTime(timestamp);
      if (time === undefined) throw fail('INVALID_PARAMS', [timestamp], 'Invalid timestamp');
      // Clamped to now (or the log's newest time, which messages carry, if this clock is behind
      // it): a marker from the future would hide messages not yet written.
      return setMarker(ctx, shown, Math.min(time, Math.max(ctx.now(), ctx.network.time)));
    },
  },
};
