// Case folding for nicknames and channel names. Parlor uses "rfc1459": A-Z and []\~ fold to
// a-z and {}|^. Non-ASCII text is left as it is (channel names may be UTF-8).

export const CASEMAPPING = 'rfc1459';

export function foldCase(name: string): string {
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

export function sameName(a: string, b: string): boolean {
  return foldCase(a) === foldCase(b);
}
