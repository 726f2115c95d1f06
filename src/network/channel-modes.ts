// Channel mode changes as the reducer applies them: each change checked against the room as
// it is (a target still a member, a ban not listed twice…); what took effect comes back as
// MODE parameters.
import { foldCase } from '../protocol/casemapping.ts';
import type { ListLimits, ModeChange } from './events.ts';
import type { NetworkState } from './network-state.ts';
import type { Channel, ChannelFlag } from './state.ts';

const FLAGS: ReadonlySet<string> = new Set<ChannelFlag>(['i', 'm', 'n', 's', 't']);

/**
 * Applies channel mode changes and returns the MODE parameters that took effect. A list entry
 * past `listLimits` is left out (the writer checked against an older view of the room).
 */
export function applyChannelModes(state: NetworkState, ch: Channel, changes: ModeChange[], setBy: string, time: number, listLimits?: ListLimits): string[] {
  let modes = '';
  let sign = '';
  const args: string[] = [];
  for (const c of changes) {
    let arg: string | undefined;
    switch (c.mode) {
      case 'o':
      case 'v': {
        const target = c.arg === undefined ? undefined : state.users.get(c.arg);
        const m = target && ch.members.get(target);
        if (!target || !m || !m.set(c.mode, c.add)) continue;
        // In a registered room, operator status given or taken follows the account.
        if (c.mode === 'o' && ch.registration && target.account !== undefined) {
          const folded = foldCase(target.account);
          if (c.add) ch.registration.operators.set(folded, target.account);
          else if (folded !== foldCase(ch.registration.founder)) ch.registration.operators.delete(folded);
        }
        arg = target.nick;
        break;
      }
      case 'b':
      case 'e':
      case 'I': {
        const list = ch.list(c.mode);
        const i = list.findIndex((b) => foldCase(b.mask) === foldCase(c.arg ?? ''));
        if (c.add) {
          if (i !== -1 || c.arg === undefined) continue;
          const limit = listLimits?.[c.mode];
          if (limit !== undefined && list.length >= limit) continue;
          list.push({ mask: c.arg, setBy, setAt: time });
          arg = c.arg;
        } else {
          if (i === -1) continue;
          arg = list[i]!.mask;
          list.splice(i, 1);
        }
        break;
      }
      case 'k':
        if (c.add) {
          if (c.arg === undefined) continue;
          ch.key = c.arg;
          arg = c.arg;
        } else {
          if (ch.key === undefined) continue;
          arg = '*';
          ch.key = undefined;
        }
        break;
      case 'l':
        if (c.add) {
          const n = Number(c.arg);
          if (!Number.isInteger(n) || n <= 0 || ch.limit === n) continue;
          ch.limit = n;
          arg = String(n);
        } else {
          if (ch.limit === undefined) continue;
          ch.limit = undefined;
        }
        break;
      default: {
        // Only the room flags there are: an event never adds a letter nobody knows.
        if (!FLAGS.has(c.mode)) continue;
        const flag = c.mode as ChannelFlag;
        if (ch.flags.has(flag) === c.add) continue;
        if (c.add) ch.flags.add(flag);
        else ch.flags.delete(flag);
      }
    }
    const s = c.add ? '+' : '-';
    if (s !== sign) {
      modes += s;
      sign = s;
    }
    modes += c.mode;
    if (arg !== undefined) args.push(arg);
  }
  return modes === '' ? [] : [modes, ...args];
}
