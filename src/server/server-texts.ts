// What the server tells every client from its config: the ISUPPORT tokens and the MOTD lines.
// Both are made again on reload.
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { isupportTokens } from '../protocol/isupport.ts';
import { toWireLines } from '../protocol/wire-text.ts';
import type { Config } from './config.ts';

export function isupportFor(config: Config): string[] {
  const l = config.limits;
  return isupportTokens({
    network: config.server.network,
    nickLen: l.nickLength,
    channelLen: l.channelLength,
    topicLen: l.topicLength,
    kickLen: l.kickLength,
    awayLen: l.awayLength,
    userLen: l.userLength,
    hostLen: 64,
    maxChannels: l.channelsPerUser,
    maxTargets: l.targetsPerMessage,
    maxModes: l.modesPerCommand,
    maxBans: l.bansPerChannel,
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
