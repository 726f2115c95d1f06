// HELP / HELPOP and INFO over real sockets: the index lists the table's commands (operator
// ones to operators only), a topic comes as 704/705…/706, an unknown one as 524, topics are
// not case-sensitive, a labeled HELP is one labeled-response batch, and every line fits 512
// bytes with the longest nick and server name the config allows.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigInput } from '../../src/server/config.ts';
import { COMMANDS } from '../../src/server/command-table.ts';
import { OTHER_TOPICS } from '../../src/server/help-topics.ts';
import { hashPassword } from '../../src/server/passwords.ts';
import { VERSION } from '../../src/server/version.ts';
import { settle, until } from '../helpers/irc.ts';
import type { RawClient, Received } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const OPERS: ConfigInput['opers'] = [{ name: 'root', password: await hashPassword('s3cret', 4) }];
const OPER_VERBS = [...COMMANDS].filter(([, spec]) => spec.oper).map(([verb]) => verb);
const USER_VERBS = [...COMMANDS].filter(([, spec]) => !spec.oper).map(([verb]) => verb);

/** Sends `line` and returns the HELP reply: every line up to its 706 (or a 524). */
async function ask(c: RawClient, line: string): Promise<Received[]> {
  c.send(line);
  return until(c, (r) => r.msg.command === '706' || r.msg.command === '524');
}

/** The index's entries: the first word of each `  VERB  summary` line. */
function listedVerbs(reply: Received[]): string[] {
  return reply.map((r) => /^ {2}([A-Z]+)\b/.exec(r.msg.params[2] ?? '')?.[1]).filter((v): v is string => v !== undefined);
}

async function operUp(t: TestServer, nick: string, caps?: string[]): Promise<RawClient> {
  const c = await t.register(nick, caps);
  c.send('OPER root s3cret');
  await c.waitFor('381');
  await settle(c);
  return c;
}

describe('HELP and HELPOP', () => {
  let t: TestServer;
  let c: RawClient;
  before(async () => {
    t = await startServer({ opers: OPERS });
    c = await t.register('helpme');
  });
  after(() => t.close());

  test('HELP without a topic: 704 *, the index of every command of the table but the operator ones, 706', async () => {
    const reply = await ask(c, 'HELP');
    assert.deepEqual(reply.map((r) => r.msg.command), ['704', ...reply.slice(1, -1).map(() => '705'), '706']);
    for (const r of reply) assert.deepEqual(r.msg.params.slice(0, 2), ['helpme', '*']);
    assert.deepEqual(reply.at(-1)!.msg.params, ['helpme', '*', 'End of /HELP']);
    assert.deepEqual(listedVerbs(reply).sort(), [...USER_VERBS].sort());
    for (const verb of OPER_VERBS) assert.ok(!listedVerbs(reply).includes(verb), `${verb} is for operators`);
    // Each entry carries the command's summary.
    assert.ok(reply.some((r) => /^ {2}PRIVMSG +Sends a message to rooms or people\.$/.test(r.msg.params[2]!)));
  });

  test('an operator is listed every command of the table, operator ones included', async () => {
    const op = await operUp(t, 'helpop1');
    const reply = await ask(op, 'HELP INDEX');
    assert.equal(reply[0]!.msg.params[1], 'INDEX');
    assert.deepEqual(listedVerbs(reply).sort(), [...COMMANDS.keys()].sort());
  });

  test('HELP PRIVMSG: 704 with the syntax, 705 for what it does, 706', async () => {
    const reply = await ask(c, 'HELP PRIVMSG');
    assert.deepEqual(reply[0]!.raw, ':test.parlor 704 helpme PRIVMSG :PRIVMSG <target>{,<target>} <text>');
    assert.deepEqual(reply.slice(1, -1).map((r) => r.msg.command), reply.slice(1, -1).map(() => '705'));
    assert.ok(reply.some((r) => r.msg.params[2] === 'Sends a message to rooms or people.'));
    assert.deepEqual(reply.at(-1)!.raw, ':test.parlor 706 helpme PRIVMSG :End of /HELP');
  });

  test('topics are not case-sensitive, and HELPOP answers as HELP', async () => {
    const upper = (await ask(c, 'HELP PRIVMSG')).map((r) => r.raw);
    const lower = (await ask(c, 'HELP privmsg')).map((r) => r.raw);
    const helpop = (await ask(c, 'HELPOP Privmsg')).map((r) => r.raw);
    assert.deepEqual(lower, upper);
    assert.deepEqual(helpop.slice(0, -1), upper.slice(0, -1));
    assert.equal(helpop.at(-1), ':test.parlor 706 helpme PRIVMSG :End of /HELPOP');
  });

  test('who may use a command is read from the table', async () => {
    const cap = await ask(c, 'HELP CAP');
    assert.ok(cap.some((r) => r.msg.params[2] === 'It may be sent while connecting, before registration completes.'));
    const join = await ask(c, 'HELP JOIN');
    assert.ok(!join.some((r) => /before registration|IRC operators may use/.test(r.msg.params[2]!)));
  });

  test('an unknown topic: 524 with the topic asked for; * when it is no plain word', async () => {
    assert.deepEqual((await ask(c, 'HELP nosuch')).map((r) => r.raw), [':test.parlor 524 helpme nosuch :No help available on this topic']);
    assert.deepEqual((await ask(c, 'HELPOP :two words')).map((r) => r.raw), [':test.parlor 524 helpme * :No help available on this topic']);
    assert.deepEqual((await ask(c, `HELP ${'x'.repeat(300)}`)).map((r) => r.msg.params), [['helpme', '*', 'No help available on this topic']]);
  });

  test('operator commands are explained to operators only (as ergo does)', async () => {
    assert.deepEqual((await ask(c, 'HELP KLINE')).map((r) => r.msg.command), ['524']);
    const op = await operUp(t, 'helpop2');
    const reply = await ask(op, 'HELP kline');
    assert.equal(reply[0]!.raw, ':test.parlor 704 helpop2 KLINE :KLINE <mask> [<duration>] [<reason>]');
    assert.ok(reply.some((r) => r.msg.params[2] === 'Only IRC operators may use it.'));
  });

  test('HELP CMODES lists every room mode ISUPPORT announces; HELP UMODES the user modes', async () => {
    const cmodes = await ask(c, 'HELP cmodes');
    const letters = cmodes.map((r) => /^ {2}\+([a-zA-Z])\b/.exec(r.msg.params[2]!)?.[1]).filter((l) => l !== undefined);
    assert.deepEqual(letters.sort(), [...'Ibeiklmnostv']);
    const umodes = await ask(c, 'HELP UMODES');
    assert.equal(umodes[0]!.msg.params[1], 'UMODES');
    assert.ok(umodes.some((r) => r.msg.params[2]!.startsWith('  +i ')));
  });

  test('a labeled HELP comes back as one labeled-response batch', async () => {
    const l = await t.register('labelled', ['labeled-response', 'batch']);
    l.send('@label=h1 HELP PRIVMSG');
    const start = await l.waitFor('BATCH');
    assert.equal(start.msg.tags.label, 'h1');
    const [ref, type] = start.msg.params;
    assert.equal(type, 'labeled-response');
    const inside = await until(l, (r) => r.msg.command === 'BATCH');
    assert.deepEqual(inside.at(-1)!.msg.params, [`-${ref!.slice(1)}`]);
    const replies = inside.slice(0, -1);
    assert.deepEqual(replies.map((r) => r.msg.command), ['704', ...replies.slice(1, -1).map(() => '705'), '706']);
    for (const r of replies) {
      assert.equal(r.msg.tags.batch, ref!.slice(1));
      assert.equal(r.msg.tags.label, undefined);
    }
  });

  test('HELP needs registration, as on ergo: 451 before', async () => {
    const raw = await t.connect();
    raw.send('HELP');
    assert.deepEqual((await raw.waitFor('451')).msg.params, ['*', 'You have not registered']);
  });
});

