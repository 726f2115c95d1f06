// History: IRCv3 chathistory (draft/chathistory) and the replay of a room's last lines on
// JOIN for clients that cannot ask for it themselves.
import { foldCase } from '../../protocol/casemapping.ts';
import { isChannelName } from '../../protocol/validate.ts';
import type { HistoryRef, StoredMessage } from '../../storage/store.ts';
import type { CommandGroup, Context } from '../context.ts';
import { StandardReplyError } from '../irc-error.ts';
import { formatTime, Outgoing } from '../outgoing.ts';
import { sendPaced } from '../paced-reply.ts';
import { storedMultilineLines } from '../multiline-echo.ts';
import { peerName, readableConversation, sentBy } from '../private-history.ts';
import type { CommandHost } from '../command-services.ts';
import type { Session } from '../session.ts';
import type { Channel } from '../../network/state.ts';

export const CHATHISTORY_CAP = 'draft/chathistory';

/** `msgid=…` or `timestamp=…` (ISO 8601); undefined when neither. */
function parseRef(text: string | undefined): HistoryRef | undefined {
  if (text === undefined) return undefined;
  if (text.startsWith('msgid=') && text.length > 6) return { msgid: text.slice(6) };
  if (text.startsWith('timestamp=')) {
    const time = Date.parse(text.slice(10));
    return Number.isFinite(time) ? { time } : undefined;
  }
  return undefined;
}

function fail(sub: string, code: string, context: string[], text: string): StandardReplyError {
  return new StandardReplyError('CHATHISTORY', code, [sub, ...context], text);
}

/** Parameters each subcommand takes, the subcommand included (IRCv3: fewer is NEED_MORE_PARAMS). */
const PARAMS: Readonly<Record<string, number>> = { LATEST: 4, BEFORE: 4, AFTER: 4, AROUND: 4, BETWEEN: 5, TARGETS: 4 };

/** A nick as its owner spells it now, when online (history keys and TARGETS hold it folded). */
function spelled(ctx: Context, nick: string): string {
  return ctx.network.userByNick(nick)?.nick ?? nick;
}

/**
 * The stored conversation a client may read under this target name, with its shown name.
 * Private ones are the reader's account's with that account (private-history.ts); a reader
 * without an account has none, and gets an empty batch as for a conversation with nothing in
 * it (key undefined), as ergo answers a client it keeps no private history for.
 */
async function conversation(ctx: Context, sub: string, target: string): Promise<{ key: string | undefined; shown: string }> {
  const me = ctx.user;
  if (isChannelName(target)) {
    const ch = ctx.network.channel(target);
    // Members read a room's history; a secret or unknown room reads as nothing to say.
    if (!ch || !ch.members.has(me)) throw fail(sub, 'INVALID_TARGET', [target], 'You are not in that room');
    return { key: ch.folded, shown: ch.name };
  }
  return { key: await readableConversation(ctx.network, ctx.services.store, me, target), shown: spelled(ctx, target) };
}

/**
 * One stored message as the requester sees it: private ones name the other side as target
 * when the requester's account sent them, else the requester's nick now.
 */
function toOutgoing(m: StoredMessage, shownTarget: string, meNick: string, meAccount: string | undefined): Outgoing {
  return new Outgoing(m.source, m.command, [historyTarget(m, shownTarget, meNick, meAccount), m.text], m.time, m.msgid, m.tags, m.account);
}

/** The target a stored message names for the requester (see toOutgoing). */
function historyTarget(m: StoredMessage, shownTarget: string, meNick: string, meAccount: string | undefined): string {
  if (isChannelName(shownTarget)) return shownTarget;
  return sentBy(m, meAccount) ? shownTarget : meNick;
}

