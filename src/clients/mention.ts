// Whether a line of text mentions a nick: the nick as a whole word, compared as IRC compares
// nicks (rfc1459 case folding, so "Bob", "BOB" and "bob" all count, "[x]" matches "{x}"; and
// Unicode case beyond ASCII, so "ЖОРА" mentions Жора).
import { foldNick } from '../protocol/casemapping.ts';

// A nick is made of these, so a match must not have one of them on either side: "bob" is
// not mentioned in "bobby" nor in "[bob]s", but is in "bob:", "@bob" and "hi bob!". Letters
// of any script count, save those of scripts written without spaces between words: "张三你好"
// and "철수가" (a Korean particle on the name) mention 张三 and 철수.
const NICK_CHAR = /[\p{L}\p{M}\p{N}[\]\\`_^{|}-]/u;
const WRITTEN_WITHOUT_SPACES = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;

function joinsWord(char: string): boolean {
  return NICK_CHAR.test(char) && !WRITTEN_WITHOUT_SPACES.test(char);
}

export function mentions(text: string, nick: string): boolean {
  if (nick === '' || text.length === 0) return false;
  // Both folded, and the neighbours read from the folded text: folding may change lengths (ＡＢＣ).
  const haystack = foldNick(text);
  const needle = foldNick(nick);
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) {
    const lowSurrogate = at >= 2 && /[\uDC00-\uDFFF]/.test(haystack[at - 1]!);
    const before = at === 0 ? '' : String.fromCodePoint(haystack.codePointAt(at - (lowSurrogate ? 2 : 1))!);
    const after = String.fromCodePoint(haystack.codePointAt(at + needle.length) ?? 0x20);
    if (!joinsWord(before) && !joinsWord(after)) return true;
  }
  return false;
}
