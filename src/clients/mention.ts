// Whether a line of text mentions a nick: the nick as a whole word, compared as IRC compares
// nicks (rfc1459 case folding, so "Bob", "BOB" and "bob" all count, "[x]" matches "{x}").
import { foldCase } from '../protocol/casemapping.ts';

// A nick is made of these, so a match must not have one of them on either side: "bob" is
// not mentioned in "bobby" nor in "[bob]s", but is in "bob:", "@bob" and "hi bob!".
const NICK_CHAR = /[A-Za-z0-9[\]\\`_^{|}-]/;

export function mentions(text: string, nick: string): boolean {
  if (nick === '' || text.length < nick.length) return false;
  const haystack = foldCase(text);
  const needle = foldCase(nick);
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) {
    const before = at === 0 ? '' : text[at - 1]!;
    const after = text[at + needle.length] ?? '';
    if (!NICK_CHAR.test(before) && !NICK_CHAR.test(after)) return true;
  }
  return false;
}
