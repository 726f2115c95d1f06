// The ReDoS attack of issue 12 over real sockets: masks built to make a backtracking matcher
// run for minutes (WHO, a room ban checked on JOIN) must be answered at once while two other
// users go on chatting. The deadline is generous for a loaded CI box; the old matcher took
// 23 s for a 22-byte WHO mask and minutes for the 512-byte ones used here.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { is, joinAll } from '../helpers/irc.ts';
import type { RawClient } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const DEADLINE_MS = 2000;
let t: TestServer;
let alice: RawClient;
let bob: RawClient;

before(async () => {
  t = await startServer();
  alice = await t.register('alice');
  bob = await t.register('bob');
  await joinAll('#lobby', alice, bob);
});
after(() => t.close());

/** alice says a line in #lobby and bob must get it: the server is not frozen. */
async function chatGoesOn(text: string): Promise<void> {
  alice.send(`PRIVMSG #lobby :${text}`);
  await bob.waitFor(is('PRIVMSG', '#lobby', text), DEADLINE_MS);
}

// Masks that a backtracking matcher needs exponential time for. They ask for fewer letters than
// the subject has (a longer mask would be cut short by the engine's minimum-length check).
const WORST_MASKS = [
  '*a'.repeat(12) + '*b', // 26 bytes: minutes for the old matcher
  ('*'.repeat(20) + 'a').repeat(24) + '*b', // a 512-byte line's worth of stars
];

for (const mask of WORST_MASKS) {
  test(`WHO with a ${mask.length}-byte mask of stars is answered at once while others chat`, async (ctx) => {
    const victim = await t.connect();
    const nick = `a${'a'.repeat(20)}${mask.length}`;
    victim.send(`NICK ${nick}`, `USER aaaaaaaaaa 0 * :${'a'.repeat(100)}`);
    await victim.waitFor(is('376'));
    const attacker = await t.register(`mallory${mask.length}`);
    assert.ok(Buffer.byteLength(`WHO ${mask}\r\n`) <= 512);
    const started = performance.now();
    attacker.send(`WHO ${mask}`);
    await chatGoesOn(`still here ${mask.length}`);
    await attacker.waitFor(is('315'), DEADLINE_MS);
    ctx.diagnostic(`WHO answered in ${(performance.now() - started).toFixed(1)} ms`);
  });
}

test('a room ban of *a*a…*b checked against a long nick!user on JOIN is answered at once', async (ctx) => {
  const op = await t.register('opal');
  op.send('JOIN #trap');
  await op.waitFor(is('366', 'opal', '#trap'));
  const ban = '*a'.repeat(12) + '*b';
  op.send(`MODE #trap +b ${ban}`);
  const set = await op.waitFor((r) => r.msg.command === 'MODE' && r.msg.params[1] === '+b');
  assert.equal(set.msg.params[2], `${ban}!*@*`);
  const long = 'a'.repeat(30);
  const joiner = await t.connect();
  joiner.send(`NICK ${long}`, `USER ${'a'.repeat(18)} 0 * :x`);
  await joiner.waitFor(is('376'));
  const started = performance.now();
  joiner.send('JOIN #trap');
  await chatGoesOn('still here after the ban check');
  await joiner.waitFor(is('366', long, '#trap'), DEADLINE_MS);
  ctx.diagnostic(`JOIN checked against the ban in ${(performance.now() - started).toFixed(1)} ms`);
});
