// IRCv3 over real sockets: echo-message, server-time, message-tags (msgid, client-only
// tags, TAGMSG), labeled-response on messages, away-notify, setname, multi-prefix in WHO,
// and MONITOR.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { during, ISO_MS, joinAll, mask } from '../helpers/irc.ts';
import type { Received } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const REALNAME_LENGTH = 40;
const MONITOR_ENTRIES = 3;

/** The line without its tag section. */
const body = (r: Received): string => (r.raw.startsWith('@') ? r.raw.slice(r.raw.indexOf(' ') + 1) : r.raw);

describe('IRCv3 messages', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({ limits: { realnameLength: REALNAME_LENGTH, monitorEntries: MONITOR_ENTRIES } });
  });
  after(() => t.close());

  test('echo-message: the sender gets its message back with the msgid the others see', async () => {
    const ea = await t.register('ea', ['echo-message', 'message-tags']);
    const eb = await t.register('eb', ['message-tags']);
    const ec = await t.register('ec');
    await joinAll('#echo', ea, eb, ec);
    const [a, b, c] = await during(ea, [ea, eb, ec], () => ea.send('PRIVMSG #echo :hello with echo'));
    const line = `:${mask('ea')} PRIVMSG #echo :hello with echo`;
    assert.equal(a.length, 1);
    assert.equal(body(a[0]!), line);
    assert.equal(b.length, 1);
    assert.equal(body(b[0]!), line);
    assert.ok(a[0]!.msg.tags.msgid, a[0]!.raw);
    assert.equal(a[0]!.msg.tags.msgid, b[0]!.msg.tags.msgid);
    assert.deepEqual(c.map((r) => r.raw), [line], 'no tags at all for a client without caps');

    // Private messages too; a message to oneself arrives twice, as the echo and as the delivery
    // (self-message.test.ts).
    const [a2, b2] = await during(ea, [ea, eb], () => ea.send('PRIVMSG eb :just you', 'PRIVMSG ea :just me'));
    const toSelf = `:${mask('ea')} PRIVMSG ea :just me`;
    assert.deepEqual(a2.map(body), [`:${mask('ea')} PRIVMSG eb :just you`, toSelf, toSelf]);
    assert.deepEqual(b2.map(body), [`:${mask('ea')} PRIVMSG eb :just you`]);
    assert.equal(a2[0]!.msg.tags.msgid, b2[0]!.msg.tags.msgid);
  });

  test('server-time: time= in UTC with milliseconds only for clients with the cap', async () => {
    const ta = await t.register('ta', ['server-time']);
    const tb = await t.register('tb');
    const tc = await t.register('tc');
    await joinAll('#time', ta, tb, tc);
    const before = Date.now();
    const [a, b] = await during(tc, [ta, tb], () => tc.send('PRIVMSG #time :what time is it'));
    const after = Date.now();
    assert.equal(a.length, 1);
    assert.deepEqual(Object.keys(a[0]!.msg.tags), ['time'], 'no msgid without message-tags');
    const time = a[0]!.msg.tags.time!;
    assert.match(time, ISO_MS);
    const ms = Date.parse(time);
    assert.ok(ms >= before - 1000 && ms <= after + 1000, `${time} is now`);
    assert.deepEqual(b.map((r) => r.raw), [`:${mask('tc')} PRIVMSG #time :what time is it`]);
  });

  test('msgid: the same for every recipient of one message, different for the next', async () => {
    const ma = await t.register('ma');
    const mb = await t.register('mb', ['message-tags']);
    const mc = await t.register('mc', ['message-tags', 'server-time']);
    await joinAll('#ids', ma, mb, mc);
    const [b, c] = await during(ma, [mb, mc], () => ma.send('PRIVMSG #ids :first one', 'NOTICE #ids :second one'));
    assert.equal(b.length, 2);
    assert.equal(c.length, 2);
    const ids = b.map((r) => r.msg.tags.msgid);
    assert.ok(ids[0] && ids[1], b.map((r) => r.raw).join('\n'));
    assert.notEqual(ids[0], ids[1]);
    assert.deepEqual(c.map((r) => r.msg.tags.msgid), ids);
    assert.match(c[0]!.msg.tags.time!, ISO_MS);
  });

  test('client-only tags go to message-tags clients only; TAGMSG not at all to others', async () => {
    const ga = await t.register('ga', ['message-tags']);
    const gb = await t.register('gb', ['message-tags']);
    const gc = await t.register('gc');
    await joinAll('#tags', ga, gb, gc);

    const [b, c] = await during(ga, [gb, gc], () => ga.send('@+typing=active TAGMSG #tags'));
    assert.equal(b.length, 1);
    assert.equal(body(b[0]!), `:${mask('ga')} TAGMSG #tags`);
    assert.equal(b[0]!.msg.tags['+typing'], 'active');
    assert.ok(b[0]!.msg.tags.msgid);
    assert.deepEqual(c, [], 'TAGMSG is not delivered without message-tags');

    const [b2, c2] = await during(ga, [gb, gc], () => ga.send('@+example.com/x=y;server-only=1 PRIVMSG #tags :tagged text'));
    assert.equal(b2.length, 1);
    assert.equal(b2[0]!.msg.tags['+example.com/x'], 'y');
    assert.equal(b2[0]!.msg.tags['server-only'], undefined, 'tags without + are not relayed');
    assert.deepEqual(c2.map((r) => r.raw), [`:${mask('ga')} PRIVMSG #tags :tagged text`]);

    // In private too: a TAGMSG to a client without message-tags is dropped.
    const [b3, c3] = await during(ga, [gb, gc], () => ga.send('@+typing=paused TAGMSG gb', '@+typing=paused TAGMSG gc'));
    assert.deepEqual(b3.map(body), [`:${mask('ga')} TAGMSG gb`]);
    assert.equal(b3[0]!.msg.tags['+typing'], 'paused');
    assert.deepEqual(c3, []);
  });

  test('labeled-response: the echo of a PRIVMSG carries the label', async () => {
    const la = await t.register('la', ['echo-message', 'labeled-response', 'message-tags', 'batch']);
    const lb = await t.register('lb', ['message-tags']);
    await joinAll('#label', la, lb);
    const [a, b] = await during(la, [la, lb], () => la.send('@label=abc123 PRIVMSG #label :labeled hello'));
    assert.equal(a.length, 1, a.map((r) => r.raw).join('\n'));
    assert.equal(a[0]!.msg.tags.label, 'abc123');
    assert.equal(body(a[0]!), `:${mask('la')} PRIVMSG #label :labeled hello`);
    assert.equal(b.length, 1);
    assert.equal(b[0]!.msg.tags.label, undefined, 'the label is for the sender only');
    assert.equal(b[0]!.msg.tags.msgid, a[0]!.msg.tags.msgid);
  });

  test('away-notify: room neighbours with the cap see AWAY set and unset', async () => {
    const wa = await t.register('wa', ['away-notify']);
    const wb = await t.register('wb');
    const wc = await t.register('wc');
    await joinAll('#away', wa, wb, wc);
    const [a, b, c] = await during(wc, [wa, wb, wc], () => wc.send('AWAY :gone fishing'));
    assert.deepEqual(a.map((r) => r.raw), [`:${mask('wc')} AWAY :gone fishing`]);
    assert.deepEqual(b, []);
    assert.deepEqual(c.map((r) => r.msg.command), ['306']);

    const [a2, b2] = await during(wc, [wa, wb], () => wc.send('AWAY'));
    assert.deepEqual(a2.map((r) => r.raw), [`:${mask('wc')} AWAY`]);
    assert.deepEqual(b2, []);
  });

  test('away-notify: a user joining while away is announced as away', async () => {
    const ja = await t.register('ja', ['away-notify']);
    const jb = await t.register('jb');
    await joinAll('#awayjoin', ja);
    jb.send('AWAY :already away');
    await jb.waitFor('306');
    const [a] = await during(jb, [ja], () => jb.send('JOIN #awayjoin'));
    assert.deepEqual(
      a.map((r) => r.raw),
      [`:${mask('jb')} JOIN #awayjoin`, `:${mask('jb')} AWAY :already away`],
    );
  });

  test('setname: echoed to oneself, seen by neighbours with the cap, shown by WHOIS', async () => {
    const sa = await t.register('sa', ['setname']);
    const sb = await t.register('sb', ['setname']);
    const sc = await t.register('sc');
    await joinAll('#names', sa, sb, sc);
    const line = `:${mask('sa')} SETNAME :Sam Anew 山田`;
    const [a, b, c] = await during(sa, [sa, sb, sc], () => sa.send('SETNAME :Sam Anew 山田'));
    assert.deepEqual(a.map((r) => r.raw), [line]);
    assert.deepEqual(b.map((r) => r.raw), [line]);
    assert.deepEqual(c, []);
    sc.send('WHOIS sa');
    assert.deepEqual((await sc.waitFor('311')).msg.params, ['sc', 'sa', 'sa', '127.0.0.1', '*', 'Sam Anew 山田']);

    const [a2, b2] = await during(sa, [sa, sb], () => sa.send(`SETNAME :${'x'.repeat(REALNAME_LENGTH + 1)}`));
    assert.equal(a2.length, 1);
    assert.deepEqual(a2[0]!.msg.params.slice(0, 2), ['SETNAME', 'INVALID_REALNAME']);
    assert.equal(a2[0]!.msg.command, 'FAIL');
    assert.deepEqual(b2, []);

    // Without the cap: served silently, never sent a SETNAME (IRCv3 setname).
    const [c2, b3] = await during(sc, [sc, sb], () => sc.send('SETNAME :Silent Change'));
    assert.deepEqual(c2, []);
    assert.deepEqual(b3.map((r) => r.raw), [`:${mask('sc')} SETNAME :Silent Change`]);
  });

  test('multi-prefix: WHO flags show every prefix to clients with the cap', async () => {
    const pa = await t.register('pa', ['multi-prefix']);
    const pb = await t.register('pb');
    await joinAll('#prefix', pa, pb);
    pa.send('MODE #prefix +v pa');
    await pa.waitFor('MODE');
    pa.send('WHO #prefix');
    const mine = await pa.waitFor('352');
    assert.equal(mine.msg.params[5], 'pa');
    assert.equal(mine.msg.params[6], 'H@+');
    pb.send('WHO #prefix');
    assert.equal((await pb.waitFor('352')).msg.params[6], 'H@');
  });
});

