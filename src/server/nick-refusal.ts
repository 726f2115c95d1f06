// Why a nick is refused, so that the refusal can say so: NICKLEN counts UTF-8 bytes, which a
// Chinese speaker cannot guess (30 bytes are 10 Chinese characters), and a server with
// rfc1459 casemapping takes only ASCII nicks, which "Erroneous nickname" does not tell.
import { isAscii, type Casemapping } from '../protocol/casemapping.ts';
import { normalizeNick } from '../protocol/unicode-nick.ts';
import { isValidNick } from '../protocol/validate.ts';

/** Bytes of one Chinese character in UTF-8. */
const CJK_CHAR_BYTES = 3;

export type NickRefusal = 'too-long' | 'ascii-only' | 'invalid';

/** Why `nick` (as the client sent it) cannot be a nick on this server, or undefined if it can. */
export function nickRefusal(nick: string, maxBytes: number, casemapping: Casemapping): NickRefusal | undefined {
  const normalized = normalizeNick(nick, casemapping === 'precis');
  if (isValidNick(normalized, maxBytes, casemapping)) return undefined;
  if (nick.length === 0) return 'invalid';
  if (casemapping === 'rfc1459' && !isAscii(nick)) return 'ascii-only';
  const bytes = Buffer.byteLength(normalized, 'utf8');
  // Too long only when it would be a nick if shorter: else the length is not its fault.
  if (bytes > maxBytes && isValidNick(normalized, bytes, casemapping)) return 'too-long';
  return 'invalid';
}

/** The most Chinese characters a nick of `maxBytes` holds. */
export function chineseCharsIn(maxBytes: number): number {
  return Math.floor(maxBytes / CJK_CHAR_BYTES);
}

/** The text of ERR_ERRONEUSNICKNAME (432) for a refusal. */
export function erroneousNickText(refusal: NickRefusal, maxBytes: number, casemapping: Casemapping): string {
  switch (refusal) {
    case 'too-long':
      return casemapping === 'precis'
        ? `Nickname too long: at most ${maxBytes} bytes (${chineseCharsIn(maxBytes)} Chinese characters)`
        : `Nickname too long: at most ${maxBytes} characters`;
    case 'ascii-only':
      return 'Erroneous nickname: this server takes only ASCII nicknames (letters, digits and - _ [ ] { } | ^ `)';
    case 'invalid':
      return 'Erroneous nickname';
  }
}
