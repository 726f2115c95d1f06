// src/protocol/message.ts (shared with the server) has utf8Length(), which uses Node's
// Buffer. The browser client never calls it, but type-checking the imported module needs
// the name; this declares just that, rather than pulling all of Node's types into web/.
declare const Buffer: { byteLength(text: string, encoding: 'utf8'): number };
