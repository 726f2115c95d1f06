// Admin policies at the edges: IRC operators KICK in any room; a muted user keeps their
// nick and is told when the mute ends; durations without a unit and the admin nick are refused.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword } from '../../src/server/passwords.ts';
import { join, mask } from '../helpers/irc.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let t: TestServer;
before(async () => {
  t = await startServer({ opers: [{ name: 'root', password: await hashPassword('pw', 4) }] });
});
after(() => t.close());

test('an IRC operator kicks from a room they are not in; the audit log has it', async () => {
  const owner = await t.register('ov_owner');
  const victim = await t.register('ov_victim');
  const oper = await t.register('ov_oper');
  await join(owner, 'ov_owner', '#ov');
  await join(victim, 'ov_victim', '#ov');
  oper.send('KICK #ov ov_victim :not here');
  await oper.waitFor('442');
  oper.send('OPER root pw');
  await oper.waitFor('381');
  oper.send('KICK #ov ov_victim :off you go');
  const seen = await owner.waitFor('KICK');
  assert.equal(seen.raw, `:${mask('ov_oper')} KICK #ov ov_victim :off you go`);
  await victim.waitFor((r) => r.msg.command === 'KICK' && r.msg.params[1] === 'ov_victim');
  const entry = t.server.audit.recent().find((e) => e.action === 'kick');
  assert.deepEqual({ actor: entry?.actor, target: entry?.target, detail: entry?.detail }, { actor: 'oper:root', target: '#ov ov_victim', detail: 'off you go' });
});

test('an ordinary member still needs to be a room operator', async () => {
  const owner = await t.register('ov2_owner');
  const member = await t.register('ov2_member');
  await join(owner, 'ov2_owner', '#ov2');
  await join(member, 'ov2_member', '#ov2');
  member.send('KICK #ov2 ov2_owner');
  const r = await member.waitFor('482');
  assert.deepEqual(r.msg.params, ['ov2_member', '#ov2', "You're not channel operator"]);
});

test('a muted user cannot change nick (447) and is told when the mute is lifted', async () => {
  const m = await t.register('ap_muted');
  const admin = t.server.admin.consoleActor;
  t.server.admin.mute(admin, 'ap_muted', 600_000, 'calm down');
  const told = await m.waitFor('NOTICE');
  assert.match(told.msg.params[1]!, /muted by the server operators for 10m: calm down/);
  m.send('NICK ap_free');
  const r = await m.waitFor('447');
  assert.deepEqual(r.msg.params, ['ap_muted', 'ap_free', 'You cannot change your nickname while muted']);
  t.server.admin.unmute(admin, 'ap_muted');
  const again = await m.waitFor('NOTICE');
  assert.equal(again.msg.params[1], 'You are no longer muted: you can speak again.');
  m.send('NICK ap_free');
  await m.waitFor((x) => x.msg.command === 'NICK' && x.msg.params[0] === 'ap_free');
});

test('a duration without a unit is refused rather than read as a permanent ban', async () => {
  const oper = await t.register('ap_oper');
  oper.send('OPER root pw');
  await oper.waitFor('381');
  oper.send('KLINE ap_someone 10 spam');
  const r = await oper.waitFor('FAIL');
  assert.deepEqual(r.msg.params.slice(0, 2), ['KLINE', 'INVALID_PARAMS']);
  assert.match(r.msg.params[2]!, /^Not a duration: 10 spam \(unknown unit "spam" after 10: 10s, 10m, 10h, 10d or 10w\?\)/);
  assert.equal(t.server.admin.list('ban').length, 0);
  oper.send('KLINE admin 1h no');
  const a = await oper.waitFor('FAIL');
  assert.deepEqual(a.msg.params.slice(0, 2), ['KLINE', 'INVALID_TARGET']);
});

test('console purge deletes a room\'s history and is audited', async () => {
  const { runConsoleLine } = await import('../../src/admin/console-commands.ts');
  const a = await t.register('ap_talker');
  await join(a, 'ap_talker', '#ap_purge');
  a.send('PRIVMSG #ap_purge :one', 'PRIVMSG #ap_purge :two');
  await a.sync();
  await t.server.store.flush();
  assert.equal((await t.server.store.latest('#ap_purge', 10)).length, 2);
  assert.deepEqual(await runConsoleLine(t.server, 'purge #AP_purge'), ['purged 2 message(s) of #AP_purge']);
  assert.deepEqual(await t.server.store.latest('#ap_purge', 10), []);
  assert.equal(t.server.audit.recent().at(-1)?.action, 'purge');
});
