// IRCv3 chathistory over real sockets, against the in-memory store and a SQLite file alike:
// CAP and ISUPPORT; LATEST, BEFORE, AFTER, AROUND and BETWEEN by msgid and by timestamp, with
// limits and the history.maxQuery cap; private conversations (between accounts) read from
// either side; TARGETS; the FAIL replies; clients without batch; what is stored (text as sent,
// NOTICE, kept client tags, no TAGMSG, the account); replay on JOIN for clients without
// draft/chathistory; history turned off; retention by history.maxPerTarget. The main servers
// run on a manual clock, one second between lines, so that every line has its own timestamp.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../../src/storage/memory-store.ts';
import { SqliteStore } from '../../src/storage/sqlite-store.ts';
import { conversationKey, type Store } from '../../src/storage/store.ts';
import { addAccount, loginUser, TEST_PASSWORD_COST } from '../helpers/accounts.ts';
import { ManualClock } from '../helpers/clock.ts';
import { ISO_MS, joinAll, mask, until } from '../helpers/irc.ts';
import type { RawClient, Received } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const SERVER = 'test.parlor';
/** What a client needs for full chathistory: batches with times, msgids and its own lines back. */
const CAPS = ['batch', 'draft/chathistory', 'echo-message', 'message-tags', 'server-time'];
const iso = (ms: number): string => new Date(ms).toISOString();
/** The line without its tag section. */
const body = (r: Received): string => (r.raw.startsWith('@') ? r.raw.slice(r.raw.indexOf(' ') + 1) : r.raw);
const isFail = (r: Received): boolean => r.msg.command === 'FAIL';
const PASSWORD = 'history password';

/** A line as the server accepted it (from its echo). */
interface Said {
  nick: string;
  command: string;
  target: string;
  text: string;
  msgid: string;
  time: number;
}

/** Sends a message and waits for its echo; `clock` (when given) moves one second first. */
async function say(c: RawClient, nick: string, target: string, text: string, clock?: ManualClock, command = 'PRIVMSG', tags = ''): Promise<Said> {
  clock?.advance(1000);
  c.send(`${tags === '' ? '' : `@${tags} `}${command} ${target} :${text}`);
  const echo = await c.waitFor((r) => r.msg.command === command && r.msg.source?.split('!')[0] === nick && r.msg.params[1] === text);
  const { msgid, time } = echo.msg.tags;
  assert.ok(msgid !== undefined && time !== undefined, echo.raw);
  return { nick, command, target, text, msgid, time: Date.parse(time) };
}

/** The lines of one chathistory-style batch: its opening line, what is inside, in order. */
async function fetchBatch(c: RawClient, command: string): Promise<{ open: Received; lines: Received[] }> {
  c.send(command);
  const open = await c.waitFor((r) => r.msg.command === 'BATCH' || isFail(r));
  assert.equal(open.msg.command, 'BATCH', `${command} answered ${open.raw}`);
  assert.match(open.msg.params[0]!, /^\+\S+$/);
  const ref = open.msg.params[0]!.slice(1);
  const rest = await until(c, (r) => r.msg.command === 'BATCH' && r.msg.params[0] === `-${ref}`);
  const lines = rest.slice(0, -1);
  for (const r of lines) assert.equal(r.msg.tags.batch, ref, `inside the batch: ${r.raw}`);
  return { open, lines };
}

/** The texts a chathistory request returns (its batch checked to be a chathistory one for `shown`). */
async function texts(c: RawClient, command: string, shown: string): Promise<string[]> {
  const { open, lines } = await fetchBatch(c, command);
  assert.deepEqual(open.msg.params.slice(1), ['chathistory', shown], open.raw);
  return lines.map((r) => r.msg.params[1]!);
}

/** The FAIL a request draws, as its parameters before the description; nothing else is sent. */
async function failure(c: RawClient, command: string): Promise<string[]> {
  const mark = c.received.length;
  c.send(command);
  const fail = await c.waitFor(isFail);
  await c.sync();
  const others = c.since(mark).filter((r) => r !== fail);
  assert.deepEqual(others.map((r) => r.raw), [], `only the FAIL answers ${command}`);
  assert.equal(fail.msg.source, SERVER);
  return fail.msg.params.slice(0, -1);
}

/** Every ISUPPORT token a registration sends (005 lines up to the end of the MOTD). */
function isupportTokens(c: RawClient): string[] {
  return c.received.filter((r) => r.msg.command === '005').flatMap((r) => r.msg.params.slice(1, -1));
}

