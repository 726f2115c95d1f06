// The four SCRAM messages (RFC 5802 §7) and base64, read and written the same way by the
// server (src/server/scram.ts) and the clients (src/clients/scram.ts). Pure: no Buffer, so
// that the browser can use it. Parsers return undefined for anything malformed; the caller
// fails the exchange without saying more.

export const SCRAM_MECHANISM = 'SCRAM-SHA-256';
/** The SASL mechanisms Parlor offers (CAP LS `sasl=…`, 908), PLAIN first as most clients expect. */
export const SASL_MECHANISMS: readonly string[] = ['PLAIN', SCRAM_MECHANISM];

/** A nonce: printable ASCII but ','. */
const NONCE = /^[\x21-\x2B\x2D-\x7E]+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** Strict base64 (padding required, no spaces), or undefined. */
export function base64ToBytes(text: string): Uint8Array | undefined {
  if (!BASE64.test(text)) return undefined;
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** UTF-8 text from base64, or undefined when either is malformed. */
export function base64ToText(text: string): string | undefined {
  const bytes = base64ToBytes(text);
  if (!bytes) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

export function textToBase64(text: string): string {
  return bytesToBase64(new TextEncoder().encode(text));
}

/** A name inside a SCRAM message: ',' and '=' escaped (RFC 5802 §5.1). */
export function escapeSaslName(name: string): string {
  return name.replaceAll('=', '=3D').replaceAll(',', '=2C');
}

/** The name escaped by escapeSaslName; undefined for any other use of '=' (the server must fail). */
export function unescapeSaslName(text: string): string | undefined {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== '=') {
      out += c;
      continue;
    }
    const code = text.slice(i + 1, i + 3);
    if (code === '2C') out += ',';
    else if (code === '3D') out += '=';
    else return undefined;
    i += 2;
  }
  return out;
}

/** `a=1,b=2` as [['a','1'], ['b','2']]; undefined if an attribute is not `letter=value`. */
function attributes(text: string): [string, string][] | undefined {
  const out: [string, string][] = [];
  for (const part of text.split(',')) {
    if (part.length < 2 || part[1] !== '=' || !/^[A-Za-z]$/.test(part[0]!)) return undefined;
    out.push([part[0]!, part.slice(2)]);
  }
  return out;
}

export interface ClientFirst {
  /** `n,,` or `y,,` (or with `a=authzid`), exactly as sent: c= in the final message repeats it. */
  gs2Header: string;
  /** The authorization identity, if one was given. */
  authzid: string | undefined;
  username: string;
  nonce: string;
  /** client-first-message-bare, part of the AuthMessage. */
  bare: string;
}

export type ClientFirstProblem = 'malformed' | 'channel-binding' | 'extensions';

/**
 * client-first-message: `gs2-cbind-flag "," [authzid] "," n=user,r=nonce[,ext…]`. Channel
 * binding (`p=…`) is refused, as is the reserved `m=` extension; other extensions are ignored.
 */
export function parseClientFirst(text: string): ClientFirst | ClientFirstProblem {
  if (text.includes('\0')) return 'malformed';
  const first = text.indexOf(',');
  const second = first < 0 ? -1 : text.indexOf(',', first + 1);
  if (second < 0) return 'malformed';
  const flag = text.slice(0, first);
  if (flag.startsWith('p=')) return 'channel-binding';
  if (flag !== 'n' && flag !== 'y') return 'malformed';
  const authzidPart = text.slice(first + 1, second);
  let authzid: string | undefined;
  if (authzidPart !== '') {
    if (!authzidPart.startsWith('a=')) return 'malformed';
    authzid = unescapeSaslName(authzidPart.slice(2));
    if (authzid === undefined || authzid === '') return 'malformed';
  }
  const bare = text.slice(second + 1);
  const attrs = attributes(bare);
  if (!attrs || attrs.length < 2) return 'malformed';
  if (attrs[0]![0] === 'm') return 'extensions';
  const [[nKey, escapedUser], [rKey, nonce]] = attrs as [[string, string], [string, string]];
  const username = nKey === 'n' ? unescapeSaslName(escapedUser) : undefined;
  if (username === undefined || username === '' || rKey !== 'r' || !NONCE.test(nonce)) return 'malformed';
  return { gs2Header: text.slice(0, second + 1), authzid, username, nonce, bare };
}

export interface ServerFirst {
  nonce: string;
  salt: Uint8Array;
  iterations: number;
}

/** server-first-message: `r=nonce,s=salt,i=iterations[,ext…]` (`m=` refused). */
export function parseServerFirst(text: string): ServerFirst | undefined {
  const attrs = attributes(text);
  if (!attrs || attrs.length < 3) return undefined;
  const [[rKey, nonce], [sKey, salt], [iKey, iterations]] = attrs as [[string, string], [string, string], [string, string]];
  if (rKey !== 'r' || sKey !== 's' || iKey !== 'i' || !NONCE.test(nonce) || !/^[1-9]\d{0,9}$/.test(iterations)) return undefined;
  const saltBytes = base64ToBytes(salt);
  if (!saltBytes || saltBytes.length === 0) return undefined;
  return { nonce, salt: saltBytes, iterations: Number(iterations) };
}

export interface ClientFinal {
  /** c=: base64 of the gs2 header. */
  channelBinding: string;
  nonce: string;
  proof: Uint8Array;
  /** client-final-message-without-proof, part of the AuthMessage. */
  withoutProof: string;
}

/** client-final-message: `c=…,r=…[,ext…],p=proof`. */
export function parseClientFinal(text: string): ClientFinal | undefined {
  const at = text.lastIndexOf(',p=');
  if (at < 0) return undefined;
  const withoutProof = text.slice(0, at);
  const attrs = attributes(withoutProof);
  if (!attrs || attrs.length < 2) return undefined;
  const [[cKey, channelBinding], [rKey, nonce]] = attrs as [[string, string], [string, string]];
  const proof = base64ToBytes(text.slice(at + 3));
  if (cKey !== 'c' || rKey !== 'r' || !proof) return undefined;
  return { channelBinding, nonce, proof, withoutProof };
}

/** server-final-message: `v=signature` or `e=error`. */
export function parseServerFinal(text: string): { signature: Uint8Array } | { error: string } | undefined {
  const attrs = attributes(text);
  const [key, value] = attrs?.[0] ?? [];
  if (key === 'e' && value !== undefined) return { error: value };
  const signature = key === 'v' && value !== undefined ? base64ToBytes(value) : undefined;
  return signature ? { signature } : undefined;
}

/** The AUTHENTICATE parameters that carry `payload` (base64): 400 bytes each, `+` after a full last one or for nothing. */
export function authenticateChunks(payload: string): string[] {
  const chunks: string[] = [];
  for (let i = 0; i < payload.length; i += SASL_CHUNK_BYTES) chunks.push(payload.slice(i, i + SASL_CHUNK_BYTES));
  if (payload.length % SASL_CHUNK_BYTES === 0) chunks.push('+');
  return chunks;
}

/** AUTHENTICATE data comes in chunks of at most this many bytes (IRCv3 SASL), both ways. */
export const SASL_CHUNK_BYTES = 400;
