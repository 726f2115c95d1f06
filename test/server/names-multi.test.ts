// NAMES with several rooms (Modern IRC): each room its 353 lines and its 366, in the order
// asked; an unknown room (or a secret one the asker is not in) just its 366; at most
// limits.namesTargets rooms, as ISUPPORT TARGMAX says, more refused with 407.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { joinAll, settle, until } from '../helpers/irc.ts';
import type { RawClient } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

describe('NAMES with several rooms', () => {
  let t: TestServer;
  let alice: RawClient;
  let bob: RawClient;
  let carol: RawClient;

  before(async () => {
    t = await startServer({ limits: { namesTargets: 3 } });
    alice = await t.register('alice');
    bob = await t.register('bob');
    carol = await t.register('carol');
    await joinAll('#a', alice, bob);
    await joinAll('#b', bob);
    await joinAll('#secret', carol);
    carol.send('MODE #secret +s');
    await carol.waitFor('MODE');
    await settle(carol);
  });
  after(() => t.close());

  test('ISUPPORT TARGMAX says how many rooms NAMES takes', async () => {
    const c = await t.connect();
    c.send('NICK isup', 'USER isup 0 * :I');
    const lines = await until(c, (r) => r.msg.command === '376' || r.msg.command === '422');
    const tokens = lines.filter((r) => r.msg.command === '005').flatMap((r) => r.msg.params.slice(1, -1));
    const targmax = tokens.find((tok) => tok.startsWith('TARGMAX='));
    assert.ok(targmax?.split(',').includes('NAMES:3'), targmax);
  });

  test('NAMES #a,#nowhere,#b: 353s and 366 of #a, 366 of #nowhere, 353s and 366 of #b', async () => {
    alice.send('NAMES #a,#nowhere,#b');
    const lines = await until(alice, (r) => r.msg.command === '366' && r.msg.params[1] === '#b');
    assert.deepEqual(
      lines.map((r) => [r.msg.command, ...r.msg.params]),
      [
        ['353', 'alice', '=', '#a', '@alice bob'],
        ['366', 'alice', '#a', 'End of /NAMES list'],
        ['366', 'alice', '#nowhere', 'End of /NAMES list'],
        ['353', 'alice', '=', '#b', '@bob'],
        ['366', 'alice', '#b', 'End of /NAMES list'],
      ],
    );
  });

  test('a secret room the asker is not in gives only its 366', async () => {
    alice.send('NAMES #secret,#b');
    const lines = await until(alice, (r) => r.msg.command === '366' && r.msg.params[1] === '#b');
    assert.deepEqual(
      lines.map((r) => [r.msg.command, r.msg.params[1], r.msg.params[2]]),
      [
        ['366', '#secret', 'End of /NAMES list'],
        ['353', '=', '#b'],
        ['366', '#b', 'End of /NAMES list'],
      ],
    );
  });

  test('empty items are skipped; more rooms than TARGMAX allows are refused with 407', async () => {
    alice.send('NAMES #a,,#b,');
    const ok = await until(alice, (r) => r.msg.command === '366' && r.msg.params[1] === '#b');
    assert.deepEqual(ok.filter((r) => r.msg.command === '366').map((r) => r.msg.params[1]), ['#a', '#b']);

    alice.send('NAMES #a,#b,#c,#d');
    const refused = await alice.waitFor((r) => r.msg.command === '407' || r.msg.command === '353' || r.msg.command === '366');
    assert.deepEqual(refused.msg.params, ['alice', '#d', 'Too many targets']);
  });
});
