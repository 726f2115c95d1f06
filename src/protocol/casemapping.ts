// Case folding for nicknames and channel names. ASCII folds as "rfc1459": A-Z and []\~ fold
// to a-z and {}|^. Other characters of a nick, an account or a mask fold as PRECIS
// (RFC 8265) compares usernames, which the `precis` casemapping lets nicks use: NFKC (so
// full-width ＡＢＣ is abc) and Unicode lower case (Жора is жора). Room names keep the ASCII
// fold only: rooms and their history are stored under it, and #Ärger has always been a room
// apart from #ärger. The fold does not depend on the config, so every node and every client
// of this code folds alike; under `rfc1459` nicks are ASCII and it is the classic fold.

/** `server.casemapping`: which nicks the server takes (validate.ts), and what ISUPPORT says. */
export const CASEMAPPINGS = ['rfc1459', 'precis'] as const;
export type Casemapping = (typeof CASEMAPPINGS)[number];
/** The default, and what a client assumes of a server that does not say. */
export const CASEMAPPING = 'rfc1459';

/** The ISUPPORT CASEMAPPING token: ergo and RFC 8265 name the PRECIS username fold `rfc8265`. */
export function casemappingToken(casemapping: Casemapping): string {
  return casemapping === 'precis' ? 'rfc8265' : 'rfc1459';
}

/** Whether every UTF-16 unit of `text` is ASCII. */
export function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

function foldAscii(name: string): string {
  let needs = false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if ((c >= 0x41 && c <= 0x5a) || c === 0x5b || c === 0x5c || c === 0x5d || c === 0x7e) {
      needs = true;
      break;
    }
  }
  if (!needs) return name;
  let out = '';
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) out += String.fromCharCode(c + 32);
    else if (c === 0x5b || c === 0x5c || c === 0x5d) out += String.fromCharCode(c + 32); // '[' '\' ']' → '{' '|' '}'
    else if (c === 0x7e) out += '^'; // '~' (0x7e) folds down to '^' (0x5e): +32 would give a C1 control
    else out += name[i];
  }
  return out;
}

/**
 * NFKC, then lower case, until it stops changing (RFC 8264 asks for the repeat: one pass of
 * each is not always stable). Final sigma is sigma: toLowerCase picks ς or σ by position.
 */
function foldUnicode(text: string): string {
  let folded = text;
  for (let pass = 0; pass < 4; pass++) {
    const next = folded.normalize('NFKC').toLowerCase().replaceAll('ς', 'σ');
    if (next === folded) break;
    folded = next;
  }
  return foldAscii(folded);
}

/** The fold of a nick, an account, a mask or text searched for a nick (mentions). */
export function foldNick(name: string): string {
  return isAscii(name) ? foldAscii(name) : foldUnicode(name);
}

export function foldCase(name: string): string {
  // A room name first: it is the common case on the hot path and needs no scan for non-ASCII.
  return name.charCodeAt(0) === 0x23 || isAscii(name) ? foldAscii(name) : foldUnicode(name);
}

export function sameName(a: string, b: string): boolean {
  return foldCase(a) === foldCase(b);
}
