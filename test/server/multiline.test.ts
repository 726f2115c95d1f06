// IRCv3 multiline (draft/multiline) over real sockets: the capability's value; a batch to a
// room and to a person reaches clients with the capability as one batch (one msgid) and the
// others as ordinary lines; echo-message echoes the batch with the label on its opening line;
// the limits, targets and malformed batches are answered with FAIL BATCH; a line too long to
// relay goes on as a concat line; history keeps one message and replays it as a batch nested
// in the chathistory batch, or as lines.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../../src/storage/memory-store.ts';
import { CONCAT_TAG } from '../../src/protocol/multiline.ts';
import { is, joinAll, mask, settle, until } from '../helpers/irc.ts';
import type { RawClient, Received } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

/** A client that takes multiline batches, with msgids, echoes and labels. */
const ML_CAPS = ['batch', 'draft/multiline', 'message-tags', 'echo-message', 'labeled-response', 'server-time', 'draft/chathistory'];

type Line = string | { concat: string };

/** The lines of a client's multiline batch. */
function batch(ref: string, target: string, lines: Line[], opts: { command?: string; openTags?: string } = {}): string[] {
  const command = opts.command ?? 'PRIVMSG';
  return [
    `${opts.openTags ? `@${opts.openTags} ` : ''}BATCH +${ref} draft/multiline ${target}`,
    ...lines.map((l) => (typeof l === 'string' ? `@batch=${ref} ${command} ${target} :${l}` : `@batch=${ref};${CONCAT_TAG} ${command} ${target} :${l.concat}`)),
    `BATCH -${ref}`,
  ];
}

/** A multiline batch as a client receives it: the opening line, its lines, the combined text. */
async function receiveBatch(c: RawClient): Promise<{ open: Received; lines: Received[]; close: Received; text: string }> {
  const open = await c.waitFor((r) => r.msg.command === 'BATCH' && r.msg.params[1] === 'draft/multiline');
  const ref = open.msg.params[0]!.slice(1);
  const rest = await until(c, (r) => r.msg.command === 'BATCH' && r.msg.params[0] === `-${ref}`);
  const lines = rest.slice(0, -1);
  let text = '';
  lines.forEach((r, i) => {
    assert.equal(r.msg.tags.batch, ref, r.raw);
    if (i > 0 && r.msg.tags[CONCAT_TAG] === undefined) text += '\n';
    text += r.msg.params[1];
  });
  return { open, lines, close: rest.at(-1)!, text };
}

const fails = (c: RawClient): Promise<Received> => c.waitFor((r) => r.msg.command === 'FAIL');

