// RPL_ISUPPORT (005) tokens, built from the server's limits.
import { casemappingToken, type Casemapping } from './casemapping.ts';
import { CHANNEL_TYPES } from './validate.ts';

export interface IsupportLimits {
  network: string;
  /** Which nicks the server takes (default rfc1459: ASCII ones). */
  casemapping?: Casemapping;
  nickLen: number;
  channelLen: number;
  topicLen: number;
  kickLen: number;
  awayLen: number;
  userLen: number;
  hostLen: number;
  maxChannels: number;
  maxTargets: number;
  /** Rooms one NAMES may name. */
  namesTargets: number;
  maxModes: number;
  maxBans: number;
  /** Ban exceptions (+e) and invite exceptions (+I) per room; absent: as many as bans. */
  maxBanExceptions?: number;
  maxInviteExceptions?: number;
  monitorLimit: number;
  lineLen: number;
  /** Most messages per CHATHISTORY request; 0 when history is off. */
  chathistory: number;
}

/** Characters of a channel key (+k) kept; a longer key is cut to it (ISUPPORT KEYLEN). */
export const CHANNEL_KEY_LENGTH = 32;
/** The user mode that marks a bot (IRCv3 bot-mode: ISUPPORT BOT, the WHO flag). */
export const BOT_MODE = 'B';
/** Account extbans as charybdis/Solanum write them: $a, $a:<account>, $~a (src/network/extbans.ts). */
export const EXTBAN = { prefix: '$', types: 'a', account: 'a' } as const;
export const CHANNEL_MODES = { list: 'beI', withArg: 'k', withArgOnSet: 'l', flags: 'imnst' } as const;
export const MEMBER_PREFIXES = [
  { mode: 'o', prefix: '@' },
  { mode: 'v', prefix: '+' },
] as const;

export function isupportTokens(l: IsupportLimits): string[] {
  const t = l.maxTargets;
  return [
    // IRCv3 account-extban: which EXTBAN type matches account names.
    `ACCOUNTEXTBAN=${EXTBAN.account}`,
    `AWAYLEN=${l.awayLen}`,
    `BOT=${BOT_MODE}`,
    `CASEMAPPING=${casemappingToken(l.casemapping ?? 'rfc1459')}`,
    `CHANLIMIT=${CHANNEL_TYPES}:${l.maxChannels}`,
    `CHANMODES=${CHANNEL_MODES.list},${CHANNEL_MODES.withArg},${CHANNEL_MODES.withArgOnSet},${CHANNEL_MODES.flags}`,
    `CHANNELLEN=${l.channelLen}`,
    `CHANTYPES=${CHANNEL_TYPES}`,
    ...(l.chathistory > 0 ? [`CHATHISTORY=${l.chathistory}`] : []),
    'ELIST=CMNTU',
    'EXCEPTS=e',
    `EXTBAN=${EXTBAN.prefix},${EXTBAN.types}`,
    `HOSTLEN=${l.hostLen}`,
    'INVEX=I',
    `KEYLEN=${CHANNEL_KEY_LENGTH}`,
    `KICKLEN=${l.kickLen}`,
    `LINELEN=${l.lineLen}`,
    `MAXLIST=b:${l.maxBans},e:${l.maxBanExceptions ?? l.maxBans},I:${l.maxInviteExceptions ?? l.maxBans}`,
    `MODES=${l.maxModes}`,
    `MONITOR=${l.monitorLimit}`,
    ...(l.chathistory > 0 ? ['MSGREFTYPES=msgid,timestamp'] : []),
    `NETWORK=${l.network}`,
    `NICKLEN=${l.nickLen}`,
    `PREFIX=(${MEMBER_PREFIXES.map((p) => p.mode).join('')})${MEMBER_PREFIXES.map((p) => p.prefix).join('')}`,
    'SAFELIST',
    `STATUSMSG=${MEMBER_PREFIXES.map((p) => p.prefix).join('')}`,
    `TARGMAX=PRIVMSG:${t},NOTICE:${t},TAGMSG:${t},JOIN:,PART:,KICK:,NAMES:${l.namesTargets},WHOIS:1,ISON:,USERHOST:5,MONITOR:`,
    `TOPICLEN=${l.topicLen}`,
    `USERLEN=${l.userLen}`,
    'UTF8ONLY',
    'WHOX',
  ];
}