/** Sends messages in a `chathistory` batch when the client has batch, else as they are. */
export function sendHistory(session: Session, host: CommandHost, messages: StoredMessage[], shown: string, add: (out: Outgoing, batch?: string) => void): void {
  if (!session.hasCap('batch')) {
    for (const out of historyEntries(session, messages, shown)) add(out);
    return;
  }
  const ref = session.nextBatchId();
  const { serverName } = host.services;
  add(new Outgoing(serverName, 'BATCH', [`+${ref}`, 'chathistory', shown], host.now()));
  for (const out of historyEntries(session, messages, shown)) add(out, ref);
  add(new Outgoing(serverName, 'BATCH', [`-${ref}`], host.now()));
}

/**
 * CHATHISTORY's answer, as sendHistory, paced to the client's send queue: up to maxQuery
 * messages with their tags may not fit it at once.
 */
function sendHistoryPaced(ctx: Context, messages: StoredMessage[], shown: string, asked: string): void | Promise<void> {
  const { session } = ctx;
  if (!session.hasCap('batch')) return sendPaced(ctx, historyEntries(session, messages, shown));
  const ref = session.nextBatchId();
  // The batch names the target as the client wrote it (irctest asks `CHATHISTORY … NICK` and
  // matches the batch on `NICK`), so a client finds the answer to the query it made; the
  // lines inside name it as it was relayed.
  ctx.rb.add(new Outgoing(ctx.serverName, 'BATCH', [`+${ref}`, 'chathistory', asked], ctx.now()));
  const end = (): void => ctx.rb.add(new Outgoing(ctx.serverName, 'BATCH', [`-${ref}`], ctx.now()));
  return sendPaced(ctx, historyEntries(session, messages, shown), { batch: ref, end });
}

/** The stored messages as the session sees them, made one by one. */
function* historyEntries(session: Session, messages: StoredMessage[], shown: string): Generator<Outgoing> {
  const meNick = session.nickOrStar;
  const meAccount = session.user?.account;
  for (const m of messages) {
    // A multi-line message: its batch (nested in the chathistory one) or its lines (multiline-echo.ts).
    const lines = storedMultilineLines(m, historyTarget(m, shown, meNick, meAccount), session);
    if (lines) yield* lines;
    else yield toOutgoing(m, shown, meNick, meAccount);
  }
}

function limitOf(ctx: Context, sub: string, text: string | undefined): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw fail(sub, 'INVALID_PARAMS', [text ?? '*'], 'The limit must be a positive whole number');
  return Math.min(n, ctx.config.history.maxQuery);
}