const scratchDirs: string[] = [];
after(() => Promise.all(scratchDirs.map((d) => rm(d, { recursive: true, force: true }))));

/** A fresh store of the kind under test: SQLite in a file of its own, or memory. */
async function newStore(kind: 'memory' | 'sqlite'): Promise<Store> {
  if (kind === 'memory') return new MemoryStore();
  const dir = await mkdtemp(join(tmpdir(), 'parlor-history-'));
  scratchDirs.push(dir);
  return new SqliteStore({ path: join(dir, 'parlor.db'), flushIntervalMs: 20 });
}

for (const kind of ['memory', 'sqlite'] as const) {
  describe(`chathistory (${kind} store)`, () => {
    let t: TestServer;
    const clock = new ManualClock();
    before(async () => {
      t = await startServer({ accounts: { passwordCost: TEST_PASSWORD_COST } }, { store: await newStore(kind), clock });
      // Private history is kept for accounts only (test/server/private-history.test.ts).
      for (const name of ['alice', 'bob', 'plainpeer']) await addAccount(t, name, PASSWORD);
    });
    after(() => t.close());

    test('CAP LS offers draft/chathistory; ISUPPORT has CHATHISTORY=100 and MSGREFTYPES', async () => {
      const c = await t.connect();
      c.send('CAP LS 302', 'NICK capper', 'USER capper 0 * :Cap Per');
      const offered: string[] = [];
      for (let i = 0; i < 10; i++) {
        const ls = await c.waitFor((r) => r.msg.command === 'CAP' && r.msg.params[1] === 'LS');
        offered.push(...ls.msg.params.at(-1)!.split(' '));
        if (ls.msg.params[2] !== '*') break;
      }
      assert.ok(offered.includes('draft/chathistory'), offered.join(' '));
      c.send('CAP END');
      await c.waitFor('376');
      const tokens = isupportTokens(c);
      assert.ok(tokens.includes('CHATHISTORY=100'), tokens.join(' '));
      assert.ok(tokens.includes('MSGREFTYPES=msgid,timestamp'), tokens.join(' '));
      c.send('QUIT');
      await c.waitClose();
    });

    describe('a room with ten lines, one second apart', () => {
      let alice: RawClient;
      let bob: RawClient;
      const said: Said[] = [];
      const msgid = (i: number): string => `msgid=${said[i]!.msgid}`;
      const at = (i: number, offsetMs = 0): string => `timestamp=${iso(said[i]!.time + offsetMs)}`;
      const lines = (...indexes: number[]): string[] => indexes.map((i) => `line ${i}`);

      before(async () => {
        alice = await loginUser(t, 'alice', 'alice', PASSWORD, CAPS);
        bob = await loginUser(t, 'bob', 'bob', PASSWORD, CAPS);
        await joinAll('#hist', alice, bob);
        for (let i = 0; i < 10; i++) {
          const [c, nick] = i % 2 === 0 ? [alice, 'alice'] : [bob, 'bob'];
          said.push(await say(c, nick, '#hist', `line ${i}`, clock));
        }
        for (let i = 1; i < 10; i++) assert.equal(said[i]!.time - said[i - 1]!.time, 1000, 'a second between lines');
      });

      test('LATEST * n: the newest n, oldest first, in a chathistory batch with time, msgid and batch tags', async () => {
        const { open, lines: got } = await fetchBatch(alice, 'CHATHISTORY LATEST #hist * 3');
        assert.match(body(open), /^:test\.parlor BATCH \+\S+ chathistory #hist$/);
        const ref = open.msg.params[0]!.slice(1);
        assert.equal(got.length, 3);
        got.forEach((r, k) => {
          const s = said[7 + k]!;
          assert.equal(body(r), `:${mask(s.nick)} PRIVMSG #hist :line ${7 + k}`);
          assert.deepEqual(r.msg.tags, { batch: ref, msgid: s.msgid, time: iso(s.time) }, r.raw);
        });
        // The batch ends right after its lines.
        assert.equal(body(alice.received[alice.received.indexOf(got[2]!) + 1]!), `:${SERVER} BATCH -${ref}`);
        // bob reads the same lines.
        assert.deepEqual(await texts(bob, 'CHATHISTORY LATEST #hist * 3', '#hist'), lines(7, 8, 9));
        // A limit beyond what there is: everything.
        assert.deepEqual(await texts(alice, 'CHATHISTORY LATEST #hist * 50', '#hist'), lines(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
        // Case does not matter for the subcommand nor the room.
        assert.deepEqual(await texts(alice, 'chathistory latest #HIST * 1', '#HIST'), lines(9));
      });

      test('LATEST with msgid= or timestamp=: only the lines after it, the newest n of them', async () => {
        assert.deepEqual(await texts(alice, `CHATHISTORY LATEST #hist ${msgid(6)} 100`, '#hist'), lines(7, 8, 9));
        assert.deepEqual(await texts(alice, `CHATHISTORY LATEST #hist ${at(6)} 100`, '#hist'), lines(7, 8, 9));
        assert.deepEqual(await texts(alice, `CHATHISTORY LATEST #hist ${msgid(6)} 2`, '#hist'), lines(8, 9));
        assert.deepEqual(await texts(alice, `CHATHISTORY LATEST #hist ${at(6, -1)} 100`, '#hist'), lines(6, 7, 8, 9));
        // Nothing newer: an empty batch, so that the client is not left waiting.
        assert.deepEqual(await texts(alice, `CHATHISTORY LATEST #hist ${msgid(9)} 10`, '#hist'), []);
        assert.deepEqual(await texts(alice, `CHATHISTORY LATEST #hist ${at(9)} 10`, '#hist'), []);
      });

      test('BEFORE and AFTER by msgid and by timestamp, exclusive, with limits', async () => {
        assert.deepEqual(await texts(alice, `CHATHISTORY BEFORE #hist ${msgid(5)} 3`, '#hist'), lines(2, 3, 4));
        assert.deepEqual(await texts(alice, `CHATHISTORY BEFORE #hist ${at(5)} 3`, '#hist'), lines(2, 3, 4));
        assert.deepEqual(await texts(alice, `CHATHISTORY BEFORE #hist ${at(5, 500)} 3`, '#hist'), lines(3, 4, 5));
        assert.deepEqual(await texts(alice, `CHATHISTORY BEFORE #hist ${msgid(2)} 10`, '#hist'), lines(0, 1));
        assert.deepEqual(await texts(alice, `CHATHISTORY BEFORE #hist ${msgid(0)} 10`, '#hist'), []);
        assert.deepEqual(await texts(alice, `CHATHISTORY AFTER #hist ${msgid(5)} 3`, '#hist'), lines(6, 7, 8));
        assert.deepEqual(await texts(alice, `CHATHISTORY AFTER #hist ${at(5)} 3`, '#hist'), lines(6, 7, 8));
        assert.deepEqual(await texts(alice, `CHATHISTORY AFTER #hist ${at(5, -500)} 2`, '#hist'), lines(5, 6));
        assert.deepEqual(await texts(alice, `CHATHISTORY AFTER #hist ${msgid(7)} 10`, '#hist'), lines(8, 9));
        assert.deepEqual(await texts(alice, `CHATHISTORY AFTER #hist ${msgid(9)} 10`, '#hist'), []);
        // A msgid that is not in this conversation names nothing.
        assert.deepEqual(await texts(alice, 'CHATHISTORY BEFORE #hist msgid=no-such-id 10', '#hist'), []);
      });

      test('AROUND by msgid and by timestamp: about half before, the rest from the ref on', async () => {
        assert.deepEqual(await texts(alice, `CHATHISTORY AROUND #hist ${msgid(5)} 4`, '#hist'), lines(3, 4, 5, 6));
        assert.deepEqual(await texts(alice, `CHATHISTORY AROUND #hist ${at(5)} 5`, '#hist'), lines(3, 4, 5, 6, 7));
        assert.deepEqual(await texts(alice, `CHATHISTORY AROUND #hist ${msgid(5)} 1`, '#hist'), lines(5));
        // Near an end, the other side fills the limit.
        assert.deepEqual(await texts(alice, `CHATHISTORY AROUND #hist ${msgid(9)} 4`, '#hist'), lines(6, 7, 8, 9));
        assert.deepEqual(await texts(alice, `CHATHISTORY AROUND #hist ${msgid(0)} 3`, '#hist'), lines(0, 1, 2));
      });

      test('BETWEEN by msgid and by timestamp, exclusive, in either order, counted from the first ref', async () => {
        assert.deepEqual(await texts(alice, `CHATHISTORY BETWEEN #hist ${msgid(2)} ${msgid(7)} 10`, '#hist'), lines(3, 4, 5, 6));
        assert.deepEqual(await texts(alice, `CHATHISTORY BETWEEN #hist ${msgid(2)} ${msgid(7)} 2`, '#hist'), lines(3, 4));
        assert.deepEqual(await texts(alice, `CHATHISTORY BETWEEN #hist ${msgid(7)} ${msgid(2)} 2`, '#hist'), lines(5, 6));
        assert.deepEqual(await texts(alice, `CHATHISTORY BETWEEN #hist ${at(2)} ${at(7)} 10`, '#hist'), lines(3, 4, 5, 6));
        assert.deepEqual(await texts(alice, `CHATHISTORY BETWEEN #hist ${at(7)} ${at(2)} 3`, '#hist'), lines(4, 5, 6));
        assert.deepEqual(await texts(alice, `CHATHISTORY BETWEEN #hist ${msgid(2)} ${at(5)} 10`, '#hist'), lines(3, 4));
        assert.deepEqual(await texts(alice, `CHATHISTORY BETWEEN #hist ${msgid(4)} ${msgid(5)} 10`, '#hist'), []);
      });

      test('a client without batch gets the lines alone, without BATCH; without tags, plain lines', async () => {
        const plain = await t.register('plainer', ['draft/chathistory']);
        await joinAll('#hist', plain);
        const mark = plain.received.length;
        plain.send('CHATHISTORY LATEST #hist * 2');
        await plain.sync();
        assert.deepEqual(
          plain.since(mark).map((r) => r.raw),
          [`:${mask('alice')} PRIVMSG #hist :line 8`, `:${mask('bob')} PRIVMSG #hist :line 9`],
        );
        plain.send('PART #hist');
        await plain.waitFor('PART');
      });

      test('errors: INVALID_TARGET, INVALID_PARAMS, UNKNOWN_COMMAND, NEED_MORE_PARAMS', async () => {
        const outsider = await t.register('outsider', CAPS);
        // Not a member, or no such room: the same answer, so nothing is given away.
        assert.deepEqual(await failure(outsider, 'CHATHISTORY LATEST #hist * 10'), ['CHATHISTORY', 'INVALID_TARGET', 'LATEST', '#hist']);
        assert.deepEqual(await failure(outsider, `CHATHISTORY AROUND #hist ${msgid(3)} 10`), ['CHATHISTORY', 'INVALID_TARGET', 'AROUND', '#hist']);
        assert.deepEqual(await failure(outsider, 'CHATHISTORY LATEST #nowhere * 10'), ['CHATHISTORY', 'INVALID_TARGET', 'LATEST', '#nowhere']);
        assert.deepEqual(await failure(alice, 'CHATHISTORY BEFORE #hist bogus 10'), ['CHATHISTORY', 'INVALID_PARAMS', 'BEFORE', 'bogus']);
        assert.deepEqual(await failure(alice, 'CHATHISTORY AFTER #hist timestamp=yesterday 10'), ['CHATHISTORY', 'INVALID_PARAMS', 'AFTER', 'timestamp=yesterday']);
        assert.deepEqual(await failure(alice, 'CHATHISTORY LATEST #hist msgid= 10'), ['CHATHISTORY', 'INVALID_PARAMS', 'LATEST', 'msgid=']);
        assert.deepEqual(await failure(alice, `CHATHISTORY BETWEEN #hist ${msgid(1)} nonsense 10`), ['CHATHISTORY', 'INVALID_PARAMS', 'BETWEEN', 'nonsense']);
        assert.deepEqual(await failure(alice, 'CHATHISTORY LATEST #hist * 0'), ['CHATHISTORY', 'INVALID_PARAMS', 'LATEST', '0']);
        assert.deepEqual(await failure(alice, 'CHATHISTORY LATEST #hist * many'), ['CHATHISTORY', 'INVALID_PARAMS', 'LATEST', 'many']);
        assert.deepEqual(await failure(alice, `CHATHISTORY TARGETS ${msgid(1)} ${at(1)} 10`), ['CHATHISTORY', 'INVALID_PARAMS', 'TARGETS', msgid(1)]);
        assert.deepEqual(await failure(alice, 'CHATHISTORY FROB #hist * 10'), ['CHATHISTORY', 'UNKNOWN_COMMAND', 'FROB']);
        assert.deepEqual(await failure(alice, 'CHATHISTORY FROB'), ['CHATHISTORY', 'UNKNOWN_COMMAND', 'FROB']);
        assert.deepEqual(await failure(alice, 'CHATHISTORY LATEST #hist *'), ['CHATHISTORY', 'NEED_MORE_PARAMS', 'LATEST']);
        assert.deepEqual(await failure(alice, `CHATHISTORY BETWEEN #hist ${msgid(1)} 10`), ['CHATHISTORY', 'NEED_MORE_PARAMS', 'BETWEEN']);
        assert.deepEqual(await failure(alice, 'CHATHISTORY TARGETS'), ['CHATHISTORY', 'NEED_MORE_PARAMS', 'TARGETS']);
        outsider.send('QUIT');
        await outsider.waitClose();
      });

      test('private conversations: both sides read the same one, its target the other party', async () => {
        const pm = [
          await say(alice, 'alice', 'bob', 'hi bob 👋', clock),
          await say(bob, 'bob', 'alice', 'hi alice', clock),
          await say(alice, 'alice', 'bob', 'see you', clock),
        ];
        const expected = [`:${mask('alice')} PRIVMSG bob :hi bob 👋`, `:${mask('bob')} PRIVMSG alice :hi alice`, `:${mask('alice')} PRIVMSG bob :see you`];
        for (const [reader, other] of [
          [alice, 'bob'],
          [bob, 'alice'],
        ] as const) {
          const { open, lines: got } = await fetchBatch(reader, `CHATHISTORY LATEST ${other} * 10`);
          assert.deepEqual(open.msg.params.slice(1), ['chathistory', other]);
          assert.deepEqual(got.map(body), expected);
          assert.deepEqual(
            got.map((r) => [r.msg.tags.msgid, r.msg.tags.time]),
            pm.map((s) => [s.msgid, iso(s.time)]),
          );
        }
        // The nick as its owner spells it, however it was asked for.
        assert.deepEqual(await texts(alice, 'CHATHISTORY LATEST BOB * 1', 'BOB'), ['see you']);
        assert.deepEqual(await texts(alice, `CHATHISTORY BEFORE bob msgid=${pm[2]!.msgid} 10`, 'bob'), ['hi bob 👋', 'hi alice']);
        // Someone else's conversation with alice is not bob's, and one without an account has none.
        const carol = await t.register('carol', CAPS);
        assert.deepEqual(await texts(carol, 'CHATHISTORY LATEST alice * 10', 'alice'), []);
        assert.deepEqual(await texts(carol, 'CHATHISTORY LATEST bob * 10', 'bob'), []);
        carol.send('QUIT');
        await carol.waitClose();
      });

      test('TARGETS: rooms and private peers with their latest times, oldest first, in a draft/chathistory-targets batch', async () => {
        const now = clock.now();
        const future = `timestamp=${iso(now + 1000)}`;
        const past = 'timestamp=2000-01-01T00:00:00.000Z';
        const { open, lines: got } = await fetchBatch(alice, `CHATHISTORY TARGETS ${future} ${past} 10`);
        assert.deepEqual(open.msg.params.slice(1), ['draft/chathistory-targets']);
        const latestPm = (await t.server.store.latest(conversationKey('alice', 'bob'), 1))[0]!;
        const both = [`:${SERVER} CHATHISTORY TARGETS #hist ${iso(said[9]!.time)}`, `:${SERVER} CHATHISTORY TARGETS bob ${iso(latestPm.time)}`];
        assert.deepEqual(got.map(body), both);
        assert.deepEqual((await fetchBatch(alice, `CHATHISTORY TARGETS ${past} ${future} 10`)).lines.map(body), both);
        // The limit counts from the first timestamp: the oldest going forwards, the newest going back.
        assert.deepEqual((await fetchBatch(alice, `CHATHISTORY TARGETS ${past} ${future} 1`)).lines.map((r) => r.msg.params[1]), ['#hist']);
        const { lines: one } = await fetchBatch(alice, `CHATHISTORY TARGETS ${future} ${past} 1`);
        assert.deepEqual(one.map((r) => r.msg.params[1]), ['bob']);
        // Only conversations whose latest line is in the window: the room's lines came first.
        const { lines: early } = await fetchBatch(alice, `CHATHISTORY TARGETS timestamp=${iso(said[0]!.time - 1)} timestamp=${iso(said[9]!.time + 1)} 10`);
        assert.deepEqual(early.map(body), [`:${SERVER} CHATHISTORY TARGETS #hist ${iso(said[9]!.time)}`]);
        // A window holding some of the room's lines but not its newest: the room is not listed.
        for (const window of [`${at(0, -1)} ${at(5, 1)}`, `${at(5, 1)} ${at(0, -1)}`]) {
          assert.deepEqual((await fetchBatch(alice, `CHATHISTORY TARGETS ${window} 10`)).lines.map(body), [], window);
        }
        // Without batch: the lines alone.
        const plain = await loginUser(t, 'plainpeer', 'plainpeer', PASSWORD, ['draft/chathistory']);
        const psst = await say(alice, 'alice', 'plainpeer', 'psst', clock);
        const mark = plain.received.length;
        plain.send(`CHATHISTORY TARGETS timestamp=${iso(clock.now() + 1000)} timestamp=2000-01-01T00:00:00.000Z 10`);
        await plain.sync();
        assert.deepEqual(
          plain.since(mark).map((r) => r.raw),
          [`:${SERVER} CHATHISTORY TARGETS alice ${iso(psst.time)}`],
        );
        plain.send('QUIT');
        await plain.waitClose();
      });

      test('limits are capped at history.maxQuery (100)', async () => {
        const loud = await t.register('loud', CAPS);
        await joinAll('#many', loud);
        loud.send(...Array.from({ length: 105 }, (_, i) => `PRIVMSG #many :n${i}`));
        await loud.waitFor((r) => r.msg.command === 'PRIVMSG' && r.msg.params[1] === 'n104');
        const all = Array.from({ length: 105 }, (_, i) => `n${i}`);
        assert.deepEqual(await texts(loud, 'CHATHISTORY LATEST #many * 1000', '#many'), all.slice(5));
        assert.deepEqual(await texts(loud, `CHATHISTORY BEFORE #many timestamp=${iso(clock.now() + 1)} 500`, '#many'), all.slice(5));
        assert.deepEqual(await texts(loud, `CHATHISTORY AFTER #many timestamp=${iso(clock.now() - 1)} 101`, '#many'), all.slice(0, 100));
        loud.send('QUIT');
        await loud.waitClose();
      });
    });

    test('stored as sent: Chinese and emoji, NOTICE, kept client tags; TAGMSG and +typing are not', async () => {
      const mei = await t.register('mei', CAPS);
      await joinAll('#mix', mei);
      const first = await say(mei, 'mei', '#mix', '你好，世界 🌏🎉 café', clock);
      const notice = await say(mei, 'mei', '#mix', '通知：服务器维护 📢', clock, 'NOTICE');
      mei.send('@+typing=active TAGMSG #mix');
      await mei.waitFor('TAGMSG');
      const reply = await say(mei, 'mei', '#mix', '回复 ✅', clock, 'PRIVMSG', `+reply=${first.msgid};+typing=done`);
      const { lines: got } = await fetchBatch(mei, 'CHATHISTORY LATEST #mix * 10');
      assert.deepEqual(got.map(body), [
        `:${mask('mei')} PRIVMSG #mix :你好，世界 🌏🎉 café`,
        `:${mask('mei')} NOTICE #mix :通知：服务器维护 📢`,
        `:${mask('mei')} PRIVMSG #mix :回复 ✅`,
      ]);
      assert.deepEqual(
        got.map((r) => r.msg.tags.msgid),
        [first, notice, reply].map((s) => s.msgid),
      );
      assert.equal(got[2]!.msg.tags['+reply'], first.msgid);
      assert.equal(got[2]!.msg.tags['+typing'], undefined, '+typing is not kept');
      mei.send('QUIT');
      await mei.waitClose();
    });

    test('account-tag: a logged-in sender’s account on history lines, for clients with account-tag', async () => {
      const fay = await t.register('fay', CAPS);
      fay.send('REGISTER * * password123');
      assert.deepEqual((await fay.waitFor('REGISTER')).msg.params.slice(0, 2), ['SUCCESS', 'fay']);
      const gus = await t.register('gus', [...CAPS, 'account-tag']);
      const hal = await t.register('hal', CAPS);
      await joinAll('#acct', fay, gus, hal);
      const fromFay = await say(fay, 'fay', '#acct', 'from an account', clock);
      await say(hal, 'hal', '#acct', 'from no account', clock);
      const { lines: withTag } = await fetchBatch(gus, 'CHATHISTORY LATEST #acct * 10');
      assert.deepEqual(
        withTag.map((r) => [r.msg.params[1], r.msg.tags.account]),
        [
          ['from an account', 'fay'],
          ['from no account', undefined],
        ],
      );
      assert.equal(withTag[0]!.msg.tags.msgid, fromFay.msgid);
      const { lines: withoutTag } = await fetchBatch(hal, 'CHATHISTORY LATEST #acct * 10');
      assert.deepEqual(
        withoutTag.map((r) => r.msg.tags.account),
        [undefined, undefined],
      );
      for (const c of [fay, gus, hal]) {
        c.send('QUIT');
        await c.waitClose();
      }
    });
  });

  describe(`replay on JOIN, history.replayOnJoin 3 (${kind} store)`, () => {
    let t: TestServer;
    before(async () => {
      t = await startServer({ history: { replayOnJoin: 3 } }, { store: await newStore(kind) });
    });
    after(() => t.close());

    test('the last 3 lines after NAMES: in a chathistory batch with batch, timed with server-time; none with draft/chathistory', async () => {
      const talker = await t.register('talker');
      const watcher = await t.register('watcher', ['server-time', 'message-tags']);
      await joinAll('#replay', talker, watcher);
      talker.send(...[1, 2, 3, 4, 5].map((i) => `PRIVMSG #replay :said ${i} 你好 🎈`));
      const live: Received[] = [];
      for (let i = 1; i <= 5; i++) live.push(await watcher.waitFor('PRIVMSG'));
      const expected = [3, 4, 5].map((i) => `:${mask('talker')} PRIVMSG #replay :said ${i} 你好 🎈`);

      // No capabilities at all: the lines as they were said, after the end of NAMES.
      const plain = await t.register('plainjoin');
      plain.send('JOIN #replay');
      const upToNames = await until(plain, (r) => r.msg.command === '366');
      assert.deepEqual(
        upToNames.map((r) => r.msg.command),
        ['JOIN', '353', '366'],
      );
      const replayed: Received[] = [];
      for (let i = 0; i < 3; i++) replayed.push(await plain.waitFor(() => true));
      assert.deepEqual(
        replayed.map((r) => r.raw),
        expected,
      );

      // batch and server-time: one chathistory batch, each line with the time it was said.
      const batched = await t.register('batchjoin', ['batch', 'server-time']);
      batched.send('JOIN #replay');
      await batched.waitFor('366');
      const open = await batched.waitFor(() => true);
      assert.match(body(open), /^:test\.parlor BATCH \+\S+ chathistory #replay$/);
      assert.match(open.msg.tags.time ?? '', ISO_MS);
      const ref = open.msg.params[0]!.slice(1);
      const inside = await until(batched, (r) => r.msg.command === 'BATCH');
      assert.equal(body(inside.at(-1)!), `:${SERVER} BATCH -${ref}`);
      const lines = inside.slice(0, -1);
      assert.deepEqual(lines.map(body), expected);
      assert.deepEqual(
        lines.map((r) => r.msg.tags),
        live.slice(2).map((r) => ({ batch: ref, time: r.msg.tags.time })),
      );

      // draft/chathistory: the client asks for what it wants, so nothing is replayed.
      const modern = await t.register('modernjoin', ['batch', 'server-time', 'draft/chathistory']);
      const mark = modern.received.length;
      modern.send('JOIN #replay');
      await modern.waitFor('366');
      await modern.sync();
      assert.deepEqual(
        modern.since(mark).map((r) => r.msg.command),
        ['JOIN', '353', '366'],
      );
      // …and CHATHISTORY gives it everything.
      assert.deepEqual(await texts(modern, 'CHATHISTORY LATEST #replay * 10', '#replay'), [1, 2, 3, 4, 5].map((i) => `said ${i} 你好 🎈`));

      // A room with no history replays nothing.
      plain.send('JOIN #quiet');
      await plain.waitFor('366');
      await plain.sync();
      assert.deepEqual(plain.drain().map((r) => r.raw), []);
    });
  });

  describe(`history.enabled false (${kind} store)`, () => {
    let t: TestServer;
    before(async () => {
      t = await startServer({ history: { enabled: false, replayOnJoin: 5 } }, { store: await newStore(kind) });
    });
    after(() => t.close());

    test('the cap is not offered, CHATHISTORY fails with MESSAGE_ERROR, no CHATHISTORY token, and nothing is stored or replayed', async () => {
      // Not offered when history is off: a client asking for it gets NAK.
      const probe = await t.connect();
      probe.send('CAP LS 302');
      assert.ok(!(await probe.waitFor('CAP')).msg.params[2]!.split(' ').includes('draft/chathistory'));
      probe.send('CAP REQ draft/chathistory');
      assert.equal((await probe.waitFor('CAP')).msg.params[1], 'NAK');
      const caps = CAPS.filter((c) => c !== 'draft/chathistory');
      const a = await t.register('offa', caps);
      const b = await t.register('offb', caps);
      const tokens = isupportTokens(a);
      assert.ok(!tokens.some((tok) => tok.startsWith('CHATHISTORY') || tok.startsWith('MSGREFTYPES')), tokens.join(' '));
      await joinAll('#off', a, b);
      await say(a, 'offa', '#off', 'not kept');
      await say(a, 'offa', 'offb', 'not kept either');
      assert.deepEqual(await failure(a, 'CHATHISTORY LATEST #off * 10'), ['CHATHISTORY', 'MESSAGE_ERROR', 'LATEST', '#off']);
      assert.deepEqual(await failure(a, 'CHATHISTORY BEFORE offb timestamp=2030-01-01T00:00:00.000Z 10'), ['CHATHISTORY', 'MESSAGE_ERROR', 'BEFORE', 'offb']);
      assert.deepEqual(
        await failure(a, 'CHATHISTORY TARGETS timestamp=2030-01-01T00:00:00.000Z timestamp=2000-01-01T00:00:00.000Z 10'),
        ['CHATHISTORY', 'MESSAGE_ERROR', 'TARGETS', '*'],
      );
      await t.server.store.flush();
      assert.deepEqual(await t.server.store.latest('#off', 10), []);
      assert.deepEqual(await t.server.store.latest(conversationKey('offa', 'offb'), 10), []);
      const late = await t.register('offlate');
      const mark = late.received.length;
      late.send('JOIN #off');
      await late.waitFor('366');
      await late.sync();
      assert.deepEqual(
        late.since(mark).map((r) => r.msg.command),
        ['JOIN', '353', '366'],
      );
    });
  });

  describe(`retention, history.maxPerTarget 3 (${kind} store)`, () => {
    let t: TestServer;
    const clock = new ManualClock();
    const prunes: { args: [number, number]; done: Promise<number> }[] = [];
    before(async () => {
      const store = await newStore(kind);
      // Watch the server's retention sweep call the store.
      const prune = store.prune.bind(store);
      store.prune = (before: number, keep: number): Promise<number> => {
        const done = prune(before, keep);
        prunes.push({ args: [before, keep], done });
        return done;
      };
      t = await startServer({ accounts: { passwordCost: TEST_PASSWORD_COST }, history: { maxPerTarget: 3 } }, { store, clock });
      for (const name of ['keepa', 'keepb']) await addAccount(t, name, PASSWORD);
    });
    after(() => t.close());

    test('the sweep keeps the newest 3 of each room and conversation', async () => {
      const a = await loginUser(t, 'keepa', 'keepa', PASSWORD, CAPS);
      const b = await loginUser(t, 'keepb', 'keepb', PASSWORD, CAPS);
      await joinAll('#keep', a, b);
      // 100 ms apart: all before the first sweep, 5 s after the server started.
      const sent: Said[] = [];
      for (let i = 0; i < 6; i++) {
        clock.advance(100);
        sent.push(await say(a, 'keepa', '#keep', `room ${i}`));
      }
      for (let i = 0; i < 5; i++) {
        clock.advance(100);
        sent.push(await say(b, 'keepb', 'keepa', `private ${i}`));
      }
      assert.equal(prunes.length, 0, 'no sweep yet');
      // The first sweep (every 5 s here) prunes; later ones wait a minute.
      clock.advance(5000);
      assert.equal(prunes.length, 1);
      assert.deepEqual(prunes[0]!.args, [0, 3]);
      assert.equal(await prunes[0]!.done, 3 + 2);
      assert.deepEqual(await texts(a, 'CHATHISTORY LATEST #keep * 10', '#keep'), ['room 3', 'room 4', 'room 5']);
      assert.deepEqual(await texts(a, 'CHATHISTORY LATEST keepb * 10', 'keepb'), ['private 2', 'private 3', 'private 4']);
      assert.deepEqual(await texts(b, 'CHATHISTORY BEFORE keepa timestamp=2100-01-01T00:00:00.000Z 10', 'keepa'), ['private 2', 'private 3', 'private 4']);
      clock.advance(5000);
      assert.equal(prunes.length, 1, 'at most one prune a minute');
      // By age (called directly): everything said before "private 3" goes.
      const cut = sent.find((s) => s.text === 'private 3')!.time;
      assert.equal(await t.server.store.prune(cut, Infinity), 3 + 1);
      assert.deepEqual(await texts(a, 'CHATHISTORY LATEST #keep * 10', '#keep'), []);
      assert.deepEqual(await texts(a, 'CHATHISTORY LATEST keepb * 10', 'keepb'), ['private 3', 'private 4']);
    });
  });
}
