// The shared client core (src/clients/irc-session.ts) as the browser uses it, against a
// scripted server: one password that goes as SASL when offered and as PASS when not, a failed
// login that stops the client, a kill that stops it with the reason, and no Node module
// anywhere in what the core imports (the browser bundle includes all of it).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTranslator } from '../../src/i18n/i18n.ts';
import { IrcSession, type SessionOptions } from '../../src/clients/irc-session.ts';
import { FakeServer } from './fake-server.ts';

function session(script: FakeServer, options: Partial<SessionOptions> = {}): IrcSession {
  return new IrcSession({ connect: script.connect, serverName: 'Parlor', address: 'ws://test/irc', nick: 'web', reconnectBaseMs: 5, ...options });
}

const browserLogin = { account: 'web', password: 'pw', passFallback: true, required: true };

function opened(s: IrcSession): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      if (s.model.status !== 'registering') return;
      s.off('change', check);
      resolve();
    };
    s.on('change', check);
  });
}

describe('the browser login through the shared core', () => {
  test('with SASL PLAIN offered the password logs in with it, and NICK/USER wait for CAP LS', async () => {
    const script = new FakeServer();
    const s = session(script, { sasl: browserLogin, caps: ['draft/chathistory'] });
    s.start();
    await opened(s);
    assert.deepEqual(script.take(), ['CAP LS 302']);
    script.say(':srv CAP * LS :batch draft/chathistory sasl=PLAIN,EXTERNAL');
    assert.deepEqual(script.take(), ['NICK web', 'USER web 0 * :Parlor chat', 'CAP REQ :batch draft/chathistory sasl']);
    script.say(':srv CAP web ACK :batch draft/chathistory sasl');
    script.say('AUTHENTICATE +');
    script.say(':srv 900 web web!web@h web :You are now logged in', ':srv 903 web :SASL authentication successful');
    assert.deepEqual(script.take(), ['AUTHENTICATE PLAIN', `AUTHENTICATE ${btoa('\0web\0pw')}`, 'CAP END']);
    script.say(':srv 001 web :Welcome');
    assert.equal(s.account, 'web');
    assert.ok(s.registered);
    await s.quit();
  });

  test('without SASL on offer the same password goes as PASS, before NICK and USER', async () => {
    const script = new FakeServer();
    const s = session(script, { sasl: browserLogin });
    s.start();
    await opened(s);
    script.take();
    script.say(':srv CAP * LS :batch');
    assert.deepEqual(script.take(), ['PASS :pw', 'NICK web', 'USER web 0 * :Parlor chat', 'CAP REQ :batch']);
    await s.quit();
  });

  test('a server without CAP still gets PASS, NICK and USER', async () => {
    const script = new FakeServer();
    const s = session(script, { sasl: browserLogin });
    s.start();
    await opened(s);
    script.take();
    script.say(':srv 421 * CAP :Unknown command');
    assert.deepEqual(script.take(), ['PASS :pw', 'NICK web', 'USER web 0 * :Parlor chat']);
    await s.quit();
  });

  test('a required login that fails stops the client for good, saying why', async () => {
    const script = new FakeServer();
    const s = session(script, { sasl: browserLogin });
    const closed = new Promise<void>((resolve) => s.once('closed', resolve));
    s.start();
    await opened(s);
    script.say(':srv CAP * LS :sasl', ':srv CAP web ACK :sasl', 'AUTHENTICATE +', ':srv 904 web :SASL authentication failed');
    await closed;
    assert.equal(s.failure, 'Login failed: wrong account name or password');
    assert.equal(script.dials, 1, 'no reconnecting');
  });
});

describe('leaving', () => {
  test('a kill stops the client with the reason; a plain drop reconnects', async () => {
    const script = new FakeServer();
    const s = session(script);
    s.start();
    await opened(s);
    script.say(':srv 001 web :Welcome');
    // Dropped without a reason that blames us: back again.
    const reopened = opened(s);
    script.handler!.onClose('connection lost');
    await reopened;
    assert.equal(script.dials, 2);
    script.say(':srv 001 web :Welcome');

    const closed = new Promise<void>((resolve) => s.once('closed', resolve));
    script.say('ERROR :Closing Link: 127.0.0.1 (Killed (op (spam)))');
    script.handler!.onClose('connection closed');
    await closed;
    assert.equal(s.failure, 'Disconnected by the server: Killed (op (spam))');
    assert.equal(s.model.status, 'closed');
    assert.equal(script.dials, 2);
  });
});

describe('the reason for a drop', () => {
  test("the client's own words are in the user's language; a system's or server's as they came", async () => {
    const script = new FakeServer();
    const s = session(script);
    s.model.language = createTranslator('zh-CN');
    s.start();
    await opened(s);
    const lastLine = (): string => s.model.server.lines.findLast((l) => l.text.startsWith('连接已断开'))!.text;
    let reopened = opened(s);
    script.handler!.onClose('Connection lost', { kind: 'lost' });
    assert.equal(lastLine(), '连接已断开：连接中断');
    await reopened;
    reopened = opened(s);
    script.handler!.onClose('Connection timed out after 20 s', { kind: 'timedOutAfter', seconds: 20 });
    assert.equal(lastLine(), '连接已断开：连接超时（20 秒）');
    await reopened;
    script.handler!.onClose('going away for maintenance');
    assert.equal(lastLine(), '连接已断开：going away for maintenance');
    await s.quit();
  });
});

const BROWSER_PACKAGES = new Set(['i18next']);

test('the core and everything it imports is free of Node modules (the browser bundles it)', () => {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const [, spec] of source.matchAll(/^(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)) {
      // Packages written for browsers and Node alike (the message catalogues' i18next).
      if (BROWSER_PACKAGES.has(spec!)) continue;
      assert.ok(!spec!.startsWith('node:') && spec!.startsWith('.'), `${file} imports ${spec}`);
      visit(resolve(dirname(file), spec!));
    }
  };
  visit(fileURLToPath(new URL('../../src/clients/irc-session.ts', import.meta.url)));
  assert.ok(seen.size > 5, `followed the imports (${seen.size} files)`);
});
