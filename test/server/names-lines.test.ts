// NAMES of a room spread over several 353 lines (commands/names-lines.ts writes them as text):
// every member once, with the right prefix (the highest, or all with multi-prefix; masks with
// userhost-in-names), each line within 512 bytes and as full as the next name allows.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { joinAll, until } from '../helpers/irc.ts';
import type { RawClient, Received } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const ROOM = '#names';
const MEMBERS = 45;
const nickOf = (i: number): string => `member_with_a_long_nick_${String(i).padStart(2, '0')}`;

async function namesOf(c: RawClient): Promise<Received[]> {
  c.send(`NAMES ${ROOM}`);
  const lines = await until(c, (r) => r.msg.command === '366');
  return lines.filter((r) => r.msg.command === '353');
}

describe('NAMES over several lines', () => {
  let t: TestServer;
  const clients: RawClient[] = [];
  before(async () => {
    t = await startServer({ limits: { nickLength: 30 } });
    for (let i = 0; i < MEMBERS; i++) clients.push(await t.register(nickOf(i)));
    await joinAll(ROOM, ...clients);
    // The first member founded the room (@); voice every third, and op-and-voice member 3.
    const op = clients[0]!;
    for (let i = 3; i < MEMBERS; i += 3) op.send(`MODE ${ROOM} +v ${nickOf(i)}`);
    op.send(`MODE ${ROOM} +o ${nickOf(3)}`);
    await until(op, (r) => r.msg.command === 'MODE' && r.msg.params.join(' ') === `${ROOM} +o ${nickOf(3)}`);
  });
  after(() => t.close());

  test('every member once with its highest prefix; lines within 512 bytes, each as full as the next name allows', async () => {
    const lines = await namesOf(clients[1]!);
    assert.ok(lines.length >= 3, `${lines.length} lines`);
    const entries = lines.flatMap((r) => r.msg.params[3]!.split(' '));
    const expected = clients.map((_, i) => (i === 0 || i === 3 ? '@' : i % 3 === 0 ? '+' : '') + nickOf(i));
    assert.deepEqual([...entries].sort(), [...expected].sort());
    for (const [k, r] of lines.entries()) {
      assert.deepEqual(r.msg.params.slice(0, 3), [nickOf(1), '=', ROOM]);
      assert.ok(Buffer.byteLength(r.raw) + 2 <= 512, r.raw);
      const next = lines[k + 1]?.msg.params[3]!.split(' ')[0];
      if (next !== undefined) assert.ok(Buffer.byteLength(`${r.raw} ${next}`) + 2 > 512, `line ${k} had room for ${next}`);
    }
  });

  test('multi-prefix gives every prefix, userhost-in-names every mask', async () => {
    const viewer = await t.register('viewer', ['multi-prefix', 'userhost-in-names']);
    const lines = await namesOf(viewer);
    const entries = lines.flatMap((r) => r.msg.params[3]!.split(' '));
    assert.equal(entries.length, MEMBERS);
    assert.ok(entries.some((e) => e.startsWith(`@+${nickOf(3)}!`)), entries.join(' '));
    assert.ok(entries.some((e) => e.startsWith(`+${nickOf(6)}!`)));
    assert.ok(entries.every((e) => /^[@+]*member_with_a_long_nick_\d\d![^@ ]+@\S+$/.test(e)), entries.join(' '));
    for (const r of lines) assert.ok(Buffer.byteLength(r.raw) + 2 <= 512, r.raw);
  });
});
