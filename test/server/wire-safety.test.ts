// CR, LF and NUL never reach the wire, over real sockets: the broadcast attack of issue 12
// (a forged PRIVMSG inside an admin API broadcast), a kick reason forging a line into the
// QUIT that others see, the MOTD from the config and from a file, and a line that gets past
// every entry point by a programming error (dropped, logged once). Two users chat in a room
// throughout, and must keep doing so.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { joinAll, linesSince, mask } from '../helpers/irc.ts';
import type { RawClient } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const TOKEN = 'wire-safety-admin-token';
const FORGED = ':evil!e@e PRIVMSG viewer :forged';

let t: TestServer;
let api: string;
let viewer: RawClient;
let alice: RawClient;
let bob: RawClient;
const logged: Record<string, unknown>[] = [];

before(async () => {
  const logger = pino({ level: 'warn' }, { write: (line: string) => void logged.push(JSON.parse(line) as Record<string, unknown>) });
  t = await startServer({ web: { enabled: true, port: 0, adminToken: TOKEN } }, { logger });
  api = `http://127.0.0.1:${t.server.webAddress!.port}/admin/api`;
  viewer = await t.register('viewer');
  alice = await t.register('alice');
  bob = await t.register('bob');
  await joinAll('#chat', viewer, alice, bob);
});
after(() => t.close());

async function post(action: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${api}/${action}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** Alice and bob still talk, and each line arrives whole. */
async function stillChatting(text: string): Promise<void> {
  alice.send(`PRIVMSG #chat :${text}`);
  assert.equal((await bob.waitFor((r) => r.msg.command === 'PRIVMSG' && r.msg.params[1] === text)).raw, `:${mask('alice')} PRIVMSG #chat :${text}`);
}

/** No line holds NUL and none is the forged one (CR and LF are line ends to the client). */
function assertNothingForged(lines: { raw: string }[]): void {
  for (const { raw } of lines) {
    assert.ok(!raw.includes('\0') && !raw.includes('\r'), `a line with NUL or CR: ${JSON.stringify(raw)}`);
    assert.ok(!raw.startsWith(':evil!'), `a forged line: ${raw}`);
  }
}

test('the broadcast attack: the viewer receives one NOTICE with the text on one line, and no forged PRIVMSG', async () => {
  const mark = viewer.received.length;
  const sent = await post('broadcast', { text: `hi\r\n${FORGED}` });
  assert.deepEqual(sent, { status: 200, json: { ok: true, message: `broadcast sent to ${t.server.network.userCount} user(s)` } });
  const lines = await linesSince(viewer, mark);
  assert.deepEqual(
    lines.map((r) => r.raw),
    [`:test.parlor NOTICE $* :hi ${FORGED}`],
  );
  assertNothingForged(lines);
  await stillChatting('after the broadcast');
});

test('a kick reason with CR LF: one KILL/ERROR for the victim, one QUIT for the room, no forged line', async () => {
  const victim = await t.register('victim');
  await joinAll('#chat', victim);
  const mark = viewer.received.length;
  const reason = `bye\r\n${FORGED}\0`;
  assert.equal((await post('kick', { nick: 'victim', reason })).status, 200);
  const error = await victim.waitFor('ERROR');
  assert.equal(error.raw, `ERROR :Closing Link: 127.0.0.1 (Killed (admin (bye ${FORGED})))`);
  const seen = await linesSince(viewer, mark);
  assert.deepEqual(
    seen.map((r) => r.raw),
    [`:${mask('victim')} QUIT :Killed (admin (bye ${FORGED}))`],
  );
  assertNothingForged([...seen, ...victim.received]);
  await stillChatting('after the kick');
});

test('ban and mute reasons from the API are one line too', async () => {
  const loud = await t.register('loud');
  await joinAll('#chat', loud);
  assert.equal((await post('mute', { target: 'loud', reason: `quiet\r\n${FORGED}` })).status, 200);
  const note = await loud.waitFor((r) => r.msg.command === 'NOTICE' && /muted/.test(r.msg.params[1] ?? ''));
  assert.ok(note.raw.includes(`quiet ${FORGED}`), note.raw);
  assert.equal((await post('ban', { target: 'loud', reason: `go\r\n${FORGED}` })).status, 200);
  await loud.waitClose();
  assertNothingForged(loud.received);
  assert.equal(t.server.admin.list('ban').find((b) => b.mask === 'loud!*@*')?.reason, `go ${FORGED}`);
  await post('unban', { target: 'loud' });
  await post('unmute', { target: 'loud' });
  await stillChatting('after the ban');
});

test('a line holding CR LF that gets past the entry points is dropped for everyone and logged once', async () => {
  const marks = [viewer, alice, bob].map((c) => c.received.length);
  const before = logged.length;
  // As a programming error would: an event published straight onto the bus, cleaned by nobody.
  t.server.publish({ type: 'server.notice', command: 'NOTICE', source: t.server.serverName, text: `oops\r\n${FORGED}`, msgid: t.server.newMsgid() });
  for (const [i, c] of [viewer, alice, bob].entries()) {
    const lines = await linesSince(c, marks[i]!);
    assert.deepEqual(
      lines.map((r) => r.raw),
      [],
      'the unsafe line is not sent at all',
    );
  }
  const errors = logged.slice(before).filter((e) => (e.err as { code?: string } | undefined)?.code === 'unsafe-line');
  assert.equal(errors.length, 1, `logged once for ${t.server.network.userCount} recipients: ${JSON.stringify(logged.slice(before))}`);
  assert.equal(errors[0]!.level, 50, 'at error level');
  await stillChatting('after the dropped line');
});

test('the MOTD from the config and from a file: CR, CR LF and NUL never reach the wire', async () => {
  const dir = await mkdtemp(joinPath(tmpdir(), 'parlor-motd-'));
  try {
    const inline = await startServer({ server: { motd: 'one\rtwo\r\nthree\0!\n' } });
    const file = joinPath(dir, 'motd.txt');
    await writeFile(file, 'from a file\r\nwith\0 NUL\r\n');
    const fromFile = await startServer({ server: { motdFile: file } });
    for (const [server, expected] of [
      [inline, ['one', 'two', 'three!']],
      [fromFile, ['from a file', 'with NUL']],
    ] as const) {
      const c = await server.register('reader');
      const motd = c.received.filter((r) => r.msg.command === '372');
      assert.deepEqual(
        motd.map((r) => r.msg.params[1]),
        expected.map((l) => `- ${l}`),
      );
      assertNothingForged(c.received);
      await server.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