export const historyCommands: CommandGroup = {
  // CHATHISTORY LATEST <target> <* | msgid= | timestamp=> <limit>
  // CHATHISTORY BEFORE|AFTER|AROUND <target> <msgid= | timestamp=> <limit>
  // CHATHISTORY BETWEEN <target> <ref> <ref> <limit>
  // CHATHISTORY TARGETS <timestamp=> <timestamp=> <limit>
  CHATHISTORY: {
    minParams: 1,
    async handler(ctx, params) {
      const sub = params[0]!.toUpperCase();
      const store = ctx.services.store;
      const needed = PARAMS[sub];
      if (needed === undefined) throw new StandardReplyError('CHATHISTORY', 'UNKNOWN_COMMAND', [params[0]!], 'Unknown CHATHISTORY subcommand');
      if (params.length < needed) throw fail(sub, 'NEED_MORE_PARAMS', [], 'Missing parameters');
      if (!ctx.config.history.enabled) {
        // MESSAGE_ERROR names the target asked for; TARGETS asks for none.
        throw fail(sub, 'MESSAGE_ERROR', [sub === 'TARGETS' ? '*' : params[1]!], 'History is turned off on this server');
      }
      if (sub === 'TARGETS') {
        const [from, to] = [parseRef(params[1]), parseRef(params[2])];
        const isTime = (ref: HistoryRef | undefined): ref is { time: number } => ref !== undefined && 'time' in ref;
        if (!isTime(from) || !isTime(to)) throw fail(sub, 'INVALID_PARAMS', [isTime(from) ? params[2]! : params[1]!], 'TARGETS takes two timestamp= references');
        const limit = limitOf(ctx, sub, params[3]);
        const me = ctx.user;
        // "Channels the user has visible history in" (IRCv3): the rooms they are in, as for the
        // other subcommands. Each target is listed when its newest line is inside the window,
        // oldest first; the limit counts from the first timestamp, as BETWEEN's does.
        const channels = [...me.joined].map((c: Channel) => c.folded);
        // Private conversations are listed to their accounts only; without one, rooms alone.
        const found = await store.targets(me.account === undefined ? undefined : foldCase(me.account), channels, from.time, to.time, limit);
        const batch = ctx.session.hasCap('batch') ? ctx.session.nextBatchId() : undefined;
        if (batch) ctx.rb.add(new Outgoing(ctx.serverName, 'BATCH', [`+${batch}`, 'draft/chathistory-targets'], ctx.now()));
        for (const t of found) {
          const shown = peerName(ctx.network, me, t.target) ?? ctx.network.channels.get(t.target)?.name ?? t.target;
          ctx.rb.add(new Outgoing(ctx.serverName, 'CHATHISTORY', ['TARGETS', shown, formatTime(t.latest)], ctx.now()), batch);
        }
        if (batch) ctx.rb.add(new Outgoing(ctx.serverName, 'BATCH', [`-${batch}`], ctx.now()));
        return;
      }
      const target = params[1]!;
      let messages: StoredMessage[];
      let conv: { key: string | undefined; shown: string };
      /** The query's answer; nothing for a conversation the reader has none of. */
      const read = (query: (key: string) => Promise<StoredMessage[]>): Promise<StoredMessage[]> => (conv.key === undefined ? Promise.resolve([]) : query(conv.key));
      switch (sub) {
        case 'LATEST': {
          conv = await conversation(ctx, sub, target);
          const after = params[2] === '*' ? undefined : parseRef(params[2]);
          if (params[2] !== '*' && !after) throw fail(sub, 'INVALID_PARAMS', [params[2]!], 'Expected *, msgid= or timestamp=');
          const limit = limitOf(ctx, sub, params[3]);
          messages = await read((key) => store.latest(key, limit, after));
          break;
        }
        case 'BEFORE':
        case 'AFTER':
        case 'AROUND': {
          conv = await conversation(ctx, sub, target);
          const ref = parseRef(params[2]);
          if (!ref) throw fail(sub, 'INVALID_PARAMS', [params[2]!], 'Expected msgid= or timestamp=');
          const limit = limitOf(ctx, sub, params[3]);
          messages = await read((key) => (sub === 'BEFORE' ? store.before(key, ref, limit) : sub === 'AFTER' ? store.after(key, ref, limit) : store.around(key, ref, limit)));
          break;
        }
        case 'BETWEEN': {
          conv = await conversation(ctx, sub, target);
          const [a, b] = [parseRef(params[2]), parseRef(params[3])];
          if (!a || !b) throw fail(sub, 'INVALID_PARAMS', [a ? params[3]! : params[2]!], 'Expected two msgid= or timestamp= references');
          const limit = limitOf(ctx, sub, params[4]);
          messages = await read((key) => store.between(key, a, b, limit));
          break;
        }
        default:
          return; // every subcommand of PARAMS has its case above
      }
      await sendHistoryPaced(ctx, messages, conv.shown, target);
    },
  },
};

/**
 * After a JOIN: the room's last lines for a client that has no chathistory to ask with
 * (a plain-text user, or an IRC client without the capability). Sent when the store answers.
 */
export function replayOnJoin(host: CommandHost, session: Session, ch: Channel): void {
  const n = host.config.history.replayOnJoin;
  if (n === 0 || !host.config.history.enabled || session.hasCap(CHATHISTORY_CAP)) return;
  host.services.store.latest(ch.folded, n).then(
    (messages) => {
      if (messages.length === 0 || session.conn.closed) return;
      session.replayHistory(ch.name, () => sendHistory(session, host, messages, ch.name, (out, batch) => session.sendReply(out, batch)));
    },
    (err: unknown) => host.services.logError(err, 'history replay'),
  );
}
