// MODE changes with long arguments, over real sockets: a ban mask longer than
// limits.banMaskBytes is refused with 696; a change whose masks together pass 512 bytes is
// relayed (and echoed) as several MODE lines, every mask whole; the ban list fits too.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { until } from '../helpers/irc.ts';
import type { Received } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');
const fitsLine = (r: Received): void => assert.ok(bytes(r.raw) + 2 <= 512, `${bytes(r.raw) + 2} bytes: ${r.raw.slice(0, 80)}…`);
const SETTER = 'setter-with-a-thirty-char-nick'; // 30 characters

let t: TestServer;
before(async () => {
  t = await startServer();
});
after(() => t.close());

test('a ban mask over limits.banMaskBytes (200) gets 696 and is not set', async () => {
  const op = await t.register('maskop');
  op.send('JOIN #masks');
  await op.waitFor('366');
  op.send(`MODE #masks +b ${'x'.repeat(197)}!*@*`);
  const refusal = await op.waitFor('696');
  assert.deepEqual(refusal.msg.params.slice(1, 4), ['#masks', 'b', '*']);
  op.send('MODE #masks +b');
  const end = await op.waitFor('368');
  assert.ok(!op.received.slice(op.received.indexOf(refusal), op.received.indexOf(end)).some((r) => r.msg.command === '367'), 'no ban set');
  // Exactly 200 bytes is taken.
  op.send(`MODE #masks +b ${'y'.repeat(196)}!*@*`);
  const set = await op.waitFor('MODE');
  assert.equal(set.msg.params[2], `${'y'.repeat(196)}!*@*`);
});

test('+bbb of long masks by a long nick: several MODE lines within 512 bytes, every mask whole', async () => {
  const op = await t.register(SETTER, ['echo-message']);
  const member = await t.register('member');
  op.send('JOIN #longbans');
  await op.waitFor('366');
  member.send('JOIN #longbans');
  await member.waitFor('366');
  const masks = ['a', 'b', 'c'].map((l) => `${l.repeat(150)}!*@*`); // the command fits 512 bytes, its relay with the long mask does not
  op.send(`MODE #longbans +bbb ${masks.join(' ')}`);
  const relayed = await until(member, (r) => r.msg.command === 'MODE' && r.msg.params.includes(masks[2]!));
  const modeLines = relayed.filter((r) => r.msg.command === 'MODE');
  assert.ok(modeLines.length > 1, 'split over several lines');
  for (const r of modeLines) fitsLine(r);
  assert.deepEqual(modeLines.flatMap((r) => r.msg.params.slice(2)), masks);
  assert.deepEqual(modeLines.map((r) => r.msg.params[1]), modeLines.map((r) => '+' + 'b'.repeat(r.msg.params.length - 2)));
  // The setter's own lines are the same.
  const echoed = (await until(op, (r) => r.msg.command === 'MODE' && r.msg.params.includes(masks[2]!))).filter((r) => r.msg.command === 'MODE');
  assert.deepEqual(echoed.map((r) => r.raw), modeLines.map((r) => r.raw));
  // And the ban list shows each one whole, within 512 bytes.
  member.send('MODE #longbans +b');
  const list = (await until(member, (r) => r.msg.command === '368')).filter((r) => r.msg.command === '367');
  for (const r of list) fitsLine(r);
  assert.deepEqual(list.map((r) => r.msg.params[2]), masks);
});
