// CR, LF and NUL from outside IRC that the serializer never sees: a connection's last lines
// (465 and ERROR for a banned client) are written as text, so a ban reason saved by an older
// version (whose admin API did not clean it) must be made one line; and the network name
// from the config goes into 001 and ISUPPORT, so it may hold no control character.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/server/config.ts';
import { MemoryStore } from '../../src/storage/memory-store.ts';
import { RawClient } from '../helpers/raw-client.ts';
import { startServer } from '../helpers/server.ts';

const FORGED = ':evil!e@e PRIVMSG victim :forged';

test('a stored ban reason holding CR LF reaches a banned client as one 465 and one ERROR, nothing forged', async () => {
  const store = new MemoryStore();
  await store.saveBan({ list: 'ban', kind: 'cidr', mask: '127.0.0.7', reason: `spam\r\n${FORGED}\nand more`, setBy: 'console', setAt: Date.now() });
  const t = await startServer({ connections: { exempt: [] } }, { store });
  try {
    // Refused as it connects: the lines go out with the close.
    const c = await RawClient.connect(t.port, '127.0.0.1', '127.0.0.7');
    t.clients.push(c);
    await c.waitClose();
    const lines = c.received.map((r) => r.raw);
    assert.ok(lines.every((l) => !l.startsWith(':evil!') && !l.includes('\0')), `forged: ${JSON.stringify(lines)}`);
    assert.deepEqual(
      lines.map((l) => l.split(' ')[l.startsWith(':') ? 1 : 0]),
      ['465', 'ERROR'],
    );
    assert.match(lines[0]!, / 465 \* :You are banned from this server: spam :evil!e@e PRIVMSG victim :forged and more$/);
    // A client from elsewhere chats on; STATS-like listings see the reason on one line too.
    const ok = await t.register('bystander');
    ok.send('PING :still-up');
    await ok.waitFor((r) => r.msg.command === 'PONG');
    assert.equal(t.server.admin.list('ban')[0]!.reason, `spam ${FORGED} and more`);
  } finally {
    await t.close();
  }
});

test('the network name may hold no control character: NUL, ESC and the like are refused with the config', () => {
  for (const bad of ['Par\0lor', 'Par\x1b[2Jlor', 'Par\x7flor', 'Par\u0085lor']) {
    assert.throws(() => parseConfig({ server: { network: bad } }), /no spaces or control characters/, JSON.stringify(bad));
  }
  assert.equal(parseConfig({ server: { network: 'Parlör-Net' } }).server.network, 'Parlör-Net');
  assert.equal(parseConfig({}).server.network, 'Parlor');
});
