// One duration parser behind the console's ban/mute, IRC KLINE/MUTE and the admin web API
// (issue 15 item 6): `ban x 90min` is a 90-minute ban, `90 min` too, and an unknown unit is
// refused with a hint instead of becoming a permanent ban with the reason "90mn …".
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runConsoleLine } from '../../src/admin/console-commands.ts';
import { hashPassword } from '../../src/server/passwords.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import type { RawClient } from '../helpers/raw-client.ts';

const TOKEN = 'ban-durations-token';
const MIN = 60_000;
let t: TestServer;
before(async () => {
  t = await startServer({ opers: [{ name: 'root', password: await hashPassword('pw', 4) }], web: { enabled: true, port: 0, adminToken: TOKEN } });
});
after(() => t.close());

function entry(list: 'ban' | 'mute', mask: string): { ms: number | undefined; reason: string } | undefined {
  const e = t.server.admin.list(list).find((b) => b.mask === mask);
  return e && { ms: e.expiresAt === undefined ? undefined : e.expiresAt - e.setAt, reason: e.reason };
}

describe('console', () => {
  test('ban x 90min, 90 min, 1h30m, 1.5h, 1 hour 30 min: a 90-minute ban with the rest as the reason', async () => {
    for (const spelling of ['90min', '90 min', '1h30m', '1h 30m', '1.5h', '1 hour 30 minutes', '90M']) {
      const out = await runConsoleLine(t.server, `ban d_nobody ${spelling} spam  and more`);
      assert.deepEqual(out, ['banned d_nobody!*@* for 1h 30m (spam  and more); 0 client(s) disconnected'], spelling);
      assert.deepEqual(entry('ban', 'd_nobody!*@*'), { ms: 90 * MIN, reason: 'spam  and more' }, spelling);
      await runConsoleLine(t.server, 'unban d_nobody');
    }
  });

  test('2d, and perm / no duration for permanent', async () => {
    await runConsoleLine(t.server, 'mute d_quiet 2d');
    assert.deepEqual(entry('mute', 'd_quiet!*@*'), { ms: 2 * 24 * 60 * MIN, reason: 'No reason given' });
    await runConsoleLine(t.server, 'mute d_quiet perm shouting');
    assert.deepEqual(entry('mute', 'd_quiet!*@*'), { ms: undefined, reason: 'shouting' });
    await runConsoleLine(t.server, 'mute d_quiet shouting again');
    assert.deepEqual(entry('mute', 'd_quiet!*@*'), { ms: undefined, reason: 'shouting again' });
    await runConsoleLine(t.server, 'unmute d_quiet');
  });

  test('an unknown unit or a bare number is refused with a hint, and nothing is banned', async () => {
    const [mn] = await runConsoleLine(t.server, 'ban d_typo 90mn spamming');
    assert.match(mn!, /^error: Not a duration: 90mn \(unknown unit "mn" after 90: 90s, 90m, 90h, 90d or 90w\?\); write it like .*\(perm or none for permanent\)$/);
    const [bare] = await runConsoleLine(t.server, 'ban d_typo 10 spam');
    assert.match(bare!, /^error: Not a duration: 10 spam \(unknown unit "spam" after 10/);
    const [months] = await runConsoleLine(t.server, 'ban d_typo 2 months');
    assert.match(months!, /unknown unit "months"/);
    assert.equal(entry('ban', 'd_typo!*@*'), undefined);
  });

  test('an address target is not read as a duration', async () => {
    assert.deepEqual(await runConsoleLine(t.server, 'ban 10.9.8.7 1h abuse'), ['banned 10.9.8.7 for 1h (abuse); 0 client(s) disconnected']);
    await runConsoleLine(t.server, 'unban 10.9.8.7');
  });
});

describe('IRC KLINE and MUTE', () => {
  let op: RawClient;
  before(async () => {
    op = await t.register('d_op');
    op.send('OPER root pw');
    await op.waitFor('381');
  });

  const notice = async (): Promise<string> => (await op.waitFor('NOTICE')).msg.params[1]!;

  test('the spellings, before or after the mask', async () => {
    const cases: [string, string][] = [
      ['KLINE d_k1 90min spam', 'd_k1!*@*'],
      ['KLINE d_k2 90 min spam', 'd_k2!*@*'],
      ['KLINE 90 min d_k3 spam', 'd_k3!*@*'],
      ['KLINE 1.5h d_k4 :spam', 'd_k4!*@*'],
      ['KLINE d_k5 :1h30m spam', 'd_k5!*@*'],
      ['KLINE 10.9.8.6 1h 30m spam', '10.9.8.6'],
    ];
    for (const [line, mask] of cases) {
      op.send(line);
      assert.match(await notice(), / for 1h 30m \(spam\)/, line);
      assert.deepEqual(entry('ban', mask), { ms: 90 * MIN, reason: 'spam' }, line);
      op.send(`UNKLINE ${mask}`);
      await notice();
    }
    op.send('MUTE d_m1 2 hours be calm');
    assert.match(await notice(), /Muted d_m1!\*@\* for 2h \(be calm\)/);
    op.send('UNMUTE d_m1');
    await notice();
  });

  test('an unknown unit gets FAIL INVALID_PARAMS with the hint, and nothing is banned', async () => {
    for (const line of ['KLINE d_k6 90mn spam', 'KLINE 90mn d_k6 spam', 'MUTE d_k6 1h30 spam']) {
      op.send(line);
      const fail = await op.waitFor('FAIL');
      assert.deepEqual(fail.msg.params.slice(0, 2), [line.split(' ')[0], 'INVALID_PARAMS'], line);
      assert.match(fail.msg.params[2]!, /^Not a duration: .*write it like 30s, 90m, 1h30m/, line);
    }
    assert.equal(entry('ban', 'd_k6!*@*'), undefined);
    assert.equal(entry('mute', 'd_k6!*@*'), undefined);
  });
});

describe('admin web API', () => {
  async function ban(duration: string): Promise<{ status: number; json: Record<string, unknown> }> {
    const res = await fetch(`http://127.0.0.1:${t.server.webAddress!.port}/admin/api/ban`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ target: 'd_api', duration, reason: 'r' }),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  }

  test('the same spellings and the same refusals', async () => {
    for (const spelling of ['90min', '90 min', '1.5h', '1h 30m']) {
      assert.equal((await ban(spelling)).status, 200, spelling);
      assert.deepEqual(entry('ban', 'd_api!*@*'), { ms: 90 * MIN, reason: 'r' }, spelling);
    }
    const bad = await ban('90mn');
    assert.equal(bad.status, 400);
    assert.match(String(bad.json.error), /Not a duration: 90mn \(unknown unit "mn"/);
    await runConsoleLine(t.server, 'unban d_api');
  });
});
