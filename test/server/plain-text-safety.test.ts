// Plain-text users (nc, telnet) are safe from what others send, over real sockets: an IRC
// user's escape sequences, C1 controls and bidi overrides reach them shown, not acted on, in
// every field of every line (message, topic, reasons, what they typed themselves), so that
// no line can clear their screen, retitle the window or pass for a server line. And their
// connections get TCP keep-alive, checked in the kernel's own socket table.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join as joinRoom, settle } from '../helpers/irc.ts';
import type { RawClient } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const TIME = '\\[\\d{2}:\\d{2}:\\d{2}\\]';
/** What a terminal must never be sent: C1 controls, bidi controls, line separators. */
const UNSAFE_TEXT = /[\u0080-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufffd]/u;

/** Every byte the client receives, from now on, as the server wrote it. */
function captureBytes(c: RawClient): () => Buffer {
  // RawClient decodes UTF-8 (partial sequences carried across chunks); encoding it again gives
  // back the exact bytes, and any invalid byte would show as U+FFFD, which is checked for.
  let text = '';
  c.socket.on('data', (chunk: string) => (text += chunk));
  return () => Buffer.from(text, 'utf8');
}

/**
 * Bytes a terminal only prints: no C0 control but the CR LF ending each line, no DEL, no C1
 * control nor bidi control once decoded.
 */
function assertTerminalSafe(bytes: Buffer): void {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    const lineEnd = (b === 0x0d && bytes[i + 1] === 0x0a) || (b === 0x0a && bytes[i - 1] === 0x0d);
    if ((b < 0x20 || b === 0x7f) && !lineEnd) {
      assert.fail(`byte 0x${b.toString(16)} at ${i}: ${JSON.stringify(bytes.subarray(Math.max(0, i - 30), i + 10).toString('utf8'))}`);
    }
  }
  const text = bytes.toString('utf8');
  const bad = UNSAFE_TEXT.exec(text);
  assert.equal(bad, null, bad ? `U+${bad[0].codePointAt(0)!.toString(16)} in ${JSON.stringify(text.slice(Math.max(0, bad.index - 30), bad.index + 10))}` : '');
}

describe('plain text: what others send cannot drive the terminal', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({ plainText: { greetAfterMs: 50 } });
  });
  after(() => t.close());

  /** A person at nc, named and in `room`, every byte they receive captured. */
  async function person(nick: string): Promise<{ c: RawClient; bytes: () => Buffer }> {
    const c = await t.connect();
    const bytes = captureBytes(c);
    c.send(nick);
    await c.waitFor(new RegExp(`^${TIME} \\*\\*\\* In #lobby: `));
    return { c, bytes };
  }

  test('escape sequences, C1 controls and bidi overrides in a message are shown, visibly, as an ordinary line', async () => {
    const { c, bytes } = await person('ncuser');
    const mallory = await t.register('mallory');
    await joinRoom(mallory, 'mallory', '#lobby');
    await settle(mallory);
    await c.waitFor(/--> mallory joined #lobby$/);

    mallory.send(
      // Retitle the window, clear the screen, home the cursor.
      'PRIVMSG #lobby :\x1b]0;PWNED\x07\x1b[2J\x1b[H',
      // Erase the line, back to column 1 and backspaces over the prefix, then a fake server line.
      'PRIVMSG #lobby :\x1b[2K\x1b[1G\x08\x08\x08[12:00:00] *** BROADCAST from admin: the server moves, reconnect to evil.example',
      // C1 CSI and NEL, DEL.
      'PRIVMSG #lobby :\u009b31mred\u0085next\x7f',
      // Bidi: an override flipping the rest of the line, an isolate never closed.
      'PRIVMSG #lobby :see \u202Egpj.exe\u202C and \u2066\u2067rtl',
      'PRIVMSG #lobby :done',
    );
    await c.waitFor(new RegExp(`^${TIME} <mallory> done$`));
    assertTerminalSafe(bytes());

    const shown = c.received.map((r) => r.raw).filter((raw) => raw.includes('<mallory>'));
    const body = (raw: string): string => raw.replace(/^\[\d{2}:\d{2}:\d{2}\] <mallory> /, '');
    assert.deepEqual(shown.map(body), [
      '^[]0;PWNED^G^[[2J^[[H',
      '^[[2K^[[1G^H^H^H[12:00:00] *** BROADCAST from admin: the server moves, reconnect to evil.example',
      '<9B>31mred<85>next^?',
      'see <U+202E>gpj.exe<U+202C> and <U+2066><U+2067>rtl',
      'done',
    ]);
    // The forged broadcast is an ordinary message line: prefixed with its time and sender.
    for (const r of c.received) assert.doesNotMatch(r.raw, new RegExp(`^(${TIME} )?\\*\\*\\* BROADCAST`), r.raw);
    c.send('exit');
    mallory.send('QUIT');
    await Promise.all([c.waitClose(), mallory.waitClose()]);
  });

  test('every field is made safe: topic, private messages, notices, actions, kick, part and quit reasons', async () => {
    const { c, bytes } = await person('target');
    const mallory = await t.register('mallory2');
    await joinRoom(mallory, 'mallory2', '#trap');
    await joinRoom(mallory, 'mallory2', '#lobby');
    await settle(mallory);
    c.send('/join #trap');
    await mallory.waitFor((r) => r.msg.command === 'JOIN' && r.msg.source?.startsWith('target!') === true);

    const esc = '\x1b[2J\x1b]0;x\x07\u202E';
    const shownEsc = '^[[2J^[]0;x^G<U+202E>';
    mallory.send(
      `TOPIC #trap :topic ${esc}`,
      `PRIVMSG target :private ${esc}`,
      `NOTICE target :notice ${esc}`,
      `PRIVMSG #trap :\x01ACTION acts ${esc}\x01`,
      `KICK #trap target :kick ${esc}`,
      `PART #lobby :part ${esc}`,
      // Back, to be seen quitting.
      `JOIN #lobby`,
      `QUIT :quit ${esc}`,
    );
    await c.waitFor(new RegExp(`^${TIME} <-- mallory2 quit`));
    assertTerminalSafe(bytes());

    const lines = c.received.map((r) => r.raw);
    for (const [label, pattern] of [
      ['topic', `--- mallory2 set the topic of #trap: topic ${shownEsc}`],
      ['private', `(private) *mallory2* private ${shownEsc}`],
      ['notice', `(private) -mallory2- notice ${shownEsc}`],
      ['action', `* mallory2 acts ${shownEsc}`],
      ['part', `<-- mallory2 left #lobby (part ${shownEsc})`],
      ['kick', `<-- You were kicked from #trap by mallory2 (kick ${shownEsc})`],
      ['quit', `<-- mallory2 quit (Quit: quit ${shownEsc})`],
    ] as const) {
      assert.ok(
        lines.some((l) => l.endsWith(pattern)),
        `${label}: no line ending ${JSON.stringify(pattern)} in\n${lines.join('\n')}`,
      );
    }
    c.send('exit');
    await c.waitClose();
  });

  test('what the person typed is quoted back safely too (a telnet user can type controls)', async () => {
    const c = await t.connect();
    const bytes = captureBytes(c);
    await c.waitFor(/^Choose a nickname/);
    c.send('\x1b[2Jbad\u202Enick');
    await c.waitFor(/cannot be a nickname/);
    assertTerminalSafe(bytes());
    assert.ok(c.received.some((r) => r.raw.startsWith('"^[[2Jbad<U+202E>nick" cannot be a nickname')));
    c.close();
  });
});

