// MODE for channels (+o +v +b +e +I +i +k +l +m +n +s +t) and for users (+i +w +B, -o).
import { foldCase } from '../../protocol/casemapping.ts';
import { normalizeListEntry, type ListMode } from '../../network/extbans.ts';
import {
  ERR_BANLISTFULL,
  ERR_CHANOPRIVSNEEDED,
  ERR_INVALIDMODEPARAM,
  ERR_NEEDMOREPARAMS,
  ERR_NOSUCHNICK,
  ERR_UMODEUNKNOWNFLAG,
  ERR_UNKNOWNMODE,
  ERR_USERNOTINCHANNEL,
  ERR_USERSDONTMATCH,
  RPL_BANLIST,
  RPL_CHANNELMODEIS,
  RPL_CREATIONTIME,
  RPL_ENDOFBANLIST,
  RPL_ENDOFEXCEPTLIST,
  RPL_ENDOFINVEXLIST,
  RPL_EXCEPTLIST,
  RPL_INVEXLIST,
  RPL_UMODEIS,
} from '../../protocol/numerics.ts';
import { isChannelName } from '../../protocol/validate.ts';
import type { CommandGroup, Context } from '../context.ts';
import type { ModeChange } from '../../network/events.ts';
import { IrcError } from '../irc-error.ts';
import { utf8ByteLength } from '../../protocol/wire-text.ts';
import { BOT_MODE, CHANNEL_KEY_LENGTH } from '../../protocol/isupport.ts';
import { channelModeLines } from '../mode-outgoing.ts';
import { Outgoing } from '../outgoing.ts';
import type { Channel, ChannelFlag } from '../../network/state.ts';
import { requireChannel } from './channels.ts';
import { afterCommit } from '../../node/log-follower.ts';

const FLAGS = new Set(['i', 'm', 'n', 's', 't']);
const USER_MODES = new Set(['i', 'w', 'o', BOT_MODE]);

export const modeCommands: CommandGroup = {
  // MODE <target> [<modestring> [<mode arguments>...]]
  MODE: {
    minParams: 1,
    handler(ctx, [target, modestring, ...args]) {
      if (isChannelName(target!)) return channelMode(ctx, requireChannel(ctx, target!), modestring, args);
      return userMode(ctx, target!, modestring);
    },
  },
};

