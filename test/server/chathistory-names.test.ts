// How a chathistory BATCH names its target, over real sockets against both stores. The batch
// answering CHATHISTORY names the target as the client wrote it (irctest's chathistory suite
// asks for `NICK` in capitals and matches the batch on it: a client finds the answer to the
// query it made); the lines inside are as they were relayed (the room as it is spelled, the
// peer's nick as its owner spells it). The replay on JOIN, which answers no query, names the
// room as it is spelled.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../../src/storage/memory-store.ts';
import { SqliteStore } from '../../src/storage/sqlite-store.ts';
import type { Store } from '../../src/storage/store.ts';
import { addAccount, loginUser, TEST_PASSWORD_COST } from '../helpers/accounts.ts';
import { ManualClock } from '../helpers/clock.ts';
import { mask, until } from '../helpers/irc.ts';
import type { RawClient, Received } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const CAPS = ['batch', 'draft/chathistory', 'echo-message', 'message-tags', 'server-time'];
const PASSWORD = 'history password';
/** The line without its tag section. */
const body = (r: Received): string => (r.raw.startsWith('@') ? r.raw.slice(r.raw.indexOf(' ') + 1) : r.raw);

/** Sends a message, one second after the last, and waits for its echo. */
async function say(c: RawClient, nick: string, target: string, text: string, clock: ManualClock): Promise<{ msgid: string }> {
  clock.advance(1000);
  c.send(`PRIVMSG ${target} :${text}`);
  const echo = await c.waitFor((r) => r.msg.command === 'PRIVMSG' && r.msg.source?.split('!')[0] === nick && r.msg.params[1] === text);
  assert.ok(echo.msg.tags.msgid !== undefined, echo.raw);
  return { msgid: echo.msg.tags.msgid };
}

/** One batch: its opening line and what is inside it. */
async function fetchBatch(c: RawClient, command: string): Promise<{ open: Received; lines: Received[] }> {
  c.send(command);
  const open = await c.waitFor((r) => r.msg.command === 'BATCH' || r.msg.command === 'FAIL');
  assert.equal(open.msg.command, 'BATCH', `${command} answered ${open.raw}`);
  const ref = open.msg.params[0]!.slice(1);
  const lines = (await until(c, (r) => r.msg.command === 'BATCH' && r.msg.params[0] === `-${ref}`)).slice(0, -1);
  return { open, lines };
}

const scratchDirs: string[] = [];
after(() => Promise.all(scratchDirs.map((d) => rm(d, { recursive: true, force: true }))));

async function newStore(kind: 'memory' | 'sqlite'): Promise<Store> {
  if (kind === 'memory') return new MemoryStore();
  const dir = await mkdtemp(join(tmpdir(), 'parlor-names-'));
  scratchDirs.push(dir);
  return new SqliteStore({ path: join(dir, 'parlor.db'), flushIntervalMs: 20 });
}

for (const kind of ['memory', 'sqlite'] as const) {
  describe(`chathistory target names (${kind} store)`, () => {
    let t: TestServer;
    const clock = new ManualClock();
    before(async () => {
      t = await startServer({ accounts: { passwordCost: TEST_PASSWORD_COST }, history: { replayOnJoin: 3 } }, { store: await newStore(kind), clock });
    });
    after(() => t.close());

    test('the chathistory BATCH names the target as the client wrote it; the lines inside as relayed', async () => {
      await addAccount(t, 'Quinn', PASSWORD);
      await addAccount(t, 'rita', PASSWORD);
      const quinn = await loginUser(t, 'Quinn', 'Quinn', PASSWORD, CAPS);
      const rita = await loginUser(t, 'rita', 'rita', PASSWORD, CAPS);
      quinn.send('JOIN #Room');
      await quinn.waitFor('366');
      rita.send('JOIN #room');
      assert.equal((await rita.waitFor('366')).msg.params[1], '#Room');
      const live = [await say(quinn, 'Quinn', '#room', 'in the room', clock), await say(rita, 'rita', 'quinn', 'to quinn', clock)];
      await rita.sync();
      // What rita was sent as they were said (the room's line, her own echo).
      const relayed = live.map((said) => rita.received.find((r) => r.msg.command === 'PRIVMSG' && r.msg.tags.msgid === said.msgid)!);
      assert.deepEqual(relayed.map((r) => r.msg.params[0]), ['#Room', 'Quinn'], 'the live lines name the room and the peer as they are spelled');
      for (const [asked, line] of [
        ['#room', relayed[0]!],
        ['#ROOM', relayed[0]!],
        ['#Room', relayed[0]!],
        ['quinn', relayed[1]!],
        ['QUINN', relayed[1]!],
      ] as const) {
        const { open, lines: got } = await fetchBatch(rita, `CHATHISTORY LATEST ${asked} * 10`);
        assert.deepEqual(open.msg.params.slice(1), ['chathistory', asked], `asked as ${asked}`);
        assert.deepEqual(got.map(body), [body(line)], `asked as ${asked}`);
      }
      for (const c of [quinn, rita]) {
        c.send('QUIT');
        await c.waitClose();
      }
    });

    test('the replay batch names the room as it is spelled, whatever case the JOIN used', async () => {
      const founder = await t.register('founder');
      founder.send('JOIN #Mixed', 'PRIVMSG #Mixed :first line');
      await founder.waitFor('366');
      await founder.sync();
      const late = await t.register('latecase', ['batch']);
      late.send('JOIN #mIXED');
      assert.equal((await late.waitFor('366')).msg.params[1], '#Mixed');
      const open = await late.waitFor('BATCH');
      assert.deepEqual(open.msg.params.slice(1), ['chathistory', '#Mixed']);
      assert.equal((await late.waitFor('PRIVMSG')).raw, `@batch=${open.msg.params[0]!.slice(1)} :${mask('founder')} PRIVMSG #Mixed :first line`);
    });
  });
}
