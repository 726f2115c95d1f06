// Security review of issue 15 (server.casemapping: precis): a nick that looks like a
// registered account's. The look-alike rule (lookalike-nicks.ts) compares nicks in use only,
// and the nick guard (accounts.ts guardNick) looks accounts up by the exact fold: so while an
// account's owner is away, anyone may sit on the Cyrillic twin of the account's nick
// unwarned, and the owner coming back is refused their own nick as "too like one in use".
// Marked todo until fixed (it needs accounts looked up by skeleton): see the report of the
// security review.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { addAccount, loginUser } from '../helpers/accounts.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

// "ВОЅЅ": Cyrillic ВЕ, O, DZE, DZE: shown as BOSS, the skeleton of boss.
const TWIN = '\u0412\u041e\u0405\u0405';

let t: TestServer;
before(async () => {
  t = await startServer({ server: { casemapping: 'precis' }, accounts: { nickGraceMs: 60_000 } });
  await addAccount(t, 'boss', 'correct horse battery');
});
after(async () => {
  await t.close();
});

test('the twin of a registered account nick, its owner away, is told the nick is taken', async () => {
  const squatter = await t.connect();
  try {
    squatter.send(`NICK ${TWIN}`, 'USER s 0 * :s');
    const answer = await squatter.waitFor((r) => ['001', '433'].includes(r.msg.command));
    if (answer.msg.command === '433') return;
    // Taken: at least the owner's nick guard must warn it off, as it does the exact nick.
    await squatter.waitFor((r) => r.msg.command === 'NOTICE' && /belongs to the account/.test(r.raw));
  } finally {
    // Gone from the network before the next test takes the twin again.
    squatter.send('QUIT');
    await squatter.waitClose();
  }
});

test('the owner logging in gets their nick even while a look-alike holds its twin', async () => {
  const squatter = await t.connect();
  const owner = await loginUser(t, 'bossaway', 'boss', 'correct horse battery');
  try {
    squatter.send(`NICK ${TWIN}`, 'USER s2 0 * :s');
    await squatter.waitFor('001');
    owner.send('NICK boss');
    const answer = await owner.waitFor((r) => r.msg.command === 'NICK' || r.msg.command === '433');
    assert.equal(answer.msg.command, 'NICK', `the owner was refused: ${answer.raw}`);
  } finally {
    squatter.close();
    owner.close();
  }
});
