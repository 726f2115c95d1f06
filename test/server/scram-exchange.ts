// Driving SASL SCRAM-SHA-256 by hand over a RawClient, with the client core's math
// (src/clients/scram.ts) for the proofs: the steps apart, so that tests can change any of them.
import assert from 'node:assert/strict';
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { ScramClientExchange } from '../../src/clients/scram.ts';
import { base64ToText, textToBase64 } from '../../src/protocol/scram-messages.ts';
import type { RawClient, Received } from '../helpers/raw-client.ts';
import type { TestServer } from '../helpers/server.ts';

const isCapAck = (r: Received): boolean => r.msg.command === 'CAP' && r.msg.params[1] === 'ACK';

/** Connects with CAP LS 302 and sasl, NICK and USER sent; registration held. */
export async function connectSasl(t: TestServer, nick: string): Promise<RawClient> {
  const c = await t.connect();
  c.send('CAP LS 302', `NICK ${nick}`, `USER ${nick} 0 * :${nick} Test`, 'CAP REQ sasl');
  await c.waitFor(isCapAck);
  return c;
}

/** Sends base64 `payload` in AUTHENTICATE chunks of 400, `+` after a full last one. */
export function sendChunks(c: RawClient, payload: string): void {
  const lines: string[] = [];
  for (let i = 0; i < payload.length; i += 400) lines.push(`AUTHENTICATE ${payload.slice(i, i + 400)}`);
  if (payload.length % 400 === 0) lines.push('AUTHENTICATE +');
  c.send(...lines);
}

/**
 * The server's next challenge, its AUTHENTICATE chunks joined (base64), or the SASL numeric
 * that came instead (904, 906…), as `numeric:<code> <text>`.
 */
export async function challenge(c: RawClient): Promise<string> {
  let data = '';
  for (;;) {
    const r = await c.waitFor((r) => r.msg.command === 'AUTHENTICATE' || /^90[2-8]$/.test(r.msg.command));
    if (r.msg.command !== 'AUTHENTICATE') return `numeric:${r.msg.command} ${r.msg.params.at(-1)}`;
    const chunk = r.msg.params[0]!;
    if (chunk !== '+') data += chunk;
    if (chunk.length < 400) return data;
  }
}

export interface ScramRun {
  /** server-first-message, as text (undefined if the server answered the first message with a numeric). */
  serverFirst: string | undefined;
  /** What came after the client-final: the server-final's text, or `numeric:…`. */
  afterFinal: string;
  client: ScramClientExchange;
}

/** Runs the exchange up to the server's answer to the client-final message (which is not yet acknowledged). */
export async function scramUpToFinal(
  c: RawClient,
  account: string,
  password: string,
  options: { nonce?: string; firstMessage?: (base64: string) => string; finalMessage?: (base64: string) => string } = {},
): Promise<ScramRun> {
  const client = ScramClientExchange.start(account, password, options.nonce)!;
  c.send('AUTHENTICATE SCRAM-SHA-256');
  assert.equal(await challenge(c), '');
  sendChunks(c, options.firstMessage ? options.firstMessage(client.first()) : client.first());
  const first = await challenge(c);
  if (first.startsWith('numeric:')) return { serverFirst: undefined, afterFinal: first, client };
  const final = await client.final(first);
  assert.ok(!['malformed', 'nonce', 'iterations'].includes(final), `client-final: ${final}`);
  sendChunks(c, options.finalMessage ? options.finalMessage(final) : final);
  const after = await challenge(c);
  return { serverFirst: base64ToText(first), afterFinal: after.startsWith('numeric:') ? after : (base64ToText(after) ?? after), client };
}

/** A whole successful SCRAM login; resolves with the 900 line's account. */
export async function scramLogin(c: RawClient, account: string, password: string): Promise<string> {
  const run = await scramUpToFinal(c, account, password);
  assert.match(run.afterFinal, /^v=/, `server-final for ${account}`);
  assert.equal(run.client.verify(textToBase64(run.afterFinal)), undefined, 'the server proved it knows the password');
  c.send('AUTHENTICATE +');
  const loggedIn = await c.waitFor('900');
  await c.waitFor('903');
  return loggedIn.msg.params[2]!;
}

/** A SASL PLAIN login. */
export async function plainLogin(c: RawClient, account: string, password: string): Promise<string> {
  c.send('AUTHENTICATE PLAIN');
  assert.equal(await challenge(c), '');
  sendChunks(c, Buffer.from(`\0${account}\0${password}`, 'utf8').toString('base64'));
  const r = await c.waitFor((r) => r.msg.command === '903' || r.msg.command === '904');
  return r.msg.command;
}

/** Resolves once `check` holds, asking again each turn of the timers; fails after `timeoutMs`. */
export async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * A client-final computed here with node:crypto for any gs2 header (the client core always
 * sends `n,,`): for the header `y,,`, which the server must accept and see repeated in c=.
 */
export function clientFinalFor(password: string, clientFirstBare: string, serverFirst: string, gs2Header: string): string {
  const attrs = Object.fromEntries(serverFirst.split(',').map((a) => [a[0], a.slice(2)]));
  const salted = pbkdf2Sync(password, Buffer.from(attrs.s!, 'base64'), Number(attrs.i), 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const withoutProof = `c=${Buffer.from(gs2Header).toString('base64')},r=${attrs.r}`;
  const signature = createHmac('sha256', storedKey).update(`${clientFirstBare},${serverFirst},${withoutProof}`).digest();
  const proof = clientKey.map((b, i) => b ^ signature[i]!);
  return textToBase64(`${withoutProof},p=${Buffer.from(proof).toString('base64')}`);
}