function channelMode(ctx: Context, ch: Channel, modestring: string | undefined, args: string[]): void | Promise<void> {
  const user = ctx.user;
  const membership = ch.members.get(user);
  if (modestring === undefined) {
    ctx.reply(RPL_CHANNELMODEIS, ch.name, ...ch.modeString(membership !== undefined));
    ctx.reply(RPL_CREATIONTIME, ch.name, String(Math.floor(ch.createdAt / 1000)));
    return;
  }
  const isOp = membership?.has('o') ?? false;
  const limits = ctx.limits;
  const changes: ModeChange[] = [];
  let add = true;
  let withArg = 0;
  const listed = new Set<string>();
  let refused = false;
  const needOp = (): boolean => {
    if (!isOp && !refused) {
      refused = true;
      ctx.reply(ERR_CHANOPRIVSNEEDED, ch.name, "You're not channel operator");
    }
    return isOp;
  };

  for (const mode of modestring) {
    if (mode === '+' || mode === '-') {
      add = mode === '+';
      continue;
    }
    switch (mode) {
      case 'b':
      case 'e':
      case 'I': {
        const mask = args.shift();
        if (mask === undefined) {
          // Anyone may read the bans; the exception lists only the room's operators (as charybdis).
          if (!listed.has(mode) && (mode === 'b' || needOp())) sendList(ctx, ch, mode);
          listed.add(mode);
          continue;
        }
        if (!needOp() || ++withArg > limits.modesPerCommand) continue;
        const entry = normalizeListEntry(mask);
        // A longer mask would not fit its 367 line (or a MODE line) without being cut.
        if (add && utf8ByteLength(entry ?? mask) > limits.banMaskBytes) {
          ctx.reply(ERR_INVALIDMODEPARAM, ch.name, mode, '*', `Ban mask too long (at most ${limits.banMaskBytes} bytes)`);
          continue;
        }
        if (add && entry === undefined) {
          const why = mask.startsWith('$') ? 'Unknown extban: $a, $a:<account>, $~a or $~a:<account>' : 'Invalid mask: no spaces, commas or control characters';
          ctx.reply(ERR_INVALIDMODEPARAM, ch.name, mode, mask, why);
          continue;
        }
        const folded = foldCase(entry ?? mask);
        // The list as it will be once the changes so far in this command are applied, so
        // that `+bbb a b c` cannot go past MAXLIST.
        const pending = listAfter(ch, mode, changes);
        const existing = pending.find((m) => foldCase(m) === folded);
        if (add && existing === undefined && pending.length >= listLimit(limits, mode)) {
          ctx.reply(ERR_BANLISTFULL, ch.name, mode, `Channel ${LIST_NAMES[mode]} list is full`);
          continue;
        }
        changes.push({ add, mode, arg: existing ?? entry ?? mask });
        continue;
      }
      case 'o':
      case 'v': {
        const nick = args.shift();
        if (nick === undefined) {
          ctx.reply(ERR_NEEDMOREPARAMS, 'MODE', 'Not enough parameters');
          continue;
        }
        if (!needOp() || ++withArg > limits.modesPerCommand) continue;
        const target = ctx.network.userByNick(nick);
        if (!target) {
          ctx.reply(ERR_NOSUCHNICK, nick, 'No such nick/channel');
          continue;
        }
        const m = ch.members.get(target);
        if (!m) {
          ctx.reply(ERR_USERNOTINCHANNEL, target.nick, ch.name, "They aren't on that channel");
          continue;
        }
        changes.push({ add, mode, arg: target.uid });
        continue;
      }
      case 'k': {
        const key = args.shift(); // -k takes the key too, for compatibility
        if (add && key === undefined) {
          ctx.reply(ERR_NEEDMOREPARAMS, 'MODE', 'Not enough parameters');
          continue;
        }
        const refusal = add ? keyRefusal(key!) : undefined;
        if (refusal !== undefined) {
          // Refused, not rewritten (Modern IRC); the key itself is not echoed: '*' in its place.
          ctx.reply(ERR_INVALIDMODEPARAM, ch.name, 'k', '*', refusal);
          continue;
        }
        if (!needOp()) continue;
        changes.push(add ? { add, mode, arg: [...key!].slice(0, CHANNEL_KEY_LENGTH).join('') } : { add, mode });
        continue;
      }
      case 'l': {
        if (add) {
          const raw = args.shift();
          const n = Number(raw);
          if (raw === undefined) {
            ctx.reply(ERR_NEEDMOREPARAMS, 'MODE', 'Not enough parameters');
            continue;
          }
          if (!Number.isInteger(n) || n <= 0) {
            ctx.reply(ERR_INVALIDMODEPARAM, ch.name, 'l', raw, 'Invalid limit');
            continue;
          }
          if (needOp()) changes.push({ add, mode, arg: String(n) });
        } else if (needOp()) {
          changes.push({ add, mode });
        }
        continue;
      }
      default:
        if (!FLAGS.has(mode)) {
          ctx.reply(ERR_UNKNOWNMODE, mode, 'is unknown mode char to me');
          continue;
        }
        if (needOp()) changes.push({ add, mode });
    }
  }
  // Letters are read in order, so `+m-m` ends with -m; what ends as it began is not sent.
  const effective = lastPerTarget(changes).filter((c) => !alreadySo(ctx, ch, c));
  if (effective.length === 0) return;
  const msgid = ctx.ids.newMsgid();
  const mask = user.mask;
  // The echo is what the network applied: a change made moot meanwhile is left out.
  const listLimits = { b: limits.bansPerChannel, e: limits.banExceptionsPerChannel, I: limits.inviteExceptionsPerChannel };
  const event = { type: 'channel.mode', uid: user.uid, setBy: mask, channel: ch.name, changes: effective, msgid, listLimits } as const;
  return afterCommit(ctx.commit(event), (verdict) => {
    if (!verdict.ok) return ctx.replyRefusal(verdict);
    // An entry the network left out because the list filled meanwhile (another operator,
    // perhaps on another node, added to it first) gets the 478 it would have had here.
    for (const c of effective) {
      if (!c.add || (c.mode !== 'b' && c.mode !== 'e' && c.mode !== 'I')) continue;
      const list = ch.list(c.mode);
      if (list.length >= listLimits[c.mode] && !list.some((b) => foldCase(b.mask) === foldCase(c.arg!))) {
        ctx.reply(ERR_BANLISTFULL, ch.name, c.mode, `Channel ${LIST_NAMES[c.mode]} list is full`);
      }
    }
    const params = verdict.modeParams ?? [];
    if (params.length > 0) for (const out of channelModeLines(mask, ch.name, params, verdict.time, msgid)) ctx.rb.add(out);
  });
}

/**
 * Why a key cannot be used, if it cannot: it must be typeable as one JOIN parameter, so no
 * spaces (of any kind), no commas (they separate JOIN's keys), no ':' first (it would read as
 * the trailing parameter) and no control characters. ergo refuses the empty key, spaces and
 * ':' first too; InspIRCd strips commas; control characters are refused here as well.
 */
function keyRefusal(key: string): string | undefined {
  if (key.trim() === '') return 'A channel key cannot be empty';
  // eslint-disable-next-line no-control-regex
  if (/[\s,\x00-\x1f\x7f]/.test(key)) return 'A channel key cannot hold spaces, commas or control characters';
  if (key.startsWith(':')) return "A channel key cannot start with ':'";
  return undefined;
}

