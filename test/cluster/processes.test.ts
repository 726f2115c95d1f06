// Three real `parlor serve` processes on one Redis (the log) and one PostgreSQL database (the
// store of record), as issue 14 runs them: users on different nodes chat in rooms and
// privately and see each other's JOIN, NICK, TOPIC, KICK and QUIT; a nick taken on one node is
// refused on another; an operator on node a kills, bans and broadcasts across nodes; WHOIS
// across nodes; an account registered on a logs in on c, where CHATHISTORY returns what was
// said on a; an irc-framework client takes part; a node started late sees the network.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import IRC, { type Client } from 'irc-framework';
import { CHAT_CAPS, assertHistoryComplete, say, type Said } from '../helpers/cluster-checks.ts';
import { OPER_NAME, OPER_PASSWORD, diagnosed, startCluster, type Cluster, type ClusterNode } from '../helpers/cluster-procs.ts';
import { is, joinAll } from '../helpers/irc.ts';
import { namesOf } from '../helpers/race-cluster.ts';
import type { RawClient, Received } from '../helpers/raw-client.ts';

const TEST_TIMEOUT_MS = 60_000;
const from = (nick: string) => (r: Received) => r.msg.source?.split('!')[0] === nick;
const line = (command: string, nick: string) => (r: Received) => r.msg.command === command && from(nick)(r);

/** Connects as `nick` on `node` and waits for the registration's refusal numeric (no MOTD). */
async function refusedNick(node: ClusterNode, nick: string, numeric: string): Promise<Received> {
  const c = await node.connect();
  c.send(`NICK ${nick}`, `USER ${nick} 0 * :${nick}`);
  const r = await c.waitFor((x) => x.msg.command === numeric || x.msg.command === '001', 10_000);
  assert.equal(r.msg.command, numeric, `registering ${nick} on node ${node.id}: ${r.raw}`);
  c.close();
  return r;
}

/** An irc-framework client (the library behind Kiwi IRC) whose events are awaited in order. */
class FrameworkUser {
  readonly client: Client;
  private readonly seen: { name: string; event: Record<string, unknown> }[] = [];
  private waiters: { name: string; pred: (e: Record<string, unknown>) => boolean; resolve: () => void }[] = [];

  constructor(port: number, nick: string) {
    this.client = new IRC.Client();
    for (const name of ['registered', 'join', 'privmsg']) {
      this.client.on(name, (event: Record<string, unknown>) => {
        this.seen.push({ name, event: event ?? {} });
        for (const w of this.waiters.filter((x) => x.name === name && x.pred(event ?? {}))) {
          this.waiters = this.waiters.filter((x) => x !== w);
          w.resolve();
        }
      });
    }
    this.client.connect({ host: '127.0.0.1', port, nick, username: nick, gecos: nick, auto_reconnect: false, ping_interval: 0, ping_timeout: 0, enable_echomessage: true });
  }