describe('MONITOR', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({ limits: { monitorEntries: MONITOR_ENTRIES } });
  });
  after(() => t.close());

  const online = (full: string) => (r: Received) => r.msg.command === '730' && r.msg.params[1] === full;
  const offline = (nick: string) => (r: Received) => r.msg.command === '731' && r.msg.params[1] === nick;

  test('online, offline, nick changes, list, status, removal, clear and a full list', async () => {
    const w = await t.register('watcher');
    const bob = await t.register('bob');
    w.send('MONITOR + bob,carol');
    assert.deepEqual((await w.waitFor('730')).msg.params, ['watcher', mask('bob')]);
    assert.deepEqual((await w.waitFor('731')).msg.params, ['watcher', 'carol']);

    const carol = await t.register('carol');
    await w.waitFor(online(mask('carol')));
    bob.send('QUIT :bye');
    await w.waitFor(offline('bob'));

    // A nick change: offline for the old nick, online for the new one when it is monitored.
    w.send('MONITOR + carla');
    await w.waitFor(offline('carla'));
    carol.send('NICK carla');
    await w.waitFor(offline('carol'));
    // The user behind the nick keeps its username.
    await w.waitFor(online('carla!carol@127.0.0.1'));

    w.send('MONITOR L');
    const listed: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await w.waitFor((x) => x.msg.command === '732' || x.msg.command === '733');
      if (r.msg.command === '733') {
        assert.deepEqual(r.msg.params, ['watcher', 'End of MONITOR list']);
        break;
      }
      listed.push(...r.msg.params[1]!.split(','));
    }
    assert.deepEqual(listed.sort(), ['bob', 'carla', 'carol']);

    // The list holds MONITOR_ENTRIES (3) targets: more are refused with 734.
    const [full] = await during(w, [w], () => w.send('MONITOR + dave,erin'));
    assert.deepEqual(full.map((r) => r.msg.params), [['watcher', String(MONITOR_ENTRIES), 'dave,erin', 'Monitor list is full.']]);
    assert.equal(full[0]!.msg.command, '734');

    const [removed] = await during(w, [w], () => w.send('MONITOR - bob'));
    assert.deepEqual(removed, [], 'MONITOR - has no output');

    const [status] = await during(w, [w], () => w.send('MONITOR S'));
    assert.deepEqual(
      status.map((r) => [r.msg.command, r.msg.params]),
      [
        ['730', ['watcher', 'carla!carol@127.0.0.1']],
        ['731', ['watcher', 'carol']],
      ],
    );

    // bob is no longer monitored: his return is not announced.
    let mark = w.received.length;
    const back = await t.register('bob');
    await back.sync();
    await w.sync();
    assert.deepEqual(w.since(mark), []);

    const [cleared] = await during(w, [w], () => w.send('MONITOR C', 'MONITOR L'));
    assert.deepEqual(cleared.map((r) => r.msg.command), ['733']);
    mark = w.received.length;
    const again = await t.register('carol');
    again.send('NICK carla2');
    await again.sync();
    await w.sync();
    assert.deepEqual(w.since(mark), [], 'nothing is monitored after MONITOR C');
  });

  test('a target already monitored is not counted twice', async () => {
    const w = await t.register('w2');
    const [r] = await during(w, [w], () => w.send('MONITOR + x1,x2,x3', 'MONITOR + X1,x2'));
    assert.deepEqual(r.map((x) => x.msg.command), ['731', '731']);
    assert.deepEqual(r[1]!.msg.params, ['w2', 'X1,x2']);
  });
});
