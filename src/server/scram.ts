// SASL SCRAM-SHA-256 (RFC 5802, RFC 7677; IRCv3 SASL 3.2) beside PLAIN: the server's side
// of the exchange over AUTHENTICATE. The verifier it checks against is scram-verifier.ts's;
// checking a login needs only HMACs and a hash, no PBKDF2. No channel binding (gs2 'n' or
// 'y'; 'p' is refused).
//
// An unknown account, or one without a verifier yet, is answered exactly as a wrong password:
// a salt derived from the salt secret (scram-secret.ts: `accounts.scramSecret`, else one kept
// in the store and read once) and the account's name (the same on every try, on every node and across
// restarts), the configured iterations, and 904 after the proof. The exchange: AUTHENTICATE SCRAM-SHA-256 → `+`; client-first → server-first;
// client-final → server-final (v=…), which proves the server knows the password; `+` → 900, 903.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { foldCase } from '../protocol/casemapping.ts';
import { ERR_SASLFAIL, RPL_SASLSUCCESS } from '../protocol/numerics.ts';
import { authenticateChunks, base64ToText, parseClientFinal, parseClientFirst, SCRAM_MECHANISM, textToBase64 } from '../protocol/scram-messages.ts';
import { isStoreUnavailable } from '../storage/errors.ts';
import type { AccountRecord } from '../storage/store.ts';
import { logIn } from './accounts.ts';
import { accountKey, lockoutText, type AuthAttempt } from './auth-guard.ts';
import type { Context } from './context.ts';
import { Outgoing } from './outgoing.ts';
import { fakeVerifier, hmac, parseVerifier, SCRAM_KEY_BYTES, sha256, type ScramVerifier } from './scram-verifier.ts';

const KEY_BYTES = SCRAM_KEY_BYTES;
const SERVER_NONCE_BYTES = 18;

/** An exchange under way, kept in `session.sasl.scram` between AUTHENTICATE messages. */
export interface ScramServerState {
  /** 'challenged': server-first sent; 'proved': server-final sent, waiting for the client's `+`. */
  step: 'challenged' | 'proved';
  attempt: AuthAttempt;
  /** The account's name as registered, when it exists, may log in, and has a verifier. */
  account: string | undefined;
  /** The name the client gave, for the log. */
  username: string;
  verifier: ScramVerifier;
  gs2Header: string;
  nonce: string;
  /** client-first-message-bare "," server-first-message: the AuthMessage up to the client-final. */
  authPrefix: string;
}

/** The part of `session.sasl` this module reads and writes. */
export interface SaslExchange {
  mechanism: string;
  data: string;
  scram?: ScramServerState | undefined;
}

function send(ctx: Context, payload: string): void {
  for (const chunk of authenticateChunks(payload)) ctx.rb.add(new Outgoing(undefined, 'AUTHENTICATE', [chunk], ctx.now()));
}

function fail(ctx: Context, text = 'SASL authentication failed'): void {
  ctx.session.sasl = undefined;
  if (!ctx.session.conn.closed) ctx.reply(ERR_SASLFAIL, text);
}

/** A message that is not SCRAM: logged (rate-limited), not counted as a guess. */
function malformed(ctx: Context, attempt: AuthAttempt | undefined): void {
  const address = ctx.session.conn.remoteAddress;
  ctx.services.authGuard.failed(attempt ?? { kind: 'sasl', address }, 'failed SASL login', { nick: ctx.session.nickOrStar, address, mechanism: SCRAM_MECHANISM, malformed: true }, false);
  fail(ctx);
}

/** One complete client message of a SCRAM exchange (base64, chunks joined); `exchange` is `session.sasl`. */
export async function scramStep(ctx: Context, exchange: SaslExchange): Promise<void> {
  const data = exchange.data;
  exchange.data = '';
  const state = exchange.scram;
  if (!state) return clientFirst(ctx, exchange, data);
  if (state.step === 'challenged') return clientFinal(ctx, state, data);
  // The client's empty answer to server-final concludes the exchange.
  ctx.session.sasl = undefined;
  if (data !== '' || state.account === undefined) return fail(ctx);
  if (ctx.session.conn.closed) return;
  await logIn(ctx, ctx.session, state.account, (numeric, params) => ctx.reply(numeric, ...params));
  ctx.reply(RPL_SASLSUCCESS, 'SASL authentication successful');
}