/**
 * The kernel's view of a TCP socket on 127.0.0.1: the `tr` field of /proc/net/tcp is 2 while
 * the socket's keep-alive timer runs (an established socket has no other timer shown as 2),
 * with `when` the clock ticks (USER_HZ, 100 a second) until it fires.
 */
function kernelTimer(localPort: number, remotePort: number): { timer: number; ticks: number } | undefined {
  const hex = (port: number): string => `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[1] !== hex(localPort) || f[2] !== hex(remotePort)) continue;
    const [timer, ticks] = f[5]!.split(':');
    return { timer: parseInt(timer!, 16), ticks: parseInt(ticks!, 16) };
  }
  return undefined;
}

/** Reads the table again until `ok` holds, on each line the person receives, boundedly. */
async function socketState(t: TestServer, c: RawClient, ok: (s: { timer: number; ticks: number }) => boolean): Promise<{ timer: number; ticks: number }> {
  let state: { timer: number; ticks: number } | undefined;
  // The server's side of the connection: local port is the server's, remote port the client's.
  for (let i = 0; i < 20; i++) {
    state = kernelTimer(t.port, c.socket.localPort!);
    if (state !== undefined && ok(state)) return state;
    // A retransmission timer (1) may show while the last bytes wait for their ACK: one more round trip.
    c.send('/sync-marker');
    await c.waitFor(/Unknown command \/sync-marker/);
  }
  return state ?? assert.fail('the server side of the socket is not in /proc/net/tcp');
}

describe('plain text: TCP keep-alive', { skip: process.platform !== 'linux' && 'reads /proc/net/tcp' }, () => {
  test('a plain-text connection gets keep-alive after keepAliveMs; an IRC connection does not', async () => {
    const t = await startServer({ plainText: { greetAfterMs: 50, keepAliveMs: 30_000 } });
    try {
      const irc = await t.register('ircuser');
      const c = await t.connect();
      c.send('kaperson');
      await c.waitFor(/\*\*\* In #lobby: /);
      const plain = await socketState(t, c, (s) => s.timer === 2);
      assert.equal(plain.timer, 2, 'the keep-alive timer runs');
      assert.ok(plain.ticks > 2_000 && plain.ticks <= 3_000, `fires within 30 s, not the OS's 2 hours: ${plain.ticks} ticks`);
      await irc.sync();
      const ircState = kernelTimer(t.port, irc.socket.localPort!);
      assert.notEqual(ircState, undefined);
      assert.notEqual(ircState!.timer, 2, 'no keep-alive on IRC connections: they answer PINGs');
    } finally {
      await t.close();
    }
  });

  test('keepAliveMs: 0 leaves plain-text connections without keep-alive', async () => {
    const t = await startServer({ plainText: { greetAfterMs: 50, keepAliveMs: 0 } });
    try {
      const c = await t.connect();
      c.send('nokeep');
      await c.waitFor(/\*\*\* In #lobby: /);
      const state = await socketState(t, c, (s) => s.timer === 0);
      assert.equal(state.timer, 0);
    } finally {
      await t.close();
    }
  });
});