describe('draft/multiline on one server', () => {
  let t: TestServer;
  const store = new MemoryStore();
  before(async () => {
    t = await startServer({ limits: { multilineMaxBytes: 600, multilineMaxLines: 6 } }, { store });
  });
  after(() => t.close());

  test('CAP LS 302 offers draft/multiline with its limits; an older CAP LS names it bare', async () => {
    const c = await t.connect();
    c.send('CAP LS 302');
    const ls = await c.waitFor(is('CAP', '*', 'LS'));
    assert.ok(ls.msg.params.at(-1)!.split(' ').includes('draft/multiline=max-bytes=600,max-lines=6'), ls.raw);
    const d = await t.connect();
    d.send('CAP LS');
    const old = await d.waitFor(is('CAP', '*', 'LS'));
    assert.ok(old.msg.params.at(-1)!.split(' ').includes('draft/multiline'), old.raw);
  });

  test('a batch to a room: one batch with one msgid to clients with the capability, lines to the others, the batch echoed with its label', async () => {
    const alice = await t.register('alice', ML_CAPS);
    const bob = await t.register('bob', ['batch', 'draft/multiline', 'message-tags', 'account-tag']);
    const carol = await t.register('carol');
    const dave = await t.register('dave', ['message-tags', 'batch']);
    await joinAll('#room', alice, bob, carol, dave);
    alice.send(...batch('x1', '#room', ['hello', '', 'how is ', { concat: 'everyone?' }, '你好'], { openTags: 'label=L1;+draft/reply=abc' }));

    const echo = await receiveBatch(alice);
    assert.equal(echo.open.msg.tags.label, 'L1', 'the label is on the opening BATCH');
    assert.equal(echo.text, 'hello\n\nhow is everyone?\n你好');
    assert.ok(echo.lines.every((r) => r.msg.tags.label === undefined));
    const msgid = echo.open.msg.tags.msgid!;
    assert.ok(msgid, echo.open.raw);

    const got = await receiveBatch(bob);
    assert.equal(got.open.msg.source, mask('alice'));
    assert.deepEqual(got.open.msg.params.slice(1), ['draft/multiline', '#room']);
    assert.equal(got.open.msg.tags.msgid, msgid, 'one msgid, on the BATCH');
    assert.equal(got.open.msg.tags['+draft/reply'], 'abc', 'client tags go on the BATCH');
    assert.ok(got.lines.every((r) => r.msg.tags.msgid === undefined));
    assert.deepEqual(
      got.lines.map((r) => [r.msg.params[1], r.msg.tags[CONCAT_TAG] !== undefined]),
      [['hello', false], ['', false], ['how is ', false], ['everyone?', true], ['你好', false]],
    );
    assert.equal(got.text, 'hello\n\nhow is everyone?\n你好');

    // Without the capability: the lines one by one, no blank one, no batch.
    await carol.sync();
    const plain = carol.drain();
    assert.deepEqual(plain.map((r) => r.raw), [`:${mask('alice')} PRIVMSG #room hello`, `:${mask('alice')} PRIVMSG #room :how is `, `:${mask('alice')} PRIVMSG #room everyone?`, `:${mask('alice')} PRIVMSG #room 你好`]);
    await dave.sync();
    const tagged = dave.drain();
    assert.equal(tagged.length, 4);
    assert.equal(tagged[0]!.msg.tags.msgid, msgid, 'the msgid on the first line only');
    assert.ok(tagged.slice(1).every((r) => r.msg.tags.msgid === undefined && r.msg.tags.batch === undefined));
    await settle(alice);
  });

  test('a batch to a person, and a NOTICE batch; the ACK-less opening line of an unlabelled batch', async () => {
    const ann = await t.register('ann', ML_CAPS);
    const ben = await t.register('ben', ['batch', 'draft/multiline']);
    const cid = await t.register('cid');
    ann.send(...batch('p1', 'ben', ['one', 'two']));
    const got = await receiveBatch(ben);
    assert.deepEqual(got.open.msg.params, ['+' + got.open.msg.params[0]!.slice(1), 'draft/multiline', 'ben']);
    assert.equal(got.text, 'one\ntwo');
    ann.send(...batch('p2', 'cid', ['three', 'four'], { command: 'NOTICE' }));
    const n1 = await cid.waitFor('NOTICE');
    const n2 = await cid.waitFor('NOTICE');
    assert.deepEqual([n1.msg.params, n2.msg.params], [['cid', 'three'], ['cid', 'four']]);
    await settle(ann, ben, cid);
  });

  test('limits: FAIL BATCH MULTILINE_MAX_LINES / MAX_BYTES once, the rest of the batch dropped, nothing delivered', async () => {
    const eve = await t.register('eve', ML_CAPS);
    const fay = await t.register('fay', ['batch', 'draft/multiline']);
    await joinAll('#limits', eve, fay);
    eve.send(...batch('l1', '#limits', ['1', '2', '3', '4', '5', '6', '7', '8']));
    const tooMany = await fails(eve);
    assert.deepEqual(tooMany.msg.params, ['BATCH', 'MULTILINE_MAX_LINES', '6', 'Multiline batch max-lines exceeded']);
    const long = 'x'.repeat(300);
    eve.send(...batch('l2', '#limits', [long, long, 'y'], { openTags: 'label=big' }));
    const tooBig = await fails(eve);
    assert.deepEqual(tooBig.msg.params, ['BATCH', 'MULTILINE_MAX_BYTES', '600', 'Multiline batch max-bytes exceeded']);
    assert.equal(tooBig.msg.tags.label, 'big', "the FAIL answers the batch's label");
    await eve.sync();
    assert.deepEqual(eve.drain().filter((r) => r.msg.command !== 'ACK'), [], 'one FAIL per batch');
    await fay.sync();
    assert.deepEqual(fay.drain(), []);
    // Exactly at the limits, it goes through: 6 lines, 600 bytes with the line feeds.
    const exact = ['a'.repeat(95), 'b'.repeat(95), 'c'.repeat(95), 'd'.repeat(95), 'e'.repeat(95), 'f'.repeat(120)];
    eve.send(...batch('l3', '#limits', exact));
    assert.equal((await receiveBatch(fay)).text, exact.join('\n'));
    await settle(eve);
  });

  test('malformed batches: wrong target, unknown reference, nested, blank, concat blank, mixed commands, without the capability', async () => {
    const gus = await t.register('gus', ML_CAPS);
    const hal = await t.register('hal', ['batch', 'draft/multiline']);
    await joinAll('#bad', gus, hal);
    const failOf = async (...lines: string[]): Promise<string[]> => {
      gus.send(...lines);
      return (await fails(gus)).msg.params;
    };
    assert.deepEqual(await failOf(...batch('b1', '#bad', ['x']).map((l) => l.replace('PRIVMSG #bad', 'PRIVMSG #other'))), ['BATCH', 'MULTILINE_INVALID_TARGET', '#bad', '#other', 'Invalid multiline target']);
    assert.equal((await failOf('@batch=nope PRIVMSG #bad :hi'))[1], 'MULTILINE_INVALID');
    assert.equal((await failOf('BATCH -nope'))[1], 'MULTILINE_INVALID');
    assert.equal((await failOf('BATCH +a1 draft/multiline #bad', 'BATCH +a2 draft/multiline #bad'))[1], 'MULTILINE_INVALID');
    assert.equal((await failOf('BATCH -a1'))[1], 'MULTILINE_INVALID', 'the open batch was given up');
    assert.equal((await failOf(...batch('b2', '#bad', ['', ''])))[1], 'MULTILINE_INVALID');
    assert.equal((await failOf(...batch('b3', '#bad', ['x', { concat: '' }])))[1], 'MULTILINE_INVALID');
    assert.equal((await failOf('BATCH +b4 draft/multiline #bad', '@batch=b4 PRIVMSG #bad :x', '@batch=b4 NOTICE #bad :y', 'BATCH -b4'))[1], 'MULTILINE_INVALID');
    assert.equal((await failOf('BATCH +b5 netsplit #bad'))[1], 'MULTILINE_INVALID');
    assert.deepEqual(await failOf('BATCH +b6 draft/multiline #bad,hal'), ['BATCH', 'MULTILINE_INVALID_TARGET', '#bad,hal', '#bad,hal', 'A multiline message has one room or person as its target']);
    const plain = await t.register('ivy', ['batch']);
    plain.send(...batch('c1', '#bad', ['x']));
    assert.equal((await fails(plain)).msg.params[1], 'MULTILINE_INVALID');
    await settle(gus, plain);
    await hal.sync();
    assert.deepEqual(hal.drain().filter((r) => r.msg.command !== 'JOIN'), [], 'nothing of a refused batch is delivered');
  });

  test('an unfinished batch delivers nothing, and ordinary messages go on meanwhile', async () => {
    const jo = await t.register('jo', ML_CAPS);
    const kim = await t.register('kim', ['batch', 'draft/multiline']);
    await joinAll('#open', jo, kim);
    jo.send('BATCH +u1 draft/multiline #open', '@batch=u1 PRIVMSG #open :never sent', 'PRIVMSG #open :ordinary');
    const got = await kim.waitFor('PRIVMSG');
    assert.equal(got.msg.params[1], 'ordinary');
    await kim.sync();
    assert.deepEqual(kim.drain(), []);
    jo.close();
    await kim.waitFor('QUIT');
  });

  test('a line too long to relay is cut, between words, into a line and a concat line', async () => {
    const lee = await t.register('lee', ML_CAPS);
    const max = await t.register('max', ['batch', 'draft/multiline']);
    const ned = await t.register('ned');
    await joinAll('#long', lee, max, ned);
    // 488 bytes fits the client's line but not the relayed one, with the mask in front.
    const words = Array.from({ length: 61 }, (_, i) => `word${String(i).padStart(3, '0')}`).join(' ');
    assert.ok(Buffer.byteLength(`PRIVMSG #long :${words}`) <= 510);
    lee.send(...batch('w1', '#long', [words, 'end']));
    const got = await receiveBatch(max);
    assert.equal(got.text, `${words}\nend`);
    assert.equal(got.lines.length, 3);
    assert.ok(got.lines[0]!.msg.params[1]!.endsWith(' '), 'cut after a space, which stays at the end');
    assert.ok(got.lines[1]!.msg.tags[CONCAT_TAG] !== undefined);
    for (const r of got.lines) assert.ok(Buffer.byteLength(r.raw.slice(r.raw.indexOf(' ') + 1)) <= 510, r.raw);
    const plain = [await ned.waitFor('PRIVMSG'), await ned.waitFor('PRIVMSG'), await ned.waitFor('PRIVMSG')];
    assert.equal(plain[0]!.msg.params[1]! + plain[1]!.msg.params[1]!, words, 'nothing cut off for the others');
    await settle(lee, max, ned);
  });

  test('history keeps one message, replayed as a multiline batch inside the chathistory batch, or as lines', async () => {
    const oz = await t.register('oz', ML_CAPS);
    await joinAll('#hist', oz);
    oz.send('PRIVMSG #hist :before');
    await oz.waitFor('PRIVMSG');
    oz.send(...batch('h1', '#hist', ['first', '', 'second ', { concat: 'half' }]));
    const echo = await receiveBatch(oz);
    await store.flush();
    const stored = await store.latest('#hist', 10);
    assert.deepEqual(stored.map((m) => m.text), ['before', 'first\n\nsecond half']);
    assert.equal(stored[1]!.msgid, echo.open.msg.tags.msgid);

    oz.send('CHATHISTORY LATEST #hist * 10');
    const outer = await oz.waitFor((r) => r.msg.command === 'BATCH' && r.msg.params[1] === 'chathistory');
    const outerRef = outer.msg.params[0]!.slice(1);
    const all = await until(oz, (r) => r.msg.command === 'BATCH' && r.msg.params[0] === `-${outerRef}`);
    const inner = all.find((r) => r.msg.command === 'BATCH' && r.msg.params[1] === 'draft/multiline')!;
    assert.equal(inner.msg.tags.batch, outerRef, 'nested in the chathistory batch');
    assert.equal(inner.msg.tags.msgid, echo.open.msg.tags.msgid);
    const innerRef = inner.msg.params[0]!.slice(1);
    const lines = all.filter((r) => r.msg.tags.batch === innerRef);
    assert.deepEqual(lines.map((r) => [r.msg.params[1], r.msg.tags[CONCAT_TAG] !== undefined]), [['first', false], ['', false], ['second ', false], ['half', true]]);

    const pat = await t.register('pat', ['batch', 'draft/chathistory', 'message-tags']);
    await joinAll('#hist', pat);
    pat.send('CHATHISTORY LATEST #hist * 10');
    const b = await pat.waitFor((r) => r.msg.command === 'BATCH');
    const rest = await until(pat, (r) => r.msg.command === 'BATCH' && r.msg.params[0] === `-${b.msg.params[0]!.slice(1)}`);
    assert.deepEqual(rest.filter((r) => r.msg.command === 'PRIVMSG').map((r) => r.msg.params[1]), ['before', 'first', 'second ', 'half']);
  });
});

describe('draft/multiline with default flood control', () => {
  test('a batch of max-lines lines passes (each line a command: slowed past the burst, never dropped)', async () => {
    const t = await startServer({ flood: { burst: 20, commandsPerSecond: 4, recvQueueBytes: 16_384, exemptOpers: true } });
    try {
      const a = await t.register('a', ML_CAPS);
      const b = await t.register('b', ['batch', 'draft/multiline']);
      a.send('JOIN #f');
      await a.waitFor('366');
      b.send('JOIN #f');
      await b.waitFor('366');
      const lines = Array.from({ length: 24 }, (_, i) => `line ${i + 1} ${'·'.repeat(40)}`);
      a.send(...batch('f1', '#f', lines));
      const got = await receiveBatch(b);
      assert.equal(got.text, lines.join('\n'));
    } finally {
      await t.close();
    }
  });
});