  waitFor(name: string, pred: (e: Record<string, unknown>) => boolean = () => true, timeoutMs = 10_000): Promise<void> {
    if (this.seen.some((s) => s.name === name && pred(s.event))) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`irc-framework: timed out waiting for '${name}'`)), timeoutMs);
      this.waiters.push({
        name,
        pred,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  quit(): void {
    this.client.quit('done');
  }
}

describe('three parlor processes on Redis and PostgreSQL', () => {
  let cluster: Cluster;
  let a: ClusterNode;
  let b: ClusterNode;
  let c: ClusterNode;
  before(async () => {
    cluster = await startCluster(undefined, { nodes: 3 });
    [a, b, c] = cluster.nodes as [ClusterNode, ClusterNode, ClusterNode];
  });
  after(() => cluster?.close());

  test('a room and a private conversation across nodes; JOIN, NICK, TOPIC, KICK and QUIT seen on the others', { timeout: TEST_TIMEOUT_MS }, () =>
    diagnosed(cluster, async () => {
      const alice = await a.register('alice');
      const bob = await b.register('bob');
      const carol = await c.register('carol');
      await joinAll('#room', alice);
      bob.send('JOIN #room');
      await bob.waitFor(is('366', 'bob', '#room'), 10_000);
      await alice.waitFor(line('JOIN', 'bob'), 10_000);
      carol.send('JOIN #room');
      await carol.waitFor(is('366', 'carol', '#room'), 10_000);
      await alice.waitFor(line('JOIN', 'carol'), 10_000);
      await bob.waitFor(line('JOIN', 'carol'), 10_000);
      assert.deepEqual(await namesOf(carol, '#room'), ['@alice', 'bob', 'carol']);

      alice.send('PRIVMSG #room :hello from a, 你好 👋');
      for (const other of [bob, carol]) assert.equal((await other.waitFor(line('PRIVMSG', 'alice'), 10_000)).msg.params[1], 'hello from a, 你好 👋');
      bob.send('PRIVMSG carol :a private word from b');
      assert.deepEqual((await carol.waitFor(line('PRIVMSG', 'bob'), 10_000)).msg.params, ['carol', 'a private word from b']);

      bob.send('NICK bobby');
      for (const other of [alice, carol]) assert.deepEqual((await other.waitFor(line('NICK', 'bob'), 10_000)).msg.params, ['bobby']);
      alice.send('TOPIC #room :the topic, set on a');
      for (const other of [bob, carol]) assert.deepEqual((await other.waitFor(line('TOPIC', 'alice'), 10_000)).msg.params, ['#room', 'the topic, set on a']);
      alice.send('KICK #room carol :out you go');
      for (const other of [bob, carol]) assert.deepEqual((await other.waitFor(line('KICK', 'alice'), 10_000)).msg.params, ['#room', 'carol', 'out you go']);
      bob.send('QUIT :leaving now');
      const quit = await alice.waitFor(line('QUIT', 'bobby'), 10_000);
      assert.match(quit.msg.params[0]!, /leaving now/);
      assert.deepEqual(await namesOf(alice, '#room'), ['@alice']);
      alice.close();
      carol.close();
    }),
  );

  test('a nick in use on another node is refused: 433 at registration and on NICK', { timeout: TEST_TIMEOUT_MS }, () =>
    diagnosed(cluster, async () => {
      const dave = await a.register('dave');
      const clash = await refusedNick(c, 'dave', '433');
      assert.deepEqual(clash.msg.params.slice(1, 2), ['dave']);
      const eve = await b.register('eve');
      eve.send('NICK DAVE');
      assert.deepEqual((await eve.waitFor('433', 10_000)).msg.params.slice(0, 2), ['eve', 'DAVE']);
      // WHOIS across nodes: node b knows dave, on node a.
      eve.send('WHOIS dave');
      const whois = await eve.waitFor('311', 10_000);
      assert.deepEqual(whois.msg.params.slice(0, 4), ['eve', 'dave', 'dave', '127.0.0.1']);
      await eve.waitFor(is('318', 'eve', 'dave'), 10_000);
      dave.close();
      eve.close();
    }),
  );

  test('an operator on a: KILL of a user on b, a KLINE that reaches b and c, WALLOPS and NOTICE $* to b and c', { timeout: TEST_TIMEOUT_MS }, () =>
    diagnosed(cluster, async () => {
      const op = await a.register('op');
      op.send(`OPER ${OPER_NAME} ${OPER_PASSWORD}`);
      await op.waitFor('381', 10_000);
      const victim = await b.register('victim');
      const witness = await c.register('witness');
      await joinAll('#kills', victim);
      witness.send('JOIN #kills');
      await victim.waitFor(line('JOIN', 'witness'), 10_000);

      op.send('KILL victim :too loud');
      assert.match((await victim.waitFor('ERROR', 10_000)).msg.params[0]!, /Killed \(op \(too loud\)\)/);
      await victim.waitClose();
      assert.match((await witness.waitFor(line('QUIT', 'victim'), 10_000)).msg.params[0]!, /too loud/);

      const banned = await c.register('spammer');
      const guard = await b.register('guard');
      await joinAll('#bans', banned);
      guard.send('JOIN #bans');
      await banned.waitFor(line('JOIN', 'guard'), 10_000);
      op.send('KLINE 1h spammer :spam');
      await banned.waitFor('465', 10_000);
      assert.match((await banned.waitFor('ERROR', 10_000)).msg.params[0]!, /Banned: spam/);
      await banned.waitClose();
      assert.match((await guard.waitFor(line('QUIT', 'spammer'), 10_000)).msg.params[0]!, /Banned: spam/);
      // The ban holds on node b too (which has seen the user go): registering the nick there is refused.
      const again = await b.connect();
      again.send('NICK spammer', 'USER spammer 0 * :spammer');
      await again.waitFor('465', 10_000);
      await again.waitFor('ERROR', 10_000);
      op.send('UNKLINE spammer');
      await op.waitFor((r) => r.msg.command === 'NOTICE' && /Removed the ban/.test(r.msg.params[1] ?? ''), 10_000);

      const onB = await b.register('wallb');
      const onC = await c.register('wallc');
      for (const [client, nick] of [
        [onB, 'wallb'],
        [onC, 'wallc'],
      ] as const) {
        client.send(`MODE ${nick} +w`);
        await client.waitFor('MODE', 10_000);
      }
      op.send('WALLOPS :maintenance at noon');
      for (const client of [onB, onC]) assert.deepEqual((await client.waitFor(line('WALLOPS', 'op'), 10_000)).msg.params, ['maintenance at noon']);
      op.send('NOTICE $* :to everyone on the network');
      for (const client of [onB, onC, witness]) await client.waitFor((r) => r.msg.command === 'NOTICE' && r.msg.params[1] === 'to everyone on the network', 10_000);
      for (const client of [op, witness, guard, onB, onC]) client.close();
    }),
  );

  test('REGISTER on a, SASL login on c; CHATHISTORY on c returns what was said on a', { timeout: TEST_TIMEOUT_MS }, () =>
    diagnosed(cluster, async () => {
      const regina = await a.register('regina', CHAT_CAPS);
      regina.send('REGISTER * * regina-password');
      assert.deepEqual((await regina.waitFor('REGISTER', 10_000)).msg.params.slice(0, 2), ['SUCCESS', 'regina']);
      await joinAll('#hist', regina);
      const said: Said[] = [];
      for (let i = 0; i < 5; i++) {
        const s = await say(regina, 'regina', '#hist', `said on a, line ${i}`);
        assert.ok(s, `line ${i} acknowledged`);
        said.push(s);
      }
      const elsewhere = await c.login('regina_c', 'regina', 'regina-password', CHAT_CAPS);
      elsewhere.send('WHOIS regina_c');
      assert.deepEqual((await elsewhere.waitFor('330', 10_000)).msg.params.slice(1, 3), ['regina_c', 'regina']);
      await joinAll('#hist', elsewhere);
      await assertHistoryComplete(elsewhere, '#hist', said);
      regina.close();
      elsewhere.close();
    }),
  );

  test('an irc-framework client on c chats with a raw client on a', { timeout: TEST_TIMEOUT_MS }, () =>
    diagnosed(cluster, async () => {
      const framework = new FrameworkUser(c.port, 'kiwi');
      try {
        await framework.waitFor('registered');
        const raw = await a.register('rawa');
        await joinAll('#fw', raw);
        framework.client.join('#fw');
        await raw.waitFor(line('JOIN', 'kiwi'), 10_000);
        framework.client.say('#fw', 'hello from irc-framework on c');
        assert.equal((await raw.waitFor(line('PRIVMSG', 'kiwi'), 10_000)).msg.params[1], 'hello from irc-framework on c');
        raw.send('PRIVMSG #fw :hello back from a');
        await framework.waitFor('privmsg', (e) => e.nick === 'rawa' && e.message === 'hello back from a');
        raw.send('PRIVMSG kiwi :privately, from a');
        await framework.waitFor('privmsg', (e) => e.nick === 'rawa' && e.target === 'kiwi' && e.message === 'privately, from a');
        raw.close();
      } finally {
        framework.quit();
      }
    }),
  );

  test('a node started late sees the existing rooms and users', { timeout: TEST_TIMEOUT_MS }, () =>
    diagnosed(cluster, async () => {
      const early: RawClient[] = [];
      for (const [node, nick] of [
        [a, 'earlya'],
        [b, 'earlyb'],
        [c, 'earlyc'],
      ] as const) {
        const client = await node.register(nick);
        await joinAll('#early', client);
        early.push(client);
      }
      early[0]!.send('TOPIC #early :here before d');
      await early[2]!.waitFor(line('TOPIC', 'earlya'), 10_000);
      const d = await cluster.addNode('d');
      await d.waitLine(/^parlor node d joined cluster \(4 nodes\)$/, 10_000);
      const late = await d.register('latecomer');
      late.send('JOIN #early');
      assert.deepEqual((await late.waitFor('332', 10_000)).msg.params.slice(1), ['#early', 'here before d']);
      assert.deepEqual(await namesOf(late, '#early'), ['@earlya', 'earlyb', 'earlyc', 'latecomer']);
      for (const client of early) await client.waitFor(line('JOIN', 'latecomer'), 10_000);
      late.send('WHOIS earlyc');
      assert.deepEqual((await late.waitFor('311', 10_000)).msg.params.slice(0, 2), ['latecomer', 'earlyc']);
      late.send('PRIVMSG earlyb :hello from d');
      assert.equal((await early[1]!.waitFor(line('PRIVMSG', 'latecomer'), 10_000)).msg.params[1], 'hello from d');
      for (const client of [...early, late]) client.close();
    }),
  );
});
