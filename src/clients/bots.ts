// IRCv3 bot-mode in the client core: learning who is a bot, from the `bot` tag on what they
// send (`draft/bot` from servers of the draft), the B flag in WHO replies and RPL_WHOISBOT
// (335); a WHO of each room joined, when the server has bot mode, so that quiet bots are known
// too; and `+B` for the client's own user when asked (`parlor chat --bot`).
import { foldCase } from '../protocol/casemapping.ts';
import type { IrcMessage } from '../protocol/message.ts';
import * as N from '../protocol/numerics.ts';
import type { ChatModel } from './model.ts';

/** The WHOX token of the client's own WHO (a number of at most 3 digits, as WHOX wants). */
export const BOT_WHO_TOKEN = '335';

/** What a user sends themself: the bot tag on it (or its absence) tells whether they are a bot. */
const SENT_BY_USER = new Set(['PRIVMSG', 'NOTICE', 'TAGMSG', 'JOIN', 'PART', 'QUIT', 'NICK', 'TOPIC', 'KICK', 'MODE', 'INVITE']);

export function hasBotTag(msg: IrcMessage): boolean {
  // Any value is ignored, as the spec says.
  return msg.tags.bot !== undefined || msg.tags['draft/bot'] !== undefined;
}

function nickOfSource(source: string | undefined): string | undefined {
  if (source === undefined) return undefined;
  const bang = source.indexOf('!');
  return bang === -1 ? undefined : source.slice(0, bang);
}

/**
 * Whether a message's line is a bot's: the tag says so; a message with a msgid but no tag
 * came from a server that would have tagged it, so no; without tags, what is known of the sender.
 */
export function lineFromBot(m: ChatModel, msg: IrcMessage): boolean {
  if (hasBotTag(msg)) return true;
  if (msg.tags.msgid !== undefined) return false;
  const nick = nickOfSource(msg.source);
  return nick !== undefined && m.bots.has(nick);
}

/**
 * Learns from one message who is a bot; true when the message is a reply to the client's own
 * WHO, which is not shown. Runs before the message is applied to the model.
 */
export function followBots(m: ChatModel, msg: IrcMessage): boolean {
  const roster = m.bots;
  switch (msg.command) {
    case N.RPL_WELCOME:
      roster.reset();
      return false;
    case N.RPL_ISUPPORT:
      for (const token of msg.params.slice(1, -1)) {
        const [key, value = ''] = token.split('=', 2) as [string, string | undefined];
        if (key === 'BOT' && value.length === 1) roster.mode = value;
        else if (key === '-BOT') roster.mode = undefined;
        else if (key === 'WHOX') roster.whox = true;
      }
      return false;
    case N.RPL_WHOREPLY: {
      // <me> <channel> <user> <host> <server> <nick> <flags> :<hops> <realname>
      const [, channel = '', , , , nick, flags = ''] = msg.params;
      if (nick !== undefined && roster.mode !== undefined) touch(m, roster.set(nick, flags.slice(1).includes(roster.mode)));
      return roster.asked.has(foldCase(channel));
    }
    case N.RPL_WHOSPCRPL: {
      // <me> <token> <nick> <flags>: only the client's own WHOX has this shape for sure.
      const [, token, nick, flags = ''] = msg.params;
      if (token !== BOT_WHO_TOKEN || nick === undefined) return false;
      if (roster.mode !== undefined) touch(m, roster.set(nick, flags.slice(1).includes(roster.mode)));
      return true;
    }
    case N.RPL_ENDOFWHO:
      return roster.asked.delete(foldCase(msg.params[1] ?? ''));
    case N.RPL_WHOISBOT:
      if (msg.params[1] !== undefined) touch(m, roster.set(msg.params[1], true));
      return false;
  }
  const nick = nickOfSource(msg.source);
  if (nick === undefined || !SENT_BY_USER.has(msg.command)) return false;
  if (hasBotTag(msg)) touch(m, roster.set(nick, true));
  // Untagged from a server that tags (it gave a msgid), live (not replayed history): not a bot now.
  else if (msg.tags.msgid !== undefined && msg.tags.batch === undefined) touch(m, roster.set(nick, false));
  if (msg.command === 'NICK' && msg.params[0] !== undefined) roster.rename(nick, msg.params[0]);
  return false;
}

/** Lines to send after a message was applied: WHO of a room just joined, `+B` once bot mode is known. */
export function botRequests(m: ChatModel, msg: IrcMessage, wantBot: boolean): string[] {
  const roster = m.bots;
  if (roster.mode === undefined) return [];
  if (msg.command === N.RPL_ISUPPORT && wantBot && !roster.selfRequested) {
    roster.selfRequested = true;
    return [`MODE ${m.nick} +${roster.mode}`];
  }
  const joiner = msg.command === 'JOIN' ? nickOfSource(msg.source) : undefined;
  if (joiner !== undefined && foldCase(joiner) === foldCase(m.nick)) {
    const room = msg.params[0];
    if (room === undefined || room === '' || room.includes(' ')) return [];
    roster.asked.add(foldCase(room));
    return [roster.whox ? `WHO ${room} %tnf,${BOT_WHO_TOKEN}` : `WHO ${room}`];
  }
  return [];
}

function touch(m: ChatModel, changed: boolean): void {
  if (changed) m.touch();
}
