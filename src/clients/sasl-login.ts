// The client's SASL login, driven by IrcSession: SCRAM-SHA-256 when the server offers it
// (CAP LS `sasl=…`, or 908) and this client can compute it, else PLAIN. A SCRAM attempt that
// fails (904: a wrong password, or an account that has no SCRAM verifier yet, which the server
// does not tell apart) is tried once more with PLAIN, whose success gives the account its
// verifier for next time. A server that cannot prove it knows the password (a wrong
// server-final signature) is aborted, and never sent the password in PLAIN.
import type { Translate } from '../i18n/i18n.ts';
import type { IrcMessage } from '../protocol/message.ts';
import * as N from '../protocol/numerics.ts';
import { SCRAM_MECHANISM } from '../protocol/scram-messages.ts';
import { saslPlainLines } from './effects.ts';
import { ScramClientExchange } from './scram.ts';

/** Base64 chunks are at most this long; a full one means more follows. */
const CHUNK = 400;
/**
 * A challenge longer than this (base64, chunks joined) is not waited for: a SCRAM server-first
 * is under 200 bytes, and a hostile server could otherwise send full chunks for ever.
 */
export const MAX_CHALLENGE_BYTES = 16_384;

/** The mechanisms CAP LS entries offer; PLAIN alone for a bare `sasl` (301 servers list none). */
export function saslMechanismsIn(caps: string[]): string[] {
  return caps.flatMap((cap) => {
    const [name, value] = cap.split('=', 2) as [string, string | undefined];
    if (name !== 'sasl') return [];
    return value === undefined ? ['PLAIN'] : value.split(',').map((m) => m.toUpperCase());
  });
}

/** Whether a login can be tried with what the server offers. */
export function saslUsable(mechanisms: string[]): boolean {
  return mechanisms.includes('PLAIN') || mechanisms.includes(SCRAM_MECHANISM);
}

/**
 * What a reply did to the login: still going (undefined), logged in, going on with PLAIN
 * after SCRAM failed, or failed with a reason to show; `untrusted` when a SCRAM server claimed
 * success without proving itself.
 */
export type SaslOutcome = undefined | 'success' | 'retrying' | { reason: string; untrusted?: boolean };

/** The generic text of 904, which the words of the user's language replace. */
const GENERIC_FAILURE = 'SASL authentication failed';

/**
 * Why a login failed, in the user's language: 904 alone is a wrong account name or password;
 * a reason the server adds after the generic text (a lockout, a busy server) is quoted after
 * words of our own, since only the server knows it; 905 and 906 in words.
 */
export function saslFailureReason(msg: IrcMessage, t: Translate): string {
  if (msg.command === N.ERR_SASLTOOLONG) return t('client.session.saslTooLong');
  if (msg.command === N.ERR_SASLABORTED) return t('client.session.saslAborted');
  const text = (msg.params.length >= 2 ? (msg.params.at(-1) ?? '') : '').trim();
  const detail = (text.toLowerCase().startsWith(GENERIC_FAILURE.toLowerCase()) ? text.slice(GENERIC_FAILURE.length) : text).replace(/^[\s:.;,-]+/, '');
  return detail === '' ? t('client.session.saslWrongLogin') : t('client.session.saslRefusedBecause', { detail });
}

export class SaslLoginExchange {
  private mechanism: 'PLAIN' | typeof SCRAM_MECHANISM = 'PLAIN';
  private scram: ScramClientExchange | undefined;
  /** SCRAM: 'first' sent, 'final' sent, server 'verified', or the server's proof was wrong ('forged'). */
  private scramStep: 'first' | 'final' | 'verified' | 'forged' = 'first';
  private incoming = '';
  private fellBack = false;

  constructor(
    private readonly login: { account: string; password: string },
    private mechanisms: string[],
    private readonly send: (line: string) => unknown,
  ) {}

