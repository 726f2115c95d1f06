// The admin console of a real `parlor serve` process started with admin.pseudoUser: false:
// there is no `admin` user, so messages to it get 401, `say` explains why it cannot speak,
// and `kick #room nick` still works, the KICK coming from the server's name.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeRegExp, startParlor, type ParlorProcess } from '../helpers/cli.ts';

const NAME = 'noadmin.parlor';
const YAML = `server:\n  name: ${NAME}\nflood:\n  burst: 100000\n  commandsPerSecond: 100000\nadmin:\n  pseudoUser: false\n`;

const line = (text: string): RegExp => new RegExp(`^${escapeRegExp(text)}$`, 'm');

let dir: string;
let srv: ParlorProcess;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'parlor-noadmin-'));
  const configFile = join(dir, 'parlor.yaml');
  await writeFile(configFile, YAML);
  srv = await startParlor(dir, ['--config', configFile]);
});
after(async () => {
  await srv?.stop();
  await rm(dir, { recursive: true, force: true });
});

test('without the pseudo-user: 401 for admin, say refused with the reason, kick as the server', async () => {
  const bob = await srv.register('bob');
  const eve = await srv.register('eve');
  for (const c of [bob, eve]) {
    c.send('JOIN #r');
    await c.waitFor('366');
  }
  bob.send('PRIVMSG admin :hello?');
  assert.deepEqual((await bob.waitFor('401')).msg.params, ['bob', 'admin', 'No such nick/channel']);

  await srv.command('say #r hello', line('error: There is no admin nick to speak as (admin.pseudoUser is off); broadcast instead'));
  await srv.command('kick #r bob please behave', line('removed bob from #r'));
  for (const c of [eve, bob]) assert.equal((await c.waitFor('KICK')).raw, `:${NAME} KICK #r bob :please behave`);
});
