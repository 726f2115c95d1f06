// A stable colour per nick: the same nick gets the same colour in every run and on every
// screen, because it comes from a hash of the nick (folded, so "Bob" and "bob" agree) and
// not from the order people were seen in.
import { foldCase } from '../../protocol/casemapping.ts';

/** Colour names ink (chalk) knows; none is too dark on a black or too light on a white background. */
export const NICK_COLOURS = [
  'red',
  'green',
  'yellow',
  'blue',
  'magenta',
  'cyan',
  'redBright',
  'greenBright',
  'yellowBright',
  'blueBright',
  'magentaBright',
  'cyanBright',
] as const;

export type NickColour = (typeof NICK_COLOURS)[number];

/** FNV-1a, 32 bits: cheap and spreads short strings well. */
export function hashNick(nick: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(foldCase(nick), 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export function nickColour(nick: string): NickColour {
  return NICK_COLOURS[hashNick(nick) % NICK_COLOURS.length]!;
}