/** The entries of the list `mode` of `ch` once the pending `changes` to it are applied. */
function listAfter(ch: Channel, mode: ListMode, changes: ModeChange[]): string[] {
  const masks = ch.list(mode).map((b) => b.mask);
  for (const c of changes) {
    if (c.mode !== mode) continue;
    const i = masks.findIndex((m) => foldCase(m) === foldCase(c.arg!));
    if (c.add && i === -1) masks.push(c.arg!);
    else if (!c.add && i !== -1) masks.splice(i, 1);
  }
  return masks;
}

/** Whether the channel is already as `c` would make it (`+o` on an op, `-k` without a key). */
function alreadySo(ctx: Context, ch: Channel, c: ModeChange): boolean {
  switch (c.mode) {
    case 'o':
    case 'v': {
      const target = ctx.network.users.get(c.arg!);
      const m = target && ch.members.get(target);
      return m === undefined || m.has(c.mode) === c.add;
    }
    case 'b':
    case 'e':
    case 'I':
      return ch.list(c.mode).some((b) => foldCase(b.mask) === foldCase(c.arg!)) === c.add;
    case 'k':
      return c.add ? ch.key === c.arg : ch.key === undefined;
    case 'l':
      return c.add ? ch.limit === Number(c.arg) : ch.limit === undefined;
    default:
      return ch.flags.has(c.mode as ChannelFlag) === c.add;
  }
}

/** `+o-v a b` → keeps only the last change to each mode and argument: `+o x -o x` is `-o x`. */
function lastPerTarget(changes: ModeChange[]): ModeChange[] {
  const byKey = new Map<string, ModeChange>();
  for (const c of changes) {
    const key = c.mode === 'k' || c.mode === 'l' ? c.mode : `${c.mode} ${foldCase(c.arg ?? '')}`;
    byKey.delete(key);
    byKey.set(key, c);
  }
  return [...byKey.values()];
}

const LIST_NAMES: Record<ListMode, string> = { b: 'ban', e: 'exception', I: 'invite exception' };
const LIST_REPLIES: Record<ListMode, [entry: string, end: string]> = {
  b: [RPL_BANLIST, RPL_ENDOFBANLIST],
  e: [RPL_EXCEPTLIST, RPL_ENDOFEXCEPTLIST],
  I: [RPL_INVEXLIST, RPL_ENDOFINVEXLIST],
};

function listLimit(limits: Context['limits'], mode: ListMode): number {
  return mode === 'b' ? limits.bansPerChannel : mode === 'e' ? limits.banExceptionsPerChannel : limits.inviteExceptionsPerChannel;
}

/** 367/368 for the bans, 348/349 for ban exceptions, 346/347 for invite exceptions. */
function sendList(ctx: Context, ch: Channel, mode: ListMode): void {
  const [entry, end] = LIST_REPLIES[mode];
  for (const b of ch.list(mode)) ctx.reply(entry, ch.name, b.mask, b.setBy, String(Math.floor(b.setAt / 1000)));
  ctx.reply(end, ch.name, `End of channel ${LIST_NAMES[mode]} list`);
}

function userMode(ctx: Context, nick: string, modestring: string | undefined): void | Promise<void> {
  const user = ctx.user;
  const target = ctx.network.userByNick(nick);
  if (!target) throw new IrcError(ERR_NOSUCHNICK, [nick], 'No such nick/channel');
  if (target !== user) throw new IrcError(ERR_USERSDONTMATCH, [], "Can't change mode for other users");
  if (modestring === undefined) {
    ctx.reply(RPL_UMODEIS, '+' + [...user.modes].sort().join(''));
    return;
  }
  const changes: ModeChange[] = [];
  let add = true;
  let unknown = false;
  for (const mode of modestring) {
    if (mode === '+' || mode === '-') {
      add = mode === '+';
      continue;
    }
    if (!USER_MODES.has(mode)) {
      unknown = true;
      continue;
    }
    if (mode === 'o' && add) continue; // operator status comes only from OPER
    const has = user.modes.has(mode) || changes.some((c) => c.mode === mode && c.add);
    if (has !== add) changes.push({ add, mode });
  }
  if (unknown) ctx.reply(ERR_UMODEUNKNOWNFLAG, 'Unknown MODE flag');
  if (changes.length === 0) return;
  let text = '';
  let sign = '';
  for (const c of changes) {
    const s = c.add ? '+' : '-';
    if (s !== sign) text += sign = s;
    text += c.mode;
  }
  const mask = user.mask;
  const ownNick = user.nick;
  return afterCommit(ctx.commit({ type: 'user.mode', uid: user.uid, changes }), (verdict) => {
    if (verdict.ok) ctx.rb.add(new Outgoing(mask, 'MODE', [ownNick, text], verdict.time));
  });
}