async function clientFirst(ctx: Context, exchange: SaslExchange, data: string): Promise<void> {
  const { session, services, config } = ctx;
  const text = base64ToText(data);
  const first = text === undefined ? 'malformed' : parseClientFirst(text);
  if (typeof first === 'string') return malformed(ctx, undefined);
  // As with PLAIN: an authorization identity, if any, is the account itself.
  if (first.authzid !== undefined && foldCase(first.authzid) !== foldCase(first.username)) return malformed(ctx, undefined);
  const attempt: AuthAttempt = { kind: 'sasl', address: session.conn.remoteAddress, account: accountKey(first.username) };
  const lockout = services.authGuard.lockout(attempt);
  if (lockout) return fail(ctx, `SASL authentication failed: ${lockoutText(lockout, 'logins')}`);
  let record: AccountRecord | undefined;
  let saltSecret: Buffer;
  try {
    // Both looked up every time, known account or not, so that the time taken tells nothing.
    [record, saltSecret] = await Promise.all([services.store.getAccount(first.username), services.scramSaltSecret.get()]);
  } catch (err) {
    if (!isStoreUnavailable(err)) {
      session.sasl = undefined;
      throw err;
    }
    return fail(ctx, 'SASL authentication failed: the account database is unavailable right now; try again in a moment');
  }
  if (session.conn.closed || session.sasl !== exchange) return;
  const real = parseVerifier(record?.scram);
  const verifier = real ?? fakeVerifier(saltSecret, first.username, config.accounts.scramIterations);
  // The account to log in to if the proof is right: none for an unknown, unverified or suspended account.
  const account = record && real && record.verified && !record.suspended ? record.name : undefined;
  const nonce = first.nonce + randomBytes(SERVER_NONCE_BYTES).toString('base64');
  const serverFirst = `r=${nonce},s=${verifier.salt.toString('base64')},i=${verifier.iterations}`;
  exchange.scram = {
    step: 'challenged',
    attempt,
    account,
    username: first.username,
    verifier,
    gs2Header: first.gs2Header,
    nonce,
    authPrefix: `${first.bare},${serverFirst}`,
  };
  send(ctx, textToBase64(serverFirst));
}

function clientFinal(ctx: Context, state: ScramServerState, data: string): void {
  const { session, services } = ctx;
  const text = base64ToText(data);
  const final = text === undefined ? undefined : parseClientFinal(text);
  // The channel binding must repeat the header (no binding), and the nonce be this exchange's.
  if (!final || final.channelBinding !== textToBase64(state.gs2Header) || final.nonce !== state.nonce) return malformed(ctx, state.attempt);
  // Guesses on other connections may have begun a lockout since the first message.
  const lockout = services.authGuard.lockout(state.attempt);
  if (lockout) return fail(ctx, `SASL authentication failed: ${lockoutText(lockout, 'logins')}`);
  const { verifier } = state;
  const authMessage = `${state.authPrefix},${final.withoutProof}`;
  const clientSignature = hmac(verifier.storedKey, authMessage);
  const proof = Buffer.alloc(KEY_BYTES);
  proof.set(final.proof.subarray(0, KEY_BYTES));
  for (let i = 0; i < KEY_BYTES; i++) proof[i]! ^= clientSignature[i]!;
  // Compared whole and in constant time, for real and fake verifiers alike.
  const proved = timingSafeEqual(sha256(proof), verifier.storedKey) && final.proof.length === KEY_BYTES;
  const serverSignature = hmac(verifier.serverKey, authMessage);
  if (!proved || state.account === undefined) {
    const address = session.conn.remoteAddress;
    services.authGuard.failed(state.attempt, 'failed SASL login', { nick: session.nickOrStar, account: state.username, address, mechanism: SCRAM_MECHANISM });
    return fail(ctx);
  }
  services.authGuard.succeeded(state.attempt);
  state.step = 'proved';
  send(ctx, textToBase64(`v=${serverSignature.toString('base64')}`));
}
