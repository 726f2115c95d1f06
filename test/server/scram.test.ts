// SASL SCRAM-SHA-256 over real sockets, byte by byte: the whole exchange, a wrong password,
// unknown accounts answered as real ones, nonces and channel binding checked, chunks both
// ways, aborting, the login throttle, and accounts from before SCRAM getting their verifier
// at their next PLAIN login.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { base64ToText, textToBase64 } from '../../src/protocol/scram-messages.ts';
import { parseVerifier } from '../../src/server/scram-verifier.ts';
import { MemoryStore } from '../../src/storage/memory-store.ts';
import { addAccount, TEST_PASSWORD_COST } from '../helpers/accounts.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { challenge, clientFinalFor, connectSasl, eventually, plainLogin, scramLogin, scramUpToFinal, sendChunks } from './scram-exchange.ts';

const FAILED = 'numeric:904 SASL authentication failed';

/** Creates `name` with REGISTER, as a user would: its SCRAM verifier is made with it. */
async function registerAccount(t: TestServer, name: string, password: string): Promise<void> {
  const c = await t.register(name, ['draft/account-registration']);
  c.send(`REGISTER * * :${password}`);
  await c.waitFor((r) => r.msg.command === 'REGISTER' && r.msg.params[0] === 'SUCCESS');
  c.send('QUIT');
  await c.waitClose();
}