describe('INFO', () => {
  let t: TestServer;
  let c: RawClient;
  before(async () => {
    t = await startServer({ server: { network: 'TestNet' } });
    c = await t.register('curious');
  });
  after(() => t.close());

  test('371 lines (version, server, start time), then 374', async () => {
    c.send('INFO');
    const reply = await until(c, (r) => r.msg.command === '374');
    assert.ok(reply.length >= 3);
    assert.deepEqual(reply.slice(0, -1).map((r) => r.msg.command), reply.slice(0, -1).map(() => '371'));
    assert.deepEqual(reply.at(-1)!.raw, ':test.parlor 374 curious :End of /INFO list');
    const text = reply.map((r) => r.msg.params[1]).join('\n');
    assert.ok(text.includes(VERSION), text);
    assert.ok(text.includes('test.parlor on the TestNet network'), text);
    assert.ok(text.includes(`up since ${new Date(t.server.createdAt).toISOString()}`), text);
  });

  test('INFO for this server answers; another server is 402', async () => {
    c.send('INFO test.parlor');
    await c.waitFor('374');
    c.send('INFO other.example');
    assert.deepEqual((await c.waitFor((r) => r.msg.command === '402' || r.msg.command === '371')).msg.params, ['curious', 'other.example', 'No such server']);
  });

  test('a labeled INFO is one labeled-response batch', async () => {
    const l = await t.register('infolabel', ['labeled-response', 'batch']);
    l.send('@label=i1 INFO');
    const start = await l.waitFor('BATCH');
    assert.equal(start.msg.tags.label, 'i1');
    const inside = await until(l, (r) => r.msg.command === 'BATCH');
    assert.equal(inside.at(-2)!.msg.command, '374');
  });

  test('INFO needs registration: 451 before', async () => {
    const raw = await t.connect();
    raw.send('INFO');
    assert.equal((await raw.waitFor('451')).msg.command, '451');
  });
});

describe('HELP and INFO lines fit 512 bytes', () => {
  const longName = `${'s'.repeat(59)}.net`;
  const longNick = `n${'x'.repeat(63)}`;
  let t: TestServer;
  before(async () => {
    t = await startServer({ server: { name: longName }, limits: { nickLength: 64 }, opers: OPERS });
  });
  after(() => t.close());

  test('with the longest server name and nick, every reply of every topic', async () => {
    assert.equal(longName.length, 63);
    const op = await operUp(t, longNick);
    const topics = ['', 'INDEX', ...COMMANDS.keys(), ...Object.keys(OTHER_TOPICS)];
    for (const topic of topics) {
      const reply = await ask(op, topic === '' ? 'HELP' : `HELP ${topic}`);
      assert.equal(reply.at(-1)!.msg.command, '706', `HELP ${topic}`);
      for (const r of reply) {
        assert.equal(r.msg.params[0], longNick);
        assert.ok(Buffer.byteLength(r.raw) + 2 <= 512, `${Buffer.byteLength(r.raw) + 2} bytes: ${r.raw}`);
      }
    }
    op.send('INFO');
    for (const r of await until(op, (r) => r.msg.command === '374')) assert.ok(Buffer.byteLength(r.raw) + 2 <= 512, r.raw);
  });
});
