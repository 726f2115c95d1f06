// The client's SASL login against a hostile or broken server, message by message: a server
// asking for too few or too many PBKDF2 iterations, or sending an endless challenge, is
// aborted (`AUTHENTICATE *`) and never sent the password in PLAIN; and challenges of exactly
// 400 bytes (a full chunk, then `+`) are read whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_CHALLENGE_BYTES, SaslLoginExchange } from '../../src/clients/sasl-login.ts';
import { createTranslator } from '../../src/i18n/i18n.ts';
import { parseLine } from '../../src/protocol/message.ts';
import { base64ToText, textToBase64 } from '../../src/protocol/scram-messages.ts';

const { t } = createTranslator('en');

/** What the client has sent, and a way to wait for its next line. */
type SentLines = string[] & { onLine?: () => void };

function login(): { exchange: SaslLoginExchange; sent: SentLines; reply: (line: string) => ReturnType<SaslLoginExchange['onReply']> } {
  const sent: SentLines = [];
  const exchange = new SaslLoginExchange({ account: 'alice', password: 'a good password' }, ['PLAIN', 'SCRAM-SHA-256'], (line) => {
    sent.push(line);
    sent.onLine?.();
  });
  exchange.start();
  return { exchange, sent, reply: (line) => exchange.onReply(parseLine(line), t) };
}

/** The client nonce of the client-first the client sent (its last AUTHENTICATE lines). */
function clientNonce(sent: string[]): string {
  const first = base64ToText(sent.at(-1)!.slice('AUTHENTICATE '.length))!;
  return /,r=([^,]+)/.exec(first)![1]!;
}

/**
 * Waits until the client has sent `count` lines: its SCRAM math runs on the thread pool, which
 * a busy machine may keep for a while, so this waits for the send itself (the test's timeout
 * bounds it), never for a number of turns of the event loop.
 */
async function sentAtLeast(sent: SentLines, count: number): Promise<void> {
  while (sent.length < count) await new Promise<void>((resolve) => { sent.onLine = resolve; });
  sent.onLine = undefined;
}

for (const [what, iterations] of [
  ['too few iterations (an impostor wanting a cheap proof)', 1],
  ['fewer than RFC 7677’s 4096', 4095],
  ['too many iterations (minutes of work)', 1_000_001],
] as const) {
  test(`a server-first with ${what} is aborted, and no PLAIN follows the 904`, async () => {
    const { sent, reply } = login();
    assert.deepEqual(sent, ['AUTHENTICATE SCRAM-SHA-256']);
    reply('AUTHENTICATE +');
    const nonce = clientNonce(sent);
    reply(`AUTHENTICATE ${textToBase64(`r=${nonce}server,s=c2FsdHNhbHRzYWx0,i=${iterations}`)}`);
    await sentAtLeast(sent, 3);
    assert.equal(sent[2], 'AUTHENTICATE *');
    const outcome = reply(':server 906 alice :SASL authentication aborted');
    assert.deepEqual(outcome, { reason: t('client.session.serverUnproven') });
    assert.ok(!sent.includes('AUTHENTICATE PLAIN'), sent.join(' | '));
  });
}

test('4096 iterations, the least RFC 7677 allows, are computed', async () => {
  const { sent, reply } = login();
  reply('AUTHENTICATE +');
  reply(`AUTHENTICATE ${textToBase64(`r=${clientNonce(sent)}server,s=c2FsdHNhbHRzYWx0,i=4096`)}`);
  await sentAtLeast(sent, 3);
  assert.match(base64ToText(sent[2]!.slice('AUTHENTICATE '.length))!, /^c=biws,r=.+,p=/);
});

test('a challenge that never ends (full chunks for ever) is aborted once, then ignored; no PLAIN', () => {
  const { sent, reply } = login();
  const chunk = 'A'.repeat(400);
  for (let i = 0; i < (MAX_CHALLENGE_BYTES / 400) * 3; i++) reply(`AUTHENTICATE ${chunk}`);
  assert.deepEqual(sent, ['AUTHENTICATE SCRAM-SHA-256', 'AUTHENTICATE *']);
  reply(':server 906 alice :SASL authentication aborted');
  assert.ok(!sent.includes('AUTHENTICATE PLAIN'));
});

test('a server-first of exactly 400 bytes arrives as a full chunk and `+`, and is answered once whole', async () => {
  const { sent, reply } = login();
  reply('AUTHENTICATE +');
  const nonce = clientNonce(sent);
  // Pads the server's part of the nonce until the message's base64 is exactly 400 bytes.
  let serverFirst = '';
  for (let pad = 0; textToBase64(serverFirst).length !== 400; pad++) serverFirst = `r=${nonce}${'x'.repeat(pad)},s=c2FsdHNhbHRzYWx0,i=4096`;
  const payload = textToBase64(serverFirst);
  reply(`AUTHENTICATE ${payload}`);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(sent.length, 2, 'a full chunk: the client waits for more');
  reply('AUTHENTICATE +');
  await sentAtLeast(sent, 3);
  const final = base64ToText(sent.slice(2).map((l) => l.slice('AUTHENTICATE '.length)).join(''))!;
  assert.ok(final.startsWith(`c=biws,r=${nonce}x`), final);
});