describe('SASL SCRAM-SHA-256', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({ accounts: { passwordCost: TEST_PASSWORD_COST } }, { store: new MemoryStore() });
    await registerAccount(t, 'scarlet', 'correct horse');
    await registerAccount(t, 'slowpoke', 'battery staple');
  });
  after(() => t.close());

  test('REGISTER keeps a verifier (iterations, salt, StoredKey, ServerKey), never the password', async () => {
    const account = await t.server.store.getAccount('scarlet');
    const verifier = parseVerifier(account?.scram);
    assert.ok(verifier, account?.scram);
    assert.equal(verifier.iterations, 4096);
    assert.ok(!account!.scram!.includes(textToBase64('correct horse')) && !account!.scram!.includes('correct horse'));
  });

  test('the whole exchange: server-first extends the nonce, server-final proves the server, then 900 and 903', async () => {
    const c = await connectSasl(t, 'scarlet');
    const run = await scramUpToFinal(c, 'scarlet', 'correct horse', { nonce: 'clientnonce123' });
    const [r, s, i] = run.serverFirst!.split(',') as [string, string, string];
    assert.ok(r.startsWith('r=clientnonce123') && r.length > 'r=clientnonce123'.length + 16, r);
    assert.equal(Buffer.from(s.slice(2), 'base64').length, 16);
    assert.equal(i, 'i=4096');
    assert.match(run.afterFinal, /^v=/);
    assert.equal(run.client.verify(textToBase64(run.afterFinal)), undefined);
    c.send('AUTHENTICATE +');
    assert.equal((await c.waitFor('900')).msg.params[2], 'scarlet');
    assert.equal((await c.waitFor('903')).msg.params.at(-1), 'SASL authentication successful');
    c.send('CAP END');
    await c.waitFor('001');
    assert.equal(t.server.network.userByNick('scarlet')?.account, 'scarlet');
  });

  test('a wrong password: 904 after the proof, no server-final, not logged in; the exchange can start again', async () => {
    const c = await connectSasl(t, 'wrongpass');
    const run = await scramUpToFinal(c, 'scarlet', 'wrong horse');
    assert.equal(run.afterFinal, FAILED);
    assert.ok(!c.received.some((r) => r.msg.command === '900'));
    assert.equal(await scramLogin(c, 'scarlet', 'correct horse'), 'scarlet');
  });

  test('an unknown account and an account without a verifier are answered exactly as a wrong password', async () => {
    await addAccount(t, 'legacyuser', 'old password'); // scrypt hash only, as before SCRAM
    const c = await connectSasl(t, 'prober');
    const shape = (serverFirst: string | undefined): string => serverFirst!.replace(/^r=[^,]+,s=[A-Za-z0-9+/]{22}==,/, 'r=…,s=…,');
    const salt = (serverFirst: string | undefined): string => serverFirst!.split(',')[1]!;
    const real = await scramUpToFinal(c, 'scarlet', 'guess');
    const unknown = await scramUpToFinal(c, 'nobodyhere', 'guess');
    const unknownAgain = await scramUpToFinal(c, 'NobodyHere', 'guess 2');
    const legacy = await scramUpToFinal(c, 'legacyuser', 'old password');
    for (const run of [real, unknown, unknownAgain, legacy]) {
      assert.equal(shape(run.serverFirst), 'r=…,s=…,i=4096');
      assert.equal(run.afterFinal, FAILED);
    }
    // A made-up salt that stays the same, as a real one does (case-folded names alike).
    assert.equal(salt(unknown.serverFirst), salt(unknownAgain.serverFirst));
    assert.notEqual(salt(unknown.serverFirst), salt(legacy.serverFirst));
    assert.equal(salt((await scramUpToFinal(c, 'scarlet', 'guess 3')).serverFirst), salt(real.serverFirst));
  });

  test('a client-final with another nonce, or another channel binding, fails', async () => {
    const c = await connectSasl(t, 'noncer');
    const swapNonce = (b64: string): string => textToBase64(base64ToText(b64)!.replace(/,r=([^,]+)/, (_m, n: string) => `,r=${n}x`));
    assert.equal((await scramUpToFinal(c, 'scarlet', 'correct horse', { finalMessage: swapNonce })).afterFinal, FAILED);
    const swapBinding = (b64: string): string => textToBase64(base64ToText(b64)!.replace(/^c=biws/, `c=${textToBase64('y,,')}`));
    assert.equal((await scramUpToFinal(c, 'scarlet', 'correct horse', { finalMessage: swapBinding })).afterFinal, FAILED);
    assert.ok(!c.received.some((r) => r.msg.command === '900'));
  });

  test('channel binding (p=) is refused at once; y (client could bind, server does not) works when c= repeats it', async () => {
    const c = await connectSasl(t, 'binder');
    const bind = (b64: string): string => textToBase64(base64ToText(b64)!.replace(/^n,,/, 'p=tls-unique,,'));
    const bound = await scramUpToFinal(c, 'scarlet', 'correct horse', { firstMessage: bind });
    assert.equal(bound.serverFirst, undefined);
    assert.equal(bound.afterFinal, FAILED);
    // y,, with c=biws (which is n,,): the header not repeated.
    const y = (b64: string): string => textToBase64(base64ToText(b64)!.replace(/^n,,/, 'y,,'));
    assert.equal((await scramUpToFinal(c, 'scarlet', 'correct horse', { firstMessage: y })).afterFinal, FAILED);
    // y,, repeated in c= (eSws), the proof made over it.
    c.send('AUTHENTICATE SCRAM-SHA-256');
    assert.equal(await challenge(c), '');
    const bare = 'n=scarlet,r=whynot';
    sendChunks(c, textToBase64(`y,,${bare}`));
    const serverFirst = base64ToText(await challenge(c))!;
    sendChunks(c, clientFinalFor('correct horse', bare, serverFirst, 'y,,'));
    assert.match(base64ToText(await challenge(c))!, /^v=/);
    c.send('AUTHENTICATE +');
    await c.waitFor('903');
  });

  test('long messages go in 400-byte chunks both ways', async () => {
    const c = await connectSasl(t, 'chunky');
    const nonce = 'N'.repeat(450);
    const mark = c.received.length;
    const run = await scramUpToFinal(c, 'scarlet', 'correct horse', { nonce });
    const serverChunks = c.since(mark).filter((r) => r.msg.command === 'AUTHENTICATE');
    assert.equal(serverChunks[1]!.msg.params[0]!.length, 400, 'server-first: a full first chunk');
    assert.ok(run.serverFirst!.startsWith(`r=${nonce}`));
    assert.match(run.afterFinal, /^v=/);
    c.send('AUTHENTICATE +');
    await c.waitFor('903');
  });

  test('AUTHENTICATE * aborts the exchange (906); PLAIN then works on the same connection', async () => {
    const c = await connectSasl(t, 'aborter');
    c.send('AUTHENTICATE SCRAM-SHA-256');
    assert.equal(await challenge(c), '');
    c.send('AUTHENTICATE *');
    assert.equal((await c.waitFor('906')).msg.params.at(-1), 'SASL authentication aborted');
    assert.equal(await plainLogin(c, 'scarlet', 'correct horse'), '903');
  });

  test('malformed messages fail: not base64, not SCRAM, an empty first message, data after server-final', async () => {
    const c = await connectSasl(t, 'garbler');
    for (const first of ['!!!', textToBase64('hello'), '+']) {
      c.send('AUTHENTICATE SCRAM-SHA-256');
      assert.equal(await challenge(c), '');
      c.send(`AUTHENTICATE ${first}`);
      assert.equal(await challenge(c), FAILED, first);
    }
    const run = await scramUpToFinal(c, 'scarlet', 'correct horse');
    assert.match(run.afterFinal, /^v=/);
    sendChunks(c, textToBase64('more'));
    assert.equal(await challenge(c), FAILED);
    assert.ok(!c.received.some((r) => r.msg.command === '900'));
  });

  test('an account without a verifier gets one at its next PLAIN login; then SCRAM works', async () => {
    await addAccount(t, 'oldtimer', 'from before scram');
    assert.equal((await t.server.store.getAccount('oldtimer'))?.scram, undefined);
    const c = await connectSasl(t, 'oldtimer');
    assert.equal((await scramUpToFinal(c, 'oldtimer', 'from before scram')).afterFinal, FAILED);
    assert.equal(await plainLogin(c, 'oldtimer', 'from before scram'), '903');
    await eventually(async () => (await t.server.store.getAccount('oldtimer'))?.scram !== undefined, 'the verifier saved');
    const d = await connectSasl(t, 'oldtimer2');
    assert.equal(await scramLogin(d, 'oldtimer', 'from before scram'), 'oldtimer');
    // A wrong PLAIN password gives nothing.
    await addAccount(t, 'oldtimer3', 'from before scram');
    const e = await connectSasl(t, 'oldtimer3');
    assert.equal(await plainLogin(e, 'oldtimer3', 'not it'), '904');
    await e.sync();
    assert.equal((await t.server.store.getAccount('oldtimer3'))?.scram, undefined);
  });

  test('a suspended account fails with the right proof, as PLAIN does', async () => {
    await t.server.store.updateAccount('slowpoke', { suspended: true });
    const c = await connectSasl(t, 'slowpoke');
    assert.equal((await scramUpToFinal(c, 'slowpoke', 'battery staple')).afterFinal, FAILED);
    await t.server.store.updateAccount('slowpoke', { suspended: false });
    assert.equal(await scramLogin(c, 'slowpoke', 'battery staple'), 'slowpoke');
  });
});

describe('SCRAM and the login throttle', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({ accounts: { passwordCost: TEST_PASSWORD_COST }, auth: { maxFailuresPerAccount: 2, maxFailuresPerAddress: 100 } }, { store: new MemoryStore() });
    await registerAccount(t, 'guarded', 'the real one');
  });
  after(() => t.close());

  test('wrong SCRAM proofs count as failed logins: the account is locked, even for the right password', async () => {
    const c = await connectSasl(t, 'guesser');
    for (const guess of ['guess one', 'guess two']) assert.equal((await scramUpToFinal(c, 'guarded', guess)).afterFinal, FAILED);
    const locked = await scramUpToFinal(c, 'guarded', 'the real one');
    assert.equal(locked.serverFirst, undefined, 'refused before any challenge');
    assert.match(locked.afterFinal, /^numeric:904 SASL authentication failed: Too many failed logins for this name; try again in/);
  });
});
