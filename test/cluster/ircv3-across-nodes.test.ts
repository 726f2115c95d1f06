// The IRCv3 features of issue 16 on two real `parlor serve` processes sharing one Redis (the
// log) and one PostgreSQL database (the store of record), started once for the whole file.
// Each check acts on node a and looks on node b: a client with the capability sees the
// feature, a plain IRC client without it gets the graceful fallback (nothing, plain lines, no
// tag). REDACT and history, MARKREAD between one account's connections, draft/multiline,
// bot mode, SCRAM-SHA-256, +e/+I with $a:account, extended-monitor, LINKS, NAMES #a,#b and
// LIST >n; and that node b advertises them (CAP LS, ISUPPORT).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { foldCase } from '../../src/protocol/casemapping.ts';
import { CONCAT_TAG } from '../../src/protocol/multiline.ts';
import { CHAT_CAPS, historyOf, say } from '../helpers/cluster-checks.ts';
import { diagnosed, startCluster, type Cluster, type ClusterNode } from '../helpers/cluster-procs.ts';
import { is, until } from '../helpers/irc.ts';
import type { RawClient, Received } from '../helpers/raw-client.ts';
import { plainLogin, scramLogin, scramUpToFinal } from '../server/scram-exchange.ts';

const TEST_TIMEOUT_MS = 60_000;
const WAIT_MS = 10_000;
/** History is written from the log asynchronously (in batches): how long a deletion may take to show. */
const HISTORY_SETTLE_MS = 20_000;

const nickOf = (r: Received): string | undefined => r.msg.source?.split('!')[0];
const line = (command: string, nick: string) => (r: Received) => r.msg.command === command && nickOf(r) === nick;
const said = (nick: string, text: string) => (r: Received) => line('PRIVMSG', nick)(r) && r.msg.params[1] === text;

/** Joins `c` (registered as `nick`) to `room`; every client in `members` waits for its JOIN, so both nodes have applied it. */
async function joinSeen(c: RawClient, nick: string, room: string, ...members: RawClient[]): Promise<void> {
  c.send(`JOIN ${room}`);
  await c.waitFor(is('366', nick, room), WAIT_MS);
  for (const m of members) await m.waitFor((r) => line('JOIN', nick)(r) && r.msg.params[0] === room, WAIT_MS);
}

/** Lines with `command` that `c` was sent from `mark` on, once everything sent to it so far has arrived. */
async function commandsSince(c: RawClient, mark: number, command: string): Promise<Received[]> {
  await c.sync(WAIT_MS);
  return c.since(mark).filter((r) => r.msg.command === command);
}

/** Creates account `name` with REGISTER from a connection on `node` (which stays logged in to it). */
async function registerAccount(node: ClusterNode, name: string, password: string): Promise<RawClient> {
  const c = await node.register(name, ['draft/account-registration']);
  c.send(`REGISTER * * :${password}`);
  const answer = await c.waitFor((r) => r.msg.command === 'REGISTER' || r.msg.command === 'FAIL', WAIT_MS);
  assert.deepEqual(answer.msg.params.slice(0, 2), ['SUCCESS', name], answer.raw);
  return c;
}

/** Connects to `node` with CAP LS 302 and `caps` (sasl among them), NICK and USER sent; registration held until CAP END. */
async function connectHeld(node: ClusterNode, nick: string, caps: string[]): Promise<RawClient> {
  const c = await node.connect();
  c.send('CAP LS 302', `NICK ${nick}`, `USER ${nick} 0 * :${nick} Test`, `CAP REQ :${caps.join(' ')}`);
  await c.waitFor((r) => r.msg.command === 'CAP' && r.msg.params[1] === 'ACK', WAIT_MS);
  return c;
}

/** JOIN's outcome: 'joined', or the refusing numeric. */
async function tryJoin(c: RawClient, room: string): Promise<string> {
  c.send(`JOIN ${room}`);
  const r = await c.waitFor((x) => (x.msg.command === 'JOIN' && x.msg.params[0] === room) || ['471', '473', '474', '475'].includes(x.msg.command), WAIT_MS);
  if (r.msg.command !== 'JOIN') return r.msg.command;
  await c.waitFor(is('366'), WAIT_MS);
  return 'joined';
}

