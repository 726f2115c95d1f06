// What the server tells every client from its config: the ISUPPORT tokens, the welcome lines
// and the MOTD, each serialized once (FixedNumeric). Made again on reload (ServerTexts.load).
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { isupportTokens } from '../protocol/isupport.ts';
import {
  ERR_NOMOTD,
  RPL_CREATED,
  RPL_ENDOFMOTD,
  RPL_ISUPPORT,
  RPL_MOTD,
  RPL_MOTDSTART,
  RPL_MYINFO,
  RPL_WELCOME,
  RPL_YOURHOST,
} from '../protocol/numerics.ts';
import { toWireLines } from '../protocol/wire-text.ts';
import type { Config } from './config.ts';
import { FixedNumeric } from './outgoing.ts';
import { VERSION } from './version.ts';

/** The lines a server sends every client the same way, made when first asked for. */
export class ServerTexts {
  private welcomeLines: { welcome: FixedNumeric; intro: FixedNumeric[] } | undefined;
  private isupportLines: FixedNumeric[] | undefined;
  private motdNumerics: FixedNumeric[] | undefined;

  constructor(
    private readonly serverName: string,
    /** The network's name, as 001 tells it. */
    private readonly networkName: string,
    private readonly createdAt: number,
    readonly isupport: string[],
    readonly motd: string[] | undefined,
  ) {}

  /** The texts of `config`, its MOTD file read again. */
  static async load(config: Config, serverName: string, createdAt: number, logger: Logger): Promise<ServerTexts> {
    const motd = await loadMotd(config, logger);
    return new ServerTexts(serverName, config.server.network, createdAt, isupportFor(config), motd);
  }

  /** 001 up to the user's mask, which is added to its last parameter. */
  get welcome(): FixedNumeric {
    return this.welcomeAndIntro().welcome;
  }

  /** 002, 003, 004. */
  get intro(): FixedNumeric[] {
    return this.welcomeAndIntro().intro;
  }

  /** 005, up to 12 tokens a line. */
  get isupportNumerics(): FixedNumeric[] {
    if (this.isupportLines === undefined) {
      const tokens = this.isupport;
      const lines: FixedNumeric[] = [];
      for (let i = 0; i < tokens.length; i += 12) {
        lines.push(new FixedNumeric(this.serverName, RPL_ISUPPORT, [...tokens.slice(i, i + 12), 'are supported by this server']));
      }
      this.isupportLines = lines;
    }
    return this.isupportLines;
  }

  /** The MOTD's numerics, or ERR_NOMOTD when there is none. */
  get motdLines(): FixedNumeric[] {
    if (this.motdNumerics === undefined) {
      const name = this.serverName;
      const lines: FixedNumeric[] = [];
      if (this.motd === undefined) {
        lines.push(new FixedNumeric(name, ERR_NOMOTD, ['MOTD File is missing']));
      } else {
        lines.push(new FixedNumeric(name, RPL_MOTDSTART, [`- ${name} Message of the day - `]));
        for (const line of this.motd) lines.push(new FixedNumeric(name, RPL_MOTD, [`- ${line}`]));
        lines.push(new FixedNumeric(name, RPL_ENDOFMOTD, ['End of /MOTD command.']));
      }
      this.motdNumerics = lines;
    }
    return this.motdNumerics;
  }

  private welcomeAndIntro(): { welcome: FixedNumeric; intro: FixedNumeric[] } {
    const name = this.serverName;
    return (this.welcomeLines ??= {
      welcome: new FixedNumeric(name, RPL_WELCOME, [`Welcome to the ${this.networkName} IRC Network`]),
      intro: [
        new FixedNumeric(name, RPL_YOURHOST, [`Your host is ${name}, running version ${VERSION}`]),
        new FixedNumeric(name, RPL_CREATED, [`This server was created ${new Date(this.createdAt).toUTCString()}`]),
        new FixedNumeric(name, RPL_MYINFO, [name, VERSION, 'Biow', 'beIiklmnst', 'beIklov']),
      ],
    });
  }
}

export function isupportFor(config: Config): string[] {
  const l = config.limits;
  return isupportTokens({
    network: config.server.network,
    casemapping: config.server.casemapping,
    nickLen: l.nickLength,
    channelLen: l.channelLength,
    topicLen: l.topicLength,
    kickLen: l.kickLength,
    awayLen: l.awayLength,
    userLen: l.userLength,
    hostLen: 64,
    maxChannels: l.channelsPerUser,
    maxTargets: l.targetsPerMessage,
    namesTargets: l.namesTargets,
    maxModes: l.modesPerCommand,
    maxBans: l.bansPerChannel,
    maxBanExceptions: l.banExceptionsPerChannel,
    maxInviteExceptions: l.inviteExceptionsPerChannel,
    monitorLimit: l.monitorEntries,
    lineLen: l.lineBytes,
    chathistory: config.history.enabled ? config.history.maxQuery : 0,
  });
}

/** The MOTD file's lines (or the inline motd's), with no CR, LF or NUL left inside a line. */
export async function loadMotd(config: Config, logger: Logger): Promise<string[] | undefined> {
  const { motdFile, motd } = config.server;
  let text = motd;
  if (motdFile) {
    try {
      text = await readFile(motdFile, 'utf8');
    } catch (err) {
      logger.warn({ err, motdFile }, 'cannot read the MOTD file');
    }
  }
  return text === undefined ? undefined : toWireLines(text);
}
