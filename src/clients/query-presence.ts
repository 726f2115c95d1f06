// Whether the person of a private conversation is online and away, kept without polling: the
// client MONITORs the nicks of its open queries (IRCv3 monitor, when ISUPPORT offers MONITOR),
// and with extended-monitor and away-notify the server also sends their AWAY changes, shared
// room or not. 730/731 for those nicks set the state quietly; a MONITOR the user typed
// (/quote MONITOR …) still shows its replies. MONITOR says only online or offline: for a nick
// that comes online (or is online when its query opens) a quiet `WHO nick` tells whether the
// person is away already (flag G), and the state shows once it has answered.
import { foldCase } from '../protocol/casemapping.ts';
import type { IrcMessage } from '../protocol/message.ts';
import * as N from '../protocol/numerics.ts';
import type { ChatModel, QueryPresence as Presence } from './model.ts';

/** Nicks in one MONITOR line: well under 512 bytes with the longest nicks. */
const NICKS_PER_LINE = 10;

export class QueryMonitor {
  /** folded → nick, as sent with MONITOR +. */
  private readonly monitored = new Map<string, string>();
  /** ISUPPORT MONITOR: the most nicks the server watches for us (undefined: no MONITOR). */
  private limit: number | undefined;
  /** Online nicks whose away state is to be asked (WHO) at the next sync: folded → nick. */
  private readonly awayToAsk = new Map<string, string>();
  /** WHO sent, its 315 not come yet: folded nick → whether a reply (or 731) settled it already. */
  private readonly awayAsked = new Map<string, boolean>();

  /** The connection closed: the server forgot the list, and the next one may differ. */
  reset(model: ChatModel): void {
    this.monitored.clear();
    this.limit = undefined;
    this.awayToAsk.clear();
    this.awayAsked.clear();
    for (const b of model.buffers) if (b.kind === 'query') delete b.presence;
  }

  /** Reads what concerns presence; true when the message is taken care of and shows nothing. */
  follow(model: ChatModel, msg: IrcMessage): boolean {
    switch (msg.command) {
      case N.RPL_ISUPPORT:
        for (const token of msg.params.slice(1, -1)) {
          if (token === 'MONITOR') this.limit = Infinity;
          else if (token.startsWith('MONITOR=')) this.limit = Number(token.slice('MONITOR='.length)) || Infinity;
          else if (token === '-MONITOR') this.limit = undefined;
        }
        return false;
      case N.RPL_MONONLINE:
      case N.RPL_MONOFFLINE: {
        const online = msg.command === N.RPL_MONONLINE;
        const targets = (msg.params[1] ?? '').split(',').filter((t) => t !== '');
        let allOurs = targets.length > 0;
        for (const target of targets) {
          const nick = target.split('!', 1)[0]!;
          const key = foldCase(nick);
          if (!this.monitored.has(key)) allOurs = false;
          if (!online) {
            this.settle(key);
            setPresence(model, nick, 'offline');
          } else if (isPresent(model, nick)) {
            // Known to be on already (MONITOR S, a second +): an away state known stays.
          } else if (this.monitored.has(key)) {
            // Online, perhaps away already: shown once WHO has said which.
            this.awayToAsk.set(key, nick);
          } else {
            setPresence(model, nick, 'online');
          }
        }
        return allOurs;
      }
      case N.RPL_WHOREPLY: {
        // <me> <channel> <user> <host> <server> <nick> <flags> :<hops> <realname>
        const [, , , , , nick = '', flags = ''] = msg.params;
        const key = foldCase(nick);
        const settled = this.awayAsked.get(key);
        if (settled === undefined) return false;
        if (!settled) setPresence(model, nick, flags.startsWith('G') ? 'away' : 'online');
        this.awayAsked.set(key, true);
        return true;
      }
      case N.RPL_ENDOFWHO: {
        const nick = msg.params[1] ?? '';
        const key = foldCase(nick);
        const settled = this.awayAsked.get(key);
        if (settled === undefined) return false;
        this.awayAsked.delete(key);
        // No reply (a server that hides the person from WHO): online, as MONITOR said.
        if (!settled) setPresence(model, nick, 'online');
        return true;
      }
      case 'AWAY':
        setPresence(model, nickOf(msg.source), msg.params[0] ? 'away' : 'online');
        return false;
      case N.RPL_AWAY:
        setPresence(model, msg.params[1] ?? '', 'away');
        return false;
      case 'QUIT':
        this.settle(foldCase(nickOf(msg.source)));
        setPresence(model, nickOf(msg.source), 'offline');
        return false;
    }
    return false;
  }

  /** Lines that bring the server's list in step with the open queries (none while not registered). */
  sync(model: ChatModel, registered: boolean): string[] {
    if (!registered || this.limit === undefined) return [];
    const wanted = new Map<string, string>();
    for (const b of model.buffers) {
      if (b.kind === 'query' && wanted.size < this.limit) wanted.set(b.key, b.name);
    }
    const removed = [...this.monitored].filter(([key]) => !wanted.has(key));
    const added = [...wanted].filter(([key]) => !this.monitored.has(key));
    for (const [key] of removed) this.monitored.delete(key);
    for (const [key, nick] of added) this.monitored.set(key, nick);
    const asks: string[] = [];
    for (const [key, nick] of this.awayToAsk) {
      if (!this.monitored.has(key) || this.awayAsked.has(key)) continue;
      this.awayAsked.set(key, false);
      asks.push(`WHO ${nick}`);
    }
    this.awayToAsk.clear();
    return [...lines('-', removed.map(([, nick]) => nick)), ...lines('+', added.map(([, nick]) => nick)), ...asks];
  }

  /** The nick went offline: a WHO still on its way must not make it online again. */
  private settle(key: string): void {
    this.awayToAsk.delete(key);
    if (this.awayAsked.has(key)) this.awayAsked.set(key, true);
  }
}

/** Whether the query's person is known to be on the server already (online or away). */
function isPresent(model: ChatModel, nick: string): boolean {
  const buffer = model.find(nick);
  return buffer?.kind === 'query' && (buffer.presence === 'online' || buffer.presence === 'away');
}

function lines(sign: '+' | '-', nicks: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < nicks.length; i += NICKS_PER_LINE) out.push(`MONITOR ${sign} ${nicks.slice(i, i + NICKS_PER_LINE).join(',')}`);
  return out;
}

function nickOf(source: string | undefined): string {
  return source === undefined ? '' : source.split('!', 1)[0]!;
}

function setPresence(model: ChatModel, nick: string, presence: Presence): void {
  const buffer = nick === '' ? undefined : model.find(nick);
  if (buffer?.kind !== 'query' || buffer.presence === presence) return;
  buffer.presence = presence;
  model.touch();
}
