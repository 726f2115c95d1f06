// The client's side of SASL SCRAM-SHA-256 (RFC 5802, RFC 7677), for both `parlor chat` and
// the browser: the math is WebCrypto (globalThis.crypto.subtle: PBKDF2, HMAC, SHA-256), which
// Node 20 and browsers have, and nothing here uses Buffer. The browser has crypto.subtle only
// in a secure context (https, or http on localhost): elsewhere scramAvailable() is false and
// the client logs in with PLAIN.
import { saslprep } from '../protocol/saslprep.ts';
import { base64ToText, bytesToBase64, escapeSaslName, parseServerFinal, parseServerFirst, textToBase64 } from '../protocol/scram-messages.ts';

/** More iterations than this are refused: a hostile server could make the client compute for minutes. */
export const MAX_CLIENT_ITERATIONS = 1_000_000;
/**
 * Fewer are refused (RFC 7677 §4: at least 4096): an impostor asking for a handful would get
 * a proof it could try passwords against almost for free.
 */
export const MIN_CLIENT_ITERATIONS = 4096;
const KEY_BITS = 256;

type Subtle = NonNullable<typeof globalThis.crypto>['subtle'];

function subtle(): Subtle | undefined {
  // Absent outside a secure context in browsers (typed as always there).
  return (globalThis.crypto as { subtle?: Subtle } | undefined)?.subtle;
}

/** Whether this client can compute SCRAM at all (WebCrypto present). */
export function scramAvailable(): boolean {
  return subtle() !== undefined;
}

/** The keys of RFC 5802 §3 for a password (already SASLprepped). */
export interface ScramKeys {
  clientKey: Uint8Array;
  storedKey: Uint8Array;
  serverKey: Uint8Array;
}

const utf8 = (text: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(text);

/** HMAC-SHA-256 of `data` under `key`. */
export async function hmacSha256(key: Uint8Array, data: Uint8Array | string): Promise<Uint8Array> {
  const s = subtle()!;
  const cryptoKey = await s.importKey('raw', new Uint8Array(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await s.sign('HMAC', cryptoKey, typeof data === 'string' ? utf8(data) : new Uint8Array(data)));
}

async function sha256(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await subtle()!.digest('SHA-256', new Uint8Array(data)));
}

/** SaltedPassword = PBKDF2-HMAC-SHA-256(password, salt, iterations), then the keys made from it. */
export async function scramKeys(password: string, salt: Uint8Array, iterations: number): Promise<ScramKeys> {
  const s = subtle()!;
  const base = await s.importKey('raw', utf8(password), 'PBKDF2', false, ['deriveBits']);
  const salted = new Uint8Array(await s.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: new Uint8Array(salt), iterations }, base, KEY_BITS));
  const clientKey = await hmacSha256(salted, 'Client Key');
  const serverKey = await hmacSha256(salted, 'Server Key');
  return { clientKey, storedKey: await sha256(clientKey), serverKey };
}

function xor(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/** Equal bytes, looked at whole (the server's signature is no secret to the client, but it costs nothing). */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.min(a.length, b.length); i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** 24 random bytes as base64: printable, no ','. */
export function randomNonce(): string {
  return bytesToBase64(globalThis.crypto.getRandomValues(new Uint8Array(24)));
}

/** Why an exchange cannot go on: the client aborts it (`AUTHENTICATE *`). */
export type ScramClientProblem = 'malformed' | 'nonce' | 'iterations' | 'server-error' | 'server-signature';

/**
 * One SCRAM-SHA-256 exchange from the client's side. Messages in and out are base64, as
 * AUTHENTICATE carries them. No channel binding ('n'), no authzid.
 */
export class ScramClientExchange {
  private readonly bare: string;
  private expectedSignature: Uint8Array | undefined;

  /** `password` SASLprepped already (start does it). */
  private constructor(
    account: string,
    private readonly password: string,
    private readonly clientNonce: string,
  ) {
    this.bare = `n=${escapeSaslName(account)},r=${clientNonce}`;
  }

  /** An exchange, or undefined when SCRAM cannot be used (no WebCrypto, or a password SASLprep refuses). */
  static start(account: string, password: string, nonce: string = randomNonce()): ScramClientExchange | undefined {
    const prepared = saslprep(password);
    if (prepared === undefined || !scramAvailable()) return undefined;
    return new ScramClientExchange(account, prepared, nonce);
  }

  /** client-first-message, base64. */
  first(): string {
    return textToBase64(`n,,${this.bare}`);
  }

  /** client-final-message (base64) for the server's first message (base64), or why not. */
  async final(serverFirstBase64: string): Promise<string | ScramClientProblem> {
    const serverFirstText = base64ToText(serverFirstBase64);
    const serverFirst = serverFirstText === undefined ? undefined : parseServerFirst(serverFirstText);
    if (!serverFirst) return 'malformed';
    // The server's nonce extends ours; one that does not was not made for this exchange.
    if (!serverFirst.nonce.startsWith(this.clientNonce) || serverFirst.nonce.length === this.clientNonce.length) return 'nonce';
    if (serverFirst.iterations > MAX_CLIENT_ITERATIONS || serverFirst.iterations < MIN_CLIENT_ITERATIONS) return 'iterations';
    const keys = await scramKeys(this.password, serverFirst.salt, serverFirst.iterations);
    const withoutProof = `c=${textToBase64('n,,')},r=${serverFirst.nonce}`;
    const authMessage = `${this.bare},${serverFirstText},${withoutProof}`;
    const clientSignature = await hmacSha256(keys.storedKey, authMessage);
    this.expectedSignature = await hmacSha256(keys.serverKey, authMessage);
    return textToBase64(`${withoutProof},p=${bytesToBase64(xor(keys.clientKey, clientSignature))}`);
  }

  /** Checks the server's final message (base64): undefined when it proved it knows the password. */
  verify(serverFinalBase64: string): ScramClientProblem | undefined {
    const text = base64ToText(serverFinalBase64);
    const parsed = text === undefined ? undefined : parseServerFinal(text);
    if (!parsed) return 'malformed';
    if ('error' in parsed) return 'server-error';
    return this.expectedSignature && sameBytes(parsed.signature, this.expectedSignature) ? undefined : 'server-signature';
  }
}
