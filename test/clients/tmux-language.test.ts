// `parlor chat` in Chinese: LANG=zh_CN.UTF-8 in a real pseudo-terminal (tmux) gives a Chinese
// status line, event lines and help; --lang and LC_ALL/LC_MESSAGES/LANG are chosen between as
// POSIX programs do. Skipped when tmux is not installed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chatLanguage } from '../../src/cli/chat.ts';
import { ConfigError } from '../../src/server/config.ts';
import { PARLOR_BIN } from '../helpers/cli.ts';
import { waitForText } from '../helpers/irssi.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const TMUX = ['/usr/bin/tmux', '/usr/local/bin/tmux'].find((p) => existsSync(p));
const missing = TMUX && spawnSync(TMUX, ['-V'], { timeout: 10_000 }).status === 0 ? undefined : 'tmux is not installed';

/** Through tsx, a cold start compiles ink and React: allow for it. */
const START_MS = 30_000;

describe('chatLanguage', () => {
  test('--lang wins; else LC_ALL, LC_MESSAGES, LANG; dates in their regional form', () => {
    assert.equal(chatLanguage(undefined, {}).language.locale, 'en');
    assert.equal(chatLanguage(undefined, { LANG: 'zh_CN.UTF-8' }).language.locale, 'zh-CN');
    assert.equal(chatLanguage(undefined, { LANG: 'zh_CN.UTF-8' }).dateLocale, 'zh-CN');
    assert.equal(chatLanguage('en', { LANG: 'zh_CN.UTF-8' }).language.locale, 'en');
    assert.equal(chatLanguage('zh', { LANG: 'en_GB.UTF-8' }).language.locale, 'zh-CN');
    assert.equal(chatLanguage('zh', { LANG: 'en_GB.UTF-8' }).dateLocale, 'zh-CN');
    assert.equal(chatLanguage(undefined, { LANG: 'en_GB.UTF-8' }).dateLocale, 'en-GB');
    assert.throws(() => chatLanguage('klingon', {}), ConfigError);
  });
});

describe('parlor chat with LANG=zh_CN.UTF-8', { skip: missing }, () => {
  let t: TestServer;
  let dir: string;
  let socket: string;
  const tmux = (...args: string[]): string => {
    const r = spawnSync(TMUX!, ['-S', socket, ...args], { encoding: 'utf8', timeout: 10_000 });
    if (r.error || r.status !== 0) throw new Error(`tmux ${args[0]} failed: ${r.error?.message ?? r.stderr}`);
    return r.stdout;
  };
  const screen = (): string => {
    try {
      return tmux('capture-pane', '-p', '-t', 'chat');
    } catch (err) {
      return `(no screen: ${(err as Error).message})`;
    }
  };
  const type = (text: string): void => {
    tmux('send-keys', '-t', 'chat', '-l', text);
    tmux('send-keys', '-t', 'chat', 'Enter');
  };
  const waitFor = (re: RegExp, timeoutMs = 10_000) => waitForText(screen, re, timeoutMs);

  before(async () => {
    t = await startServer();
    dir = mkdtempSync(join(tmpdir(), 'parlor-chat-zh-'));
    socket = join(dir, 'tmux.sock');
  });
  after(async () => {
    spawnSync(TMUX!, ['-S', socket, 'kill-server'], { timeout: 10_000 });
    rmSync(dir, { recursive: true, force: true });
    await t.close();
  });

  test('the status line, events, members and help are in Chinese', async () => {
    const amy = await t.register('amy');
    amy.send('JOIN #tea');
    await amy.waitFor('JOIN');
    const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm-256color', LANG: 'zh_CN.UTF-8' };
    delete env.LC_ALL;
    delete env.LC_MESSAGES;
    delete env.TMUX;
    const command = [process.execPath, PARLOR_BIN, 'chat', `127.0.0.1:${t.port}`, '--nick', 'xiaoli'];
    const r = spawnSync(TMUX!, ['-u', '-S', socket, '-f', '/dev/null', 'new-session', '-d', '-s', 'chat', '-x', '120', '-y', '30', ...command], { encoding: 'utf8', env, timeout: 10_000 });
    assert.equal(r.status, 0, r.stderr);

    await waitFor(/— 已连接，昵称 xiaoli/, START_MS);
    type('/join #tea');
    await amy.waitFor((m) => m.msg.command === 'JOIN' && m.msg.source?.startsWith('xiaoli!') === true);
    await waitFor(/^ #tea \[2 人\]（暂无主题）/m);
    await waitFor(/你进入了 #tea/);
    await waitFor(/│ 共 2 人/);
    // The day separator in Chinese: 2026年1月1日周四.
    await waitFor(/─ \d{4}年\d{1,2}月\d{1,2}日周. ─/);
    amy.send('PART #tea :再见');
    await waitFor(/amy 离开了（再见）/);
    type('/help me');
    await waitFor(/描述一个动作：“\/me 挥手”显示为“\* 你 挥手”。/);
    type('/frob');
    await waitFor(/未知命令：\/frob（输入 \/help 查看命令列表）/);
    type('/quit');
    await amy.waitFor((m) => m.msg.command === 'QUIT' || m.msg.command === 'PART', 10_000).catch(() => undefined);
  });
});