  /** One of the server's SASL replies: AUTHENTICATE, 908, 903, 904, 905 or 906. */
  onReply(msg: IrcMessage, t: Translate): SaslOutcome {
    switch (msg.command) {
      case 'AUTHENTICATE':
        this.onAuthenticate(msg.params[0] ?? '');
        return undefined;
      case N.RPL_SASLMECHS:
        this.mechanisms = (msg.params[1] ?? '').split(',').map((m) => m.toUpperCase());
        return undefined;
      case N.RPL_SASLSUCCESS:
        // A SCRAM server that did not prove it knows the password is not the one we meant.
        if (this.mechanism === 'PLAIN' || this.scramStep === 'verified') return 'success';
        return { reason: t('client.session.serverUnproven'), untrusted: true };
      default:
        if (this.retry()) return 'retrying';
        return { reason: this.scramStep === 'forged' ? t('client.session.serverUnproven') : saslFailureReason(msg, t) };
    }
  }

  /** Sends the first AUTHENTICATE. */
  start(): void {
    this.scram = this.mechanisms.includes(SCRAM_MECHANISM) ? ScramClientExchange.start(this.login.account, this.login.password) : undefined;
    this.begin(this.scram ? SCRAM_MECHANISM : 'PLAIN');
  }

  private begin(mechanism: 'PLAIN' | typeof SCRAM_MECHANISM): void {
    this.mechanism = mechanism;
    this.incoming = '';
    this.send(`AUTHENTICATE ${mechanism}`);
  }

  /** An AUTHENTICATE line from the server: one chunk of its challenge. */
  private onAuthenticate(param: string): void {
    // Aborted already: whatever the server goes on sending is not answered.
    if (this.scramStep === 'forged') return;
    if (param !== '+') this.incoming += param;
    if (this.incoming.length > MAX_CHALLENGE_BYTES) {
      // Aborted as a forgery: no PLAIN to a server that behaves so.
      this.incoming = '';
      this.scramStep = 'forged';
      this.send('AUTHENTICATE *');
      return;
    }
    if (param.length === CHUNK) return; // more follows
    const data = this.incoming;
    this.incoming = '';
    if (this.mechanism === 'PLAIN') {
      for (const line of saslPlainLines(this.login.account, this.login.password)) this.send(line);
      return;
    }
    // A server answer this client cannot use (malformed, another nonce, too many iterations)
    // is treated as a forgery: aborted, and no PLAIN after it.
    this.scramChallenge(data).catch(() => {
      this.scramStep = 'forged';
      this.send('AUTHENTICATE *');
    });
  }

  private async scramChallenge(data: string): Promise<void> {
    const scram = this.scram!;
    if (data === '' && this.scramStep === 'first') {
      this.sendData(scram.first());
      return;
    }
    if (this.scramStep === 'first') {
      const final = await scram.final(data);
      if (final === 'malformed' || final === 'nonce' || final === 'iterations') throw new Error(final);
      this.scramStep = 'final';
      this.sendData(final);
      return;
    }
    if (this.scramStep === 'final' && scram.verify(data) === undefined) {
      this.scramStep = 'verified';
      this.send('AUTHENTICATE +');
      return;
    }
    this.scramStep = 'forged';
    this.send('AUTHENTICATE *');
  }

  private sendData(base64: string): void {
    for (let i = 0; i < base64.length; i += CHUNK) this.send(`AUTHENTICATE ${base64.slice(i, i + CHUNK)}`);
    if (base64.length % CHUNK === 0) this.send('AUTHENTICATE +');
  }

  /**
   * 904/905/906: true when the login goes on with PLAIN (a first SCRAM failure, unless the
   * server failed to prove itself); false when it has failed.
   */
  private retry(): boolean {
    if (this.mechanism !== SCRAM_MECHANISM || this.fellBack || this.scramStep === 'forged' || !this.mechanisms.includes('PLAIN')) return false;
    this.fellBack = true;
    this.begin('PLAIN');
    return true;
  }
}
