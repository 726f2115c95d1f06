// UTF-8 nicknames over real sockets: with `server.casemapping: precis` 张三 registers, joins,
// is named, whoised and written to; look-alikes and invisible characters are refused; with
// the default (rfc1459) the same nick is erroneous. ISUPPORT says which.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RawClient, Received } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { PlainTextView } from '../../src/server/plain-text.ts';

async function isupport(c: RawClient): Promise<Map<string, string>> {
  const tokens = new Map<string, string>();
  for (;;) {
    const r: Received = await c.waitFor((x) => x.msg.command === '005' || x.msg.command === '251');
    if (r.msg.command !== '005') return tokens;
    for (const tok of r.msg.params.slice(1, -1)) {
      const eq = tok.indexOf('=');
      tokens.set(eq === -1 ? tok : tok.slice(0, eq), eq === -1 ? '' : tok.slice(eq + 1));
    }
  }
}

describe('casemapping: precis', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({ server: { casemapping: 'precis' } });
  });
  after(() => t.close());

  test('张三 registers, and ISUPPORT says CASEMAPPING=rfc8265 and UTF8ONLY', async () => {
    const c = await t.connect();
    c.send('NICK 张三', 'USER zhang 0 * :Zhang San');
    const welcome = await c.waitFor('001');
    assert.equal(welcome.msg.params[0], '张三');
    const tokens = await isupport(c);
    assert.equal(tokens.get('CASEMAPPING'), 'rfc8265');
    assert.ok(tokens.has('UTF8ONLY'));
    c.send('QUIT');
  });

  test('张三 and 張三 are both taken; JOIN, NAMES, WHOIS and PRIVMSG work with them', async () => {
    const zhang = await t.register('张三');
    const trad = await t.register('張三');
    const bob = await t.register('bob');
    zhang.send('JOIN #大厅');
    await zhang.waitFor((r) => r.msg.command === '366');
    bob.send('JOIN #大厅');
    const names = await bob.waitFor((r) => r.msg.command === '353');
    assert.ok(names.msg.params.at(-1)!.split(' ').includes('@张三'), names.raw);
    await zhang.waitFor((r) => r.msg.command === 'JOIN' && r.msg.source!.startsWith('bob!'));

    bob.send('PRIVMSG 张三 :你好，张三');
    const got = await zhang.waitFor((r) => r.msg.command === 'PRIVMSG');
    assert.equal(got.msg.params[1], '你好，张三');
    bob.send('PRIVMSG #大厅 :大家好');
    assert.equal((await zhang.waitFor((r) => r.msg.command === 'PRIVMSG')).msg.params[1], '大家好');
    bob.send('PRIVMSG 張三 :hi');
    assert.equal((await trad.waitFor((r) => r.msg.command === 'PRIVMSG')).msg.source!.split('!')[0], 'bob');

    bob.send('WHOIS 张三');
    const whois = await bob.waitFor('311');
    assert.equal(whois.msg.params[1], '张三');
    assert.ok((await bob.waitFor('319')).msg.params.at(-1)!.includes('#大厅'));
  });

  test('a nick folds by Unicode case: Жора is ЖОРА, ＡＢＣ is abc', async () => {
    const zhora = await t.register('Жора');
    const other = await t.register('olga');
    other.send('NICK ЖОРА');
    await other.waitFor((r) => r.msg.command === '433' && r.msg.params[1] === 'ЖОРА');
    other.send('PRIVMSG жора :привет');
    assert.equal((await zhora.waitFor((r) => r.msg.command === 'PRIVMSG')).msg.params[1], 'привет');
    await t.register('ＡＢＣ');
    other.send('NICK abc');
    await other.waitFor((r) => r.msg.command === '433' && r.msg.params[1] === 'abc');
  });

  test('a look-alike of a nick in use is refused (433), both ways', async () => {
    await t.register('papa');
    const c = await t.register('someone');
    c.send('NICK \u0440\u0430\u0440\u0430'); // рара, all Cyrillic
    const refused = await c.waitFor('433');
    assert.match(refused.msg.params.at(-1)!, /too like/);
    await t.register('\u0441\u043e\u0440\u0435'); // соре, all Cyrillic
    c.send('NICK cope');
    await c.waitFor((r) => r.msg.command === '433' && r.msg.params[1] === 'cope');
  });

  const erroneous: [string, string][] = [
    ['p\u0430ypal', 'Latin with a Cyrillic а'],
    ['a\u200Dlice', 'a zero-width joiner'],
    ['abc\u202Exyz', 'a right-to-left override'],
    ['张三😀', 'an emoji'],
    ['\u3164', 'a Hangul filler'],
  ];
  for (const [nick, why] of erroneous) {
    test(`432 for a nick with ${why}`, async () => {
      const c = await t.register(`u${Math.random().toString(36).slice(2, 8)}`);
      c.send(`NICK ${nick}`);
      await c.waitFor('432');
    });
  }

  test('a nick typed decomposed is kept composed (NFC)', async () => {
    const c = await t.connect();
    c.send('NICK Zoe\u0301', 'USER zoe 0 * :Zoe');
    assert.equal((await c.waitFor('001')).msg.params[0], 'Zo\u00e9');
  });

  test('NICKLEN counts bytes: ten CJK characters fit in 30, eleven do not', async () => {
    const c = await t.register('longname');
    c.send(`NICK ${'龙'.repeat(11)}`);
    await c.waitFor('432');
    c.send(`NICK ${'龙'.repeat(10)}`);
    await c.waitFor((r) => r.msg.command === 'NICK' && r.msg.params[0] === '龙'.repeat(10));
  });
});

describe('casemapping: rfc1459 (the default)', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer();
  });
  after(() => t.close());

  test('张三 is erroneous, and ISUPPORT says CASEMAPPING=rfc1459', async () => {
    const c = await t.connect();
    c.send('NICK 张三');
    await c.waitFor('432');
    c.send('NICK zhang', 'USER zhang 0 * :Zhang');
    await c.waitFor('001');
    assert.equal((await isupport(c)).get('CASEMAPPING'), 'rfc1459');
    c.send('NICK Zoë');
    await c.waitFor('432');
  });
});

describe('the plain-text nickname prompt', () => {
  test('张三 is taken under precis, refused under rfc1459', () => {
    const precis = new PlainTextView('#lobby', undefined, 'precis').input('张三', undefined);
    assert.deepEqual(precis.commands?.map((c) => [c.command, c.params[0]]), [['NICK', '张三'], ['USER', '张三']]);
    const classic = new PlainTextView('#lobby', undefined, 'rfc1459').input('张三', undefined);
    assert.equal(classic.commands, undefined);
    assert.equal(new PlainTextView('#lobby', undefined, 'precis').input('p\u0430ypal', undefined).commands, undefined);
  });
});
