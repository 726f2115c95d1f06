// SCRAM-SHA-256's math and messages, on both sides, against RFC 7677's example (user "user",
// password "pencil"), and SASLprep of passwords. The client's side is WebCrypto (as in the
// browser), the server's node:crypto: both must agree with the RFC and with each other.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ScramClientExchange } from '../../src/clients/scram.ts';
import { saslprep } from '../../src/protocol/saslprep.ts';
import { base64ToText, escapeSaslName, parseClientFinal, parseClientFirst, textToBase64, unescapeSaslName } from '../../src/protocol/scram-messages.ts';
import { deriveVerifier, hmac, parseVerifier, sha256 } from '../../src/server/scram-verifier.ts';

const CLIENT_NONCE = 'rOprNGfwEbeRWgbNEkqO';
const SERVER_FIRST = 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096';
const CLIENT_FINAL = 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=';
const SERVER_FINAL = 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=';

test('RFC 7677 example: the client (WebCrypto) sends the RFC’s messages and accepts the server’s proof', async () => {
  const client = ScramClientExchange.start('user', 'pencil', CLIENT_NONCE)!;
  assert.equal(base64ToText(client.first()), `n,,n=user,r=${CLIENT_NONCE}`);
  assert.equal(base64ToText(await client.final(textToBase64(SERVER_FIRST))), CLIENT_FINAL);
  assert.equal(client.verify(textToBase64(SERVER_FINAL)), undefined);
});

test('the client refuses a wrong server signature, a server-final error, a foreign nonce and too many iterations', async () => {
  const client = ScramClientExchange.start('user', 'pencil', CLIENT_NONCE)!;
  await client.final(textToBase64(SERVER_FIRST));
  assert.equal(client.verify(textToBase64('v=7rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=')), 'server-signature');
  assert.equal(client.verify(textToBase64('v=AAAA')), 'server-signature');
  assert.equal(client.verify(textToBase64('e=invalid-proof')), 'server-error');
  assert.equal(client.verify('not base64!'), 'malformed');
  const other = ScramClientExchange.start('user', 'pencil', 'anothernonce')!;
  assert.equal(await other.final(textToBase64(SERVER_FIRST)), 'nonce');
  // The server must add to the nonce, not just repeat it.
  const same = ScramClientExchange.start('user', 'pencil', CLIENT_NONCE)!;
  assert.equal(await same.final(textToBase64(`r=${CLIENT_NONCE},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096`)), 'nonce');
  const greedy = ScramClientExchange.start('user', 'pencil', CLIENT_NONCE)!;
  assert.equal(await greedy.final(textToBase64(`r=${CLIENT_NONCE}x,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1000001`)), 'iterations');
  assert.equal(await greedy.final(textToBase64('r=x,i=4096')), 'malformed');
});

test('RFC 7677 example: the server’s verifier (node:crypto PBKDF2) checks the RFC’s proof and signs as the RFC does', async () => {
  const salt = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64');
  const verifier = parseVerifier(await deriveVerifier('pencil', 4096, salt))!;
  assert.equal(verifier.iterations, 4096);
  assert.deepEqual(verifier.salt, salt);
  const final = parseClientFinal(CLIENT_FINAL)!;
  const first = parseClientFirst(`n,,n=user,r=${CLIENT_NONCE}`);
  assert.ok(typeof first !== 'string');
  const authMessage = `${first.bare},${SERVER_FIRST},${final.withoutProof}`;
  const clientKey = Buffer.from(Buffer.from(final.proof).map((b, i) => b ^ hmac(verifier.storedKey, authMessage)[i]!));
  assert.deepEqual(sha256(clientKey), verifier.storedKey);
  assert.equal(`v=${hmac(verifier.serverKey, authMessage).toString('base64')}`, SERVER_FINAL);
  // Never the password: only the format's four fields.
  assert.match((await deriveVerifier('pencil', 4096))!, /^SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
});

test('client-first parsing: gs2 header, authzid, escaped names; channel binding and m= refused', () => {
  const parsed = parseClientFirst('y,a=b=2Cc,n=b=2Cc=3D,r=abc,x=ignored');
  assert.ok(typeof parsed !== 'string');
  assert.deepEqual([parsed.gs2Header, parsed.authzid, parsed.username, parsed.nonce, parsed.bare], ['y,a=b=2Cc,', 'b,c', 'b,c=', 'abc', 'n=b=2Cc=3D,r=abc,x=ignored']);
  assert.equal(parseClientFirst('p=tls-unique,,n=user,r=abc'), 'channel-binding');
  assert.equal(parseClientFirst('n,,m=ext,n=user,r=abc'), 'extensions');
  for (const bad of ['', 'n,', 'x,,n=user,r=abc', 'n,,n=user', 'n,,r=abc,n=user', 'n,,n=us=er,r=abc', 'n,,n=,r=abc', 'n,,n=user,r=a,b', 'n,,n=user,r=a\0']) {
    assert.equal(parseClientFirst(bad), 'malformed', bad);
  }
  assert.equal(escapeSaslName('a,b=c'), 'a=2Cb=3Dc');
  assert.equal(unescapeSaslName('a=2Cb=3Dc'), 'a,b=c');
  assert.equal(unescapeSaslName('a=2'), undefined);
});

test('SASLprep: spaces mapped, soft hyphens dropped, NFKC; controls, private use and direction marks refused', () => {
  assert.equal(saslprep('I\u00ADX'), 'IX'); // RFC 4013 §3 examples
  assert.equal(saslprep('user'), 'user');
  assert.equal(saslprep('USER'), 'USER');
  assert.equal(saslprep('\u00AA'), 'a');
  assert.equal(saslprep('\u2168'), 'IX');
  assert.equal(saslprep('\u0007'), undefined);
  assert.equal(saslprep('a\u00A0b\u3000c'), 'a b c');
  assert.equal(saslprep('ﬁ密码🔑'), 'fi密码🔑');
  assert.equal(saslprep('\u00AD'), undefined); // nothing left
  assert.equal(saslprep('pass\uE000'), undefined);
  assert.equal(saslprep('pass\u200Eword'), undefined);
  assert.equal(saslprep('pass\uD800'), undefined);
});
