// Long lines from nc (issue 15 item 14): a person's line past IRC's 512 bytes is not refused
// but said as several messages, cut between characters (between words for Latin text), up to
// plainText.maxLineBytes; an IRC client keeps the 512-byte limit.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { is, join } from '../helpers/irc.ts';
import type { RawClient } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { ManualClock } from '../helpers/clock.ts';
import { MemoryStore } from '../../src/storage/memory-store.ts';

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');
/** Common Chinese characters, 3 bytes each. */
const chinese = (n: number): string => Array.from({ length: n }, (_, i) => String.fromCodePoint(0x4e00 + ((i * 13) % 5000))).join('');
const PROMPT = /^\[\d{2}:\d{2}:\d{2}\] \*\*\* In #lobby: /;

/** A person at nc: their nick as the first line, LF-terminated as nc sends it; in #lobby. */
async function person(t: TestServer, nick: string): Promise<RawClient> {
  const c = await t.connect();
  c.writeRaw(`${nick}\n`);
  await c.waitFor(PROMPT);
  return c;
}

/** The texts `reader` gets in #lobby from `nick` until `end` (which is left out). */
async function received(reader: RawClient, nick: string, end: string): Promise<string[]> {
  const texts: string[] = [];
  for (;;) {
    const r = await reader.waitFor(is('PRIVMSG', '#lobby'));
    assert.equal(r.msg.source!.split('!')[0], nick);
    assert.ok(bytes(`${r.raw}\r\n`) <= 512, `${bytes(r.raw)} bytes relayed`);
    if (r.msg.params[1] === end) return texts;
    texts.push(r.msg.params[1]!);
  }
}

describe('plain text: long lines', () => {
  let t: TestServer;
  let reader: RawClient;
  before(async () => {
    t = await startServer({ plainText: { greetAfterMs: 50 } });
    reader = await t.register('reader');
    await join(reader, 'reader', '#lobby');
  });
  after(() => t.close());

  test('a 2,000-byte Chinese line arrives as several PRIVMSGs that join up to the original', async () => {
    const nc = await person(t, 'writer');
    const text = chinese(667); // 2,001 bytes
    assert.ok(bytes(text) > 2000);
    // In two writes, one cutting a character in half, as TCP may deliver it.
    const raw = Buffer.from(`${text}\nthe end\n`, 'utf8');
    nc.writeRaw(raw.subarray(0, 1001));
    nc.writeRaw(raw.subarray(1001));
    const pieces = await received(reader, 'writer', 'the end');
    assert.ok(pieces.length >= 4, `${pieces.length} messages`);
    assert.equal(pieces.join(''), text);
    nc.writeRaw('exit\n');
    await nc.waitClose();
  });

  test('Latin text is cut between words', async () => {
    const nc = await person(t, 'latin');
    const words = Array.from({ length: 300 }, (_, i) => `word${i}`);
    const text = words.join(' ');
    nc.writeRaw(`${text}\ndone\n`);
    const pieces = await received(reader, 'latin', 'done');
    assert.ok(pieces.length > 1);
    assert.equal(pieces.join(''), text);
    for (const piece of pieces.slice(0, -1)) assert.ok(piece.endsWith(' '), `cut after a space: …${piece.slice(-12)}`);
    nc.writeRaw('exit\n');
    await nc.waitClose();
  });

  test('past plainText.maxLineBytes the person is told, and carries on', async () => {
    const nc = await person(t, 'toolong');
    nc.writeRaw(`${chinese(2731)}\n`); // 8,193 bytes
    await nc.waitFor((r) => r.raw === '!!! That line was too long and was not sent: at most 8192 bytes a line (about 2730 Chinese characters).');
    nc.writeRaw('still here\n');
    const r = await reader.waitFor(is('PRIVMSG', '#lobby'));
    assert.equal(r.msg.params[1], 'still here');
    nc.writeRaw('exit\n');
    await nc.waitClose();
  });

  test('after /lang zh the limit is said in Chinese, whether the line passed plainText.maxLineBytes or what lines are framed to', async () => {
    const nc = await person(t, 'zhlong');
    nc.writeRaw('/lang zh\n');
    await nc.waitFor(/已切换为中文/);
    const told = '!!! 这一行太长，没有发出：每行最多 8192 字节（约 2730 个汉字）。';
    nc.writeRaw(`${chinese(2731)}\n`); // 8,193 bytes: past plainText.maxLineBytes
    await nc.waitFor((r) => r.raw === told);
    nc.writeRaw(`${chinese(4000)}\n`); // 12,000 bytes: past the framing limit too
    await nc.waitFor((r) => r.raw === told);
    nc.writeRaw('还在\n');
    const r = await reader.waitFor(is('PRIVMSG', '#lobby'));
    assert.equal(r.msg.params[1], '还在');
    nc.writeRaw('exit\n');
    await nc.waitClose();
  });

  test('an IRC client keeps the 512-byte limit', async () => {
    const irc = await t.register('ircuser');
    await join(irc, 'ircuser', '#lobby');
    irc.send(`PRIVMSG #lobby :${chinese(200)}`);
    const r = await irc.waitFor('417');
    assert.deepEqual(r.msg.params, ['ircuser', 'Input line was too long']);
    irc.send('QUIT');
    await irc.waitClose();
  });
});

test('plainText.maxLineBytes above what IRC lines are framed to: the longer line gets through whole', async () => {
  const t = await startServer({ plainText: { greetAfterMs: 50, maxLineBytes: 16_384 } });
  try {
    const reader = await t.register('reader');
    await join(reader, 'reader', '#lobby');
    const nc = await person(t, 'big');
    const text = chinese(4000); // 12,000 bytes: past limits.lineBytes + limits.tagBytes (8,703)
    nc.writeRaw(`${text}\nthe end\n`);
    const pieces = await received(reader, 'big', 'the end');
    assert.equal(pieces.join(''), text);
  } finally {
    await t.close();
  }
});

test('a long line costs the flood budget of the messages it became: the next line waits its turn', async () => {
  const clock = new ManualClock();
  const t = await startServer({ plainText: { greetAfterMs: 50 }, flood: { burst: 8, commandsPerSecond: 1 } }, { store: new MemoryStore(), clock });
  try {
    const reader = await t.register('reader');
    await join(reader, 'reader', '#lobby');
    const nc = await person(t, 'paster');
    const text = chinese(2000); // 6,000 bytes: about 14 messages
    nc.writeRaw(`${text}\nnext\n`);
    const pieces: string[] = [];
    while (pieces.join('') !== text) {
      const r = await reader.waitFor(is('PRIVMSG', '#lobby'));
      pieces.push(r.msg.params[1]!);
    }
    assert.ok(pieces.length > 10, `${pieces.length} messages`);
    // "next" came in the same packet: had it not been held back it would be here before the PONG.
    await reader.sync();
    assert.deepEqual(reader.drain().filter((r) => r.msg.command === 'PRIVMSG'), []);
    // The debt is paid off at one message a second.
    clock.advance(pieces.length * 1000);
    const r = await reader.waitFor(is('PRIVMSG', '#lobby'));
    assert.equal(r.msg.params[1], 'next');
  } finally {
    await t.close();
  }
});
