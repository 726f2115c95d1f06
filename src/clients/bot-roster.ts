// Who a client knows to be a bot (IRCv3 bot-mode), by folded nick, and what the server said
// about bot mode. Plain data: bots.ts fills it from the messages, views read it.
import { foldCase } from '../protocol/casemapping.ts';

export class BotRoster {
  /** The user mode letter of bots (ISUPPORT BOT), when the server has bot mode. */
  mode: string | undefined;
  /** The server answers WHOX (ISUPPORT WHOX): the client's own WHO asks for nicks and flags only. */
  whox = false;
  /** Rooms whose WHO the client itself asked for, by folded name, until their 315. */
  readonly asked = new Set<string>();
  /** `+B` was asked for on this connection (`parlor chat --bot`). */
  selfRequested = false;
  private readonly nicks = new Set<string>();

  has(nick: string): boolean {
    return this.nicks.size > 0 && this.nicks.has(foldCase(nick));
  }

  /** Notes whether `nick` is a bot; true when that changed what was known. */
  set(nick: string, bot: boolean): boolean {
    const folded = foldCase(nick);
    if (this.nicks.has(folded) === bot) return false;
    if (bot) this.nicks.add(folded);
    else this.nicks.delete(folded);
    return true;
  }

  rename(old: string, now: string): void {
    if (!this.has(old)) return;
    this.nicks.delete(foldCase(old));
    this.nicks.add(foldCase(now));
  }

  /** A new connection: the server tells everything again. */
  reset(): void {
    this.mode = undefined;
    this.whox = false;
    this.asked.clear();
    this.selfRequested = false;
    this.nicks.clear();
  }
}
