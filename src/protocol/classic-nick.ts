// The classic (RFC 2812) nickname grammar: a letter or an IRC special first, then letters,
// digits, specials and '-'. The whole grammar under `rfc1459` (validate.ts), and the ASCII a
// nick may hold under `precis` (unicode-nick.ts).

const CLASSIC_NICK = /^[A-Za-z[\]\\`_^{|}][A-Za-z0-9[\]\\`_^{|}-]*$/;
const CLASSIC_NICK_CHAR = /^[A-Za-z0-9[\]\\`_^{|}-]$/;

/** Whether `nick` is a nick by the classic grammar (the length is the caller's). */
export function isClassicNick(nick: string): boolean {
  return CLASSIC_NICK.test(nick);
}

/** Whether `char` (one character) may stand in a classic nick, first place aside. */
export function isClassicNickChar(char: string): boolean {
  return CLASSIC_NICK_CHAR.test(char);
}