/** A multiline batch's combined text as `c` receives it, and the opening BATCH line. */
async function receiveBatch(c: RawClient): Promise<{ open: Received; text: string }> {
  const open = await c.waitFor((r) => r.msg.command === 'BATCH' && r.msg.params[1] === 'draft/multiline', WAIT_MS);
  const ref = open.msg.params[0]!.slice(1);
  const rest = await until(c, (r) => r.msg.command === 'BATCH' && r.msg.params[0] === `-${ref}`);
  let text = '';
  rest.slice(0, -1).forEach((r, i) => {
    assert.equal(r.msg.tags.batch, ref, r.raw);
    if (i > 0 && r.msg.tags[CONCAT_TAG] === undefined) text += '\n';
    text += r.msg.params[1];
  });
  return { open, text };
}

describe('issue 16 features across two parlor processes on Redis and PostgreSQL', () => {
  let cluster: Cluster;
  let a: ClusterNode;
  let b: ClusterNode;
  before(async () => {
    cluster = await startCluster(undefined, { nodes: 2 });
    [a, b] = cluster.nodes as [ClusterNode, ClusterNode];
  });
  after(() => cluster?.close());

  test('node b advertises every feature: the caps in CAP LS 302 and the ISUPPORT tokens', { timeout: TEST_TIMEOUT_MS }, () =>
    diagnosed(cluster, async () => {
      const c = await b.connect();
      c.send('CAP LS 302');
      const ls = await until(c, (r) => r.msg.command === 'CAP' && r.msg.params[1] === 'LS' && r.msg.params[2] !== '*');
      const caps = ls.flatMap((r) => r.msg.params.at(-1)!.split(' ')).map((cap) => cap.split('=')[0]!);
      for (const cap of ['draft/message-redaction', 'draft/read-marker', 'draft/multiline', 'extended-monitor', 'sasl']) assert.ok(caps.includes(cap), `${cap} in CAP LS: ${caps.join(' ')}`);
      assert.ok(ls.some((r) => r.msg.params.at(-1)!.split(' ').includes('sasl=PLAIN,SCRAM-SHA-256')), ls.map((r) => r.raw).join('\n'));
      c.send('CAP END', 'NICK adv_check', 'USER adv_check 0 * :adv');
      const welcome = await until(c, (r) => r.msg.command === '376' || r.msg.command === '422');
      const tokens = welcome.filter((r) => r.msg.command === '005').flatMap((r) => r.msg.params.slice(1, -1));
      for (const token of ['BOT=B', 'EXCEPTS=e', 'INVEX=I', 'EXTBAN=$,a', 'ELIST=CMNTU']) assert.ok(tokens.includes(token), `${token} in ISUPPORT: ${tokens.join(' ')}`);
      c.close();
    }),
  );

  test('REDACT on a: b with the cap is told, b without is not; CHATHISTORY on b no longer has it', { timeout: TEST_TIMEOUT_MS }, () =>
    diagnosed(cluster, async () => {
      const redactCaps = [...CHAT_CAPS, 'draft/message-redaction'];
      const alice = await a.register('rd_alice', redactCaps);
      const bob = await b.register('rd_bob', redactCaps);
      const plain = await b.register('rd_plain');
      await joinSeen(alice, 'rd_alice', '#redact');
      await joinSeen(bob, 'rd_bob', '#redact', alice);
      await joinSeen(plain, 'rd_plain', '#redact', alice);

      const doomed = await say(alice, 'rd_alice', '#redact', 'a message to delete');
      const kept = await say(alice, 'rd_alice', '#redact', 'a message to keep');
      assert.ok(doomed && kept);
      for (const c of [bob, plain]) await c.waitFor(said('rd_alice', 'a message to keep'), WAIT_MS);
      const plainMark = plain.received.length;

      alice.send(`REDACT #redact ${doomed.msgid} :posted by mistake`);
      await alice.waitFor(is('REDACT', '#redact', doomed.msgid, 'posted by mistake'), WAIT_MS);
      const told = await bob.waitFor(is('REDACT', '#redact', doomed.msgid, 'posted by mistake'), WAIT_MS);
      assert.equal(nickOf(told), 'rd_alice');

      // A line said after the deletion reaches the plain client after it would have: it was sent no REDACT.
      const later = await say(alice, 'rd_alice', '#redact', 'said after the deletion');
      assert.ok(later);
      await plain.waitFor(said('rd_alice', 'said after the deletion'), WAIT_MS);
      assert.deepEqual(await commandsSince(plain, plainMark, 'REDACT'), []);

      // History on node b (the shared PostgreSQL) drops the deleted line and keeps the others.
      const deadline = Date.now() + HISTORY_SETTLE_MS;
      for (;;) {
        const history = await historyOf(bob, '#redact');
        assert.ok(!('fail' in history), JSON.stringify(history));
        const done = !history.msgids.includes(doomed.msgid) && history.msgids.includes(kept.msgid) && history.msgids.includes(later.msgid);
        if (done) break;
        if (Date.now() > deadline) assert.fail(`history of #redact on node b after ${HISTORY_SETTLE_MS} ms: ${JSON.stringify(history.texts)}`);
        // Written asynchronously from the log: ask again shortly (as assertHistoryComplete does).
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      for (const c of [alice, bob, plain]) c.close();
    }),
  );

  test('MARKREAD on a reaches the account’s connection on b with the same timestamp, and a later JOIN on b; not a plain one', { timeout: TEST_TIMEOUT_MS }, () =>
    diagnosed(cluster, async () => {
      const marker = 'timestamp=2024-05-01T12:34:56.789Z';
      const owner = await registerAccount(a, 'mk_mara', 'mara-password');
      const onA = await a.login('mk_mara_a', 'mk_mara', 'mara-password', ['draft/read-marker']);
      const onB = await b.login('mk_mara_b', 'mk_mara', 'mara-password', ['draft/read-marker']);
      const plainOnB = await b.login('mk_mara_p', 'mk_mara', 'mara-password');
      const plainMark = plainOnB.received.length;

      onA.send(`MARKREAD #marks ${marker}`);
      assert.deepEqual((await onA.waitFor('MARKREAD', WAIT_MS)).msg.params, ['#marks', marker]);
      assert.deepEqual((await onB.waitFor('MARKREAD', WAIT_MS)).msg.params, ['#marks', marker]);
      // Node b told its connections of the account at once: the plain one was told nothing.
      assert.deepEqual(await commandsSince(plainOnB, plainMark, 'MARKREAD'), []);

      // A connection made later on b is told on JOIN, before the end of NAMES.
      const later = await b.login('mk_mara_r', 'mk_mara', 'mara-password', ['draft/read-marker']);
      later.send('JOIN #marks');
      const joined = await until(later, is('366', 'mk_mara_r', '#marks'));
      assert.deepEqual(joined.find((r) => r.msg.command === 'MARKREAD')?.msg.params, ['#marks', marker], joined.map((r) => r.raw).join('\n'));
      // MARKREAD #marks (a query) on b answers with what a set.
      onB.send('MARKREAD #marks');
      assert.deepEqual((await onB.waitFor('MARKREAD', WAIT_MS)).msg.params, ['#marks', marker]);
      plainOnB.send('JOIN #marks');
      const plainJoined = await until(plainOnB, is('366', 'mk_mara_p', '#marks'));
      assert.ok(!plainJoined.some((r) => r.msg.command === 'MARKREAD'), plainJoined.map((r) => r.raw).join('\n'));
      for (const c of [owner, onA, onB, plainOnB, later]) c.close();
    }),
  );

  test('a draft/multiline batch from a: one batch on b with the cap, plain PRIVMSG lines without', { timeout: TEST_TIMEOUT_MS }, () =>
    diagnosed(cluster, async () => {
      const alice = await a.register('ml_alice', ['batch', 'draft/multiline', 'message-tags', 'echo-message']);
      const bob = await b.register('ml_bob', ['batch', 'draft/multiline', 'message-tags']);
      const plain = await b.register('ml_plain');
      await joinSeen(alice, 'ml_alice', '#multi');
      await joinSeen(bob, 'ml_bob', '#multi', alice);
      await joinSeen(plain, 'ml_plain', '#multi', alice);

      alice.send('BATCH +m1 draft/multiline #multi', '@batch=m1 PRIVMSG #multi :第一行 👋', '@batch=m1 PRIVMSG #multi :second ', `@batch=m1;${CONCAT_TAG} PRIVMSG #multi :line`, 'BATCH -m1');
      const echo = await receiveBatch(alice);
      assert.equal(echo.text, '第一行 👋\nsecond line');
      const got = await receiveBatch(bob);
      assert.equal(got.text, '第一行 👋\nsecond line');
      assert.equal(nickOf(got.open), 'ml_alice');
      assert.equal(got.open.msg.tags.msgid, echo.open.msg.tags.msgid);

      const lines = [];
      for (let i = 0; i < 3; i++) lines.push(await plain.waitFor('PRIVMSG', WAIT_MS));
      assert.deepEqual(
        lines.map((r) => [r.raw.startsWith('@'), r.msg.source, ...r.msg.params]),
        ['第一行 👋', 'second ', 'line'].map((text) => [false, 'ml_alice!ml_alice@127.0.0.1', '#multi', text]),
      );
      assert.deepEqual(await commandsSince(plain, 0, 'BATCH'), []);
      for (const c of [alice, bob, plain]) c.close();
    }),
  );

  test('MODE +B on a: WHOIS on b gives 335, the bot tag on b for message-tags clients, none for a plain one', { timeout: TEST_TIMEOUT_MS }, () =>
    diagnosed(cluster, async () => {
      const bot = await a.register('bt_robo');
      const human = await b.register('bt_human', ['message-tags']);
      const plain = await b.register('bt_plain');
      await joinSeen(human, 'bt_human', '#bots');
      await joinSeen(plain, 'bt_plain', '#bots', human);
      bot.send('MODE bt_robo +B');
      await bot.waitFor(is('MODE', 'bt_robo', '+B'), WAIT_MS);
      await joinSeen(bot, 'bt_robo', '#bots', human, plain);

      bot.send('PRIVMSG #bots :beep from node a');
      const tagged = await human.waitFor(said('bt_robo', 'beep from node a'), WAIT_MS);
      assert.equal(tagged.msg.tags.bot, '', tagged.raw);
      const untagged = await plain.waitFor(said('bt_robo', 'beep from node a'), WAIT_MS);
      assert.equal(untagged.raw, ':bt_robo!bt_robo@127.0.0.1 PRIVMSG #bots :beep from node a');

      for (const [c, nick] of [
        [human, 'bt_human'],
        [plain, 'bt_plain'],
      ] as const) {
        c.send('WHOIS bt_robo');
        const whois = await until(c, is('318', nick));
        assert.ok(whois.some((r) => r.msg.command === '335' && r.msg.params[1] === 'bt_robo'), whois.map((r) => r.raw).join('\n'));
      }
      human.send('WHO bt_robo');
      assert.equal((await human.waitFor('352', WAIT_MS)).msg.params[6], 'HB');
      for (const c of [bot, human, plain]) c.close();
    }),
  );

  test('SCRAM-SHA-256 on b for an account registered on a; one from before SCRAM gets its verifier at a PLAIN login on a', { timeout: TEST_TIMEOUT_MS }, () =>
    diagnosed(cluster, async () => {
      const owner = await registerAccount(a, 'sc_scarlet', 'correct horse');
      owner.close();
      const onB = await connectHeld(b, 'sc_scarlet_b', ['sasl']);
      assert.equal(await scramLogin(onB, 'sc_scarlet', 'correct horse'), 'sc_scarlet');
      onB.send('CAP END');
      await onB.waitFor('001', WAIT_MS);
      onB.send('WHOIS sc_scarlet_b');
      assert.deepEqual((await onB.waitFor('330', WAIT_MS)).msg.params.slice(1, 3), ['sc_scarlet_b', 'sc_scarlet']);

      const wrong = await connectHeld(b, 'sc_wrong', ['sasl']);
      assert.equal((await scramUpToFinal(wrong, 'sc_scarlet', 'wrong horse')).afterFinal, 'numeric:904 SASL authentication failed');

      // An account as it was before SCRAM: no verifier in the store.
      const legacy = await registerAccount(a, 'sc_legacy', 'old password');
      legacy.close();
      const db = new pg.Client({ connectionString: cluster.pgUrl });
      await db.connect();
      try {
        await db.query('UPDATE accounts SET scram = NULL WHERE name_key = $1', [foldCase('sc_legacy')]);
        const beforeMigration = await connectHeld(b, 'sc_legacy_b', ['sasl']);
        assert.equal((await scramUpToFinal(beforeMigration, 'sc_legacy', 'old password')).afterFinal, 'numeric:904 SASL authentication failed');
        const plainOnA = await connectHeld(a, 'sc_legacy_a', ['sasl']);
        assert.equal(await plainLogin(plainOnA, 'sc_legacy', 'old password'), '903');
        beforeMigration.close();
        plainOnA.close();
        // The verifier is derived in the background after the PLAIN login: wait until the store has it.
        const deadline = Date.now() + WAIT_MS;
        for (;;) {
          const { rows } = await db.query<{ scram: string | null }>('SELECT scram FROM accounts WHERE name_key = $1', [foldCase('sc_legacy')]);
          if (rows[0]?.scram) break;
          if (Date.now() > deadline) assert.fail('no SCRAM verifier stored after a PLAIN login on node a');
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      } finally {
        await db.end();
      }
      const afterMigration = await connectHeld(b, 'sc_legacy_c', ['sasl']);
      assert.equal(await scramLogin(afterMigration, 'sc_legacy', 'old password'), 'sc_legacy');
      for (const c of [onB, wrong, afterMigration]) c.close();
    }),
  );

  test('+b with +e and +I (masks and $a:account) set on a decide JOINs on b', { timeout: TEST_TIMEOUT_MS }, () =>
    diagnosed(cluster, async () => {
      const owner = await registerAccount(a, 'ex_member', 'member-password');
      owner.close();
      const op = await a.register('ex_op');
      const watch = await b.register('ex_watch');
      await joinSeen(op, 'ex_op', '#exbans');
      await joinSeen(watch, 'ex_watch', '#exbans', op);
      await joinSeen(op, 'ex_op', '#exinvite');
      await joinSeen(watch, 'ex_watch', '#exinvite', op);
      // The watcher on b may read the exception list (an operator's right).
      op.send('MODE #exbans +o ex_watch');
      await watch.waitFor(is('MODE', '#exbans', '+o', 'ex_watch'), WAIT_MS);
      // Every client here comes from 127.0.0.1: the ban is on everyone but the exceptions.
      op.send('MODE #exbans +bee *!*@127.0.0.1 ex_exempt!*@* $a:ex_member');
      op.send('MODE #exinvite +iII ex_guest!*@* $a:ex_member');
      // The watcher on b sees both: node b has applied them.
      const bans = await watch.waitFor((r) => line('MODE', 'ex_op')(r) && r.msg.params[0] === '#exbans', WAIT_MS);
      assert.deepEqual(bans.msg.params, ['#exbans', '+bee', '*!*@127.0.0.1', 'ex_exempt!*@*', '$a:ex_member']);
      const invites = await watch.waitFor((r) => line('MODE', 'ex_op')(r) && r.msg.params[0] === '#exinvite', WAIT_MS);
      assert.deepEqual(invites.msg.params, ['#exinvite', '+iII', 'ex_guest!*@*', '$a:ex_member']);

      const stranger = await b.register('ex_stranger');
      const exempt = await b.register('ex_exempt');
      const guest = await b.register('ex_guest');
      const member = await b.login('ex_someone', 'ex_member', 'member-password');
      assert.equal(await tryJoin(stranger, '#exbans'), '474');
      assert.equal(await tryJoin(exempt, '#exbans'), 'joined');
      assert.equal(await tryJoin(member, '#exbans'), 'joined');
      assert.equal(await tryJoin(stranger, '#exinvite'), '473');
      assert.equal(await tryJoin(guest, '#exinvite'), 'joined');
      assert.equal(await tryJoin(member, '#exinvite'), 'joined');
      // Node a saw them join.
      for (const nick of ['ex_exempt', 'ex_someone']) await op.waitFor((r) => line('JOIN', nick)(r) && r.msg.params[0] === '#exbans', WAIT_MS);

      // The lists on b are the ones a set.
      watch.send('MODE #exbans e');
      const list = await until(watch, is('349'));
      assert.deepEqual(list.filter((r) => r.msg.command === '348').map((r) => r.msg.params[2]), ['ex_exempt!*@*', '$a:ex_member']);
      for (const c of [op, watch, stranger, exempt, guest, member]) c.close();
    }),
  );

  test('extended-monitor: b watches a nick on a and gets its AWAY, a watcher without the cap does not; LINKS and NAMES #a,#b on both', { timeout: TEST_TIMEOUT_MS }, () =>
    diagnosed(cluster, async () => {
      const target = await a.register('em_target');
      const watcher = await b.register('em_watcher', ['extended-monitor', 'away-notify']);
      const plain = await b.register('em_plain', ['away-notify']);
      for (const c of [watcher, plain]) {
        c.send('MONITOR + em_target');
        assert.match((await c.waitFor('730', WAIT_MS)).msg.params[1]!, /^em_target!/);
      }
      const plainMark = plain.received.length;
      target.send('AWAY :at lunch');
      await target.waitFor('306', WAIT_MS);
      const away = await watcher.waitFor(line('AWAY', 'em_target'), WAIT_MS);
      assert.deepEqual(away.msg.params, ['at lunch']);
      assert.deepEqual(await commandsSince(plain, plainMark, 'AWAY'), []);

      for (const [c, own, other] of [
        [target, 'a.parlor', 'b.parlor'],
        [watcher, 'b.parlor', 'a.parlor'],
      ] as const) {
        c.send('LINKS');
        const links = (await until(c, is('365'))).filter((r) => r.msg.command === '364');
        assert.deepEqual(
          links.map((r) => [r.msg.params[1], r.msg.params[2], r.msg.params[3]!.split(' ')[0]]),
          [
            [own, own, '0'],
            [other, own, '1'],
          ],
        );
      }

      await joinSeen(target, 'em_target', '#names1');
      await joinSeen(target, 'em_target', '#names2');
      await joinSeen(watcher, 'em_watcher', '#names2', target);
      watcher.send('NAMES #names1,#names2');
      const names = await until(watcher, is('366', 'em_watcher', '#names2'));
      assert.deepEqual(
        names.filter((r) => r.msg.command === '353' || r.msg.command === '366').map((r) => [r.msg.command, ...r.msg.params.slice(1)]),
        [
          ['353', '=', '#names1', '@em_target'],
          ['366', '#names1', 'End of /NAMES list'],
          ['353', '=', '#names2', '@em_target em_watcher'],
          ['366', '#names2', 'End of /NAMES list'],
        ],
      );
      // LIST with an ELIST member-count condition on b counts the members on both nodes.
      watcher.send('LIST >1');
      const listed = (await until(watcher, is('323'))).filter((r) => r.msg.command === '322' && r.msg.params[1]!.startsWith('#names'));
      assert.deepEqual(listed.map((r) => r.msg.params.slice(1, 3)), [['#names2', '2']]);
      for (const c of [target, watcher, plain]) c.close();
    }),
  );
});
