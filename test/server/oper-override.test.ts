// IRC operators may KICK in any room, even one they are not in; room operators keep their
// own KICK; ordinary users still get 442/482.
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
