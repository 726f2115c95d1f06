// The terminal views rendered by ink-testing-library from a model filled by hand: what each
// shows, and that no row is wider than its column, Chinese and emoji included.
process.env.TZ = 'UTC';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { createElement as h } from 'react';
import { render } from 'ink-testing-library';
import stringWidth from 'string-width';
import { ChatModel, type ChatBuffer } from '../../src/clients/model.ts';
import { Sidebar } from '../../src/clients/terminal/Sidebar.tsx';
import { MessagePane } from '../../src/clients/terminal/MessagePane.tsx';
import { MemberList } from '../../src/clients/terminal/MemberList.tsx';
import { App, type ChatCore } from '../../src/clients/terminal/App.tsx';

const T0 = new Date(Date.UTC(2026, 0, 1, 12, 30));
const T1 = new Date(Date.UTC(2026, 0, 2, 8, 5));

/** Frame rows, trailing spaces cut (ink cuts them too). */
function rows(frame: string | undefined): string[] {
  return (frame ?? '').split('\n').map((r) => r.replace(/ +$/, ''));
}

function assertFits(frame: string | undefined, width: number): void {
  for (const row of rows(frame)) assert.ok(stringWidth(row) <= width, `row wider than ${width}: ${JSON.stringify(row)} (${stringWidth(row)})`);
}

function sampleModel(): { model: ChatModel; room: ChatBuffer } {
  const model = new ChatModel('Parlor');
  model.nick = 'alice';
  model.status = 'registered';
  model.add(model.server, { kind: 'info', text: 'Welcome to Parlor', time: T0 });
  const room = model.ensure('#lobby');
  room.joined = true;
  room.topic = '欢迎 welcome 👋 to the lobby';
  for (const [nick, prefixes] of [['alice', '@'], ['bob', ''], ['张伟', '+'], ['carol', '@']] as const) room.members.set(nick, { nick, prefixes });
  model.add(room, { kind: 'join', from: 'bob', text: 'bob joined', time: T0 });
  model.add(room, { kind: 'message', from: 'bob', text: '你好 alice 👋', time: T0 });
  model.add(room, { kind: 'action', from: '张伟', text: 'waves 🎉', time: T0 });
  model.add(room, { kind: 'message', from: 'carol', text: 'next day', time: T1 });
  const query = model.ensure('张伟');
  model.add(query, { kind: 'message', from: '张伟', text: 'hi alice', time: T1 });
  model.ensure('#a-very-long-room-name-indeed');
  return { model, room };
}

describe('Sidebar', () => {
  test('numbers the buffers, shows unread and mention counts, fits wide names', () => {
    const { model } = sampleModel();
    const r = render(h(Sidebar, { buffers: model.buffers, currentKey: '', width: 16, height: 6 }));
    const out = rows(r.lastFrame());
    // #lobby: 3 unread, one of which says "alice"; the query: 1 unread, a mention.
    assert.deepEqual(out, [' 1 Parlor', ' 2 #lobby   3 !1', ' 3 张伟     1 !1', ' 4 #a-very-long…', '', '']);
    assertFits(r.lastFrame(), 16);
    r.unmount();
  });

  test('a long list scrolls to keep the current buffer in view', () => {
    const model = new ChatModel('srv');
    for (let i = 1; i <= 20; i++) model.ensure(`#r${i}`);
    model.select('#r15');
    const r = render(h(Sidebar, { buffers: model.buffers, currentKey: '#r15', width: 10, height: 5 }));
    assert.deepEqual(rows(r.lastFrame()), ['14 #r13', '15 #r14', '16 #r15', '17 #r16', '18 #r17']);
    r.unmount();
  });
});

describe('MessagePane', () => {
  test('times, nicks, /me, quiet joins and day separators', () => {
    const { room } = sampleModel();
    const r = render(h(MessagePane, { lines: room.lines, width: 40, height: 7, scroll: 0 }));
    assert.deepEqual(rows(r.lastFrame()), [
      '',
      '─────────── Thu, Jan 1, 2026 ───────────',
      '12:30 -!- bob joined',
      '12:30 <bob> 你好 alice 👋',
      '12:30 * 张伟 waves 🎉',
      '─────────── Fri, Jan 2, 2026 ───────────',
      '08:05 <carol> next day',
    ]);
    r.unmount();
  });

  test('long lines wrap under their text without splitting wide characters', () => {
    const model = new ChatModel('srv');
    const room = model.ensure('#w');
    model.add(room, { kind: 'message', from: 'bob', text: '这是一个很长的中文句子，用来测试换行 👋👋 end', time: T0 });
    for (const width of [17, 18, 19, 20, 25]) {
      const r = render(h(MessagePane, { lines: room.lines, width, height: 8, scroll: 0 }));
      const frame = r.lastFrame();
      assertFits(frame, width);
      const text = rows(frame)
        .filter((row) => !row.includes('─') && !row.startsWith(' Thu, Jan 1'))
        .map((row) => row.slice(6))
        .join('');
      assert.equal(text.replace(/ /g, ''), '<bob>这是一个很长的中文句子，用来测试换行👋👋end', `nothing lost at ${width}`);
      r.unmount();
    }
  });

  test('scrolling shows older rows and says so', () => {
    const model = new ChatModel('srv');
    const room = model.ensure('#s');
    for (let i = 1; i <= 10; i++) model.add(room, { kind: 'message', from: 'x', text: `line ${i}`, time: T0 });
    const r = render(h(MessagePane, { lines: room.lines, width: 30, height: 4, scroll: 3 }));
    const out = rows(r.lastFrame());
    assert.deepEqual(out.slice(0, 3), ['12:30 <x> line 5', '12:30 <x> line 6', '12:30 <x> line 7']);
    assert.match(out[3]!, /scrolled up 3 rows/);
    r.unmount();
  });
});

describe('MemberList', () => {
  test('operators first, then voiced, then the rest; marks and a count', () => {
    const { model, room } = sampleModel();
    const r = render(h(MemberList, { members: model.sortedMembers(room), width: 12, height: 6 }));
    assert.deepEqual(rows(r.lastFrame()), [' 4 people', '@alice', '@carol', '+张伟', ' bob', '']);
    r.unmount();
  });

  test('too many members end with a count of the rest', () => {
    const model = new ChatModel('srv');
    const room = model.ensure('#big');
    for (let i = 0; i < 10; i++) room.members.set(`u${i}`, { nick: `u${i}`, prefixes: '' });
    const r = render(h(MemberList, { members: model.sortedMembers(room), width: 12, height: 5 }));
    assert.deepEqual(rows(r.lastFrame()), [' 10 people', ' u0', ' u1', ' u2', ' … 7 more']);
    r.unmount();
  });
});

class FakeCore extends EventEmitter implements ChatCore {
  inputs: string[] = [];
  moves: string[] = [];
  constructor(readonly model: ChatModel) {
    super();
  }
  input(text: string): void {
    this.inputs.push(text);
  }
  cycle(delta: number): void {
    this.moves.push(`cycle ${delta}`);
    this.model.cycle(delta);
    this.emit('change');
  }
  selectNumber(n: number): void {
    this.moves.push(`select ${n}`);
    this.model.selectNumber(n);
    this.emit('change');
  }
  quit(): Promise<void> {
    this.moves.push('quit');
    return Promise.resolve();
  }
}

/**
 * Input reaches the app through its stdin stream and React renders the result a few
 * event-loop turns later: yields turns (no timers) until the frame shows `expected`, for at
 * most 10 s.
 */
async function typeInto(r: ReturnType<typeof render>, text: string, expected: (out: string[]) => boolean): Promise<string[]> {
  r.stdin.write(text);
  // A deadline, not a count of turns: a busy machine may take more turns to render.
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
    const out = rows(r.lastFrame());
    if (expected(out)) return out;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  assert.fail(`after typing ${JSON.stringify(text)} the screen never matched; it shows:\n${r.lastFrame()}`);
}

describe('App', () => {
  test('the whole screen: topic, sidebar, messages, members, input; every row fits', async () => {
    const { model, room } = sampleModel();
    model.select(room.key);
    const core = new FakeCore(model);
    const r = render(h(App, { core, columns: 80, rows: 12 }));
    const out = rows(r.lastFrame());
    assert.equal(out.length, 12);
    assert.equal(out[0], ' #lobby [4] 欢迎 welcome 👋 to the lobby');
    assert.match(out[1]!, /^ 1 Parlor +│ +│ 4 people$/);
    assert.match(out[2]!, /^ 2 #lobby +│ +│@alice$/);
    assert.ok(out.some((row) => /^ 3 张伟 1 !1│ +│@carol$/.test(row)), out.join('\n'));
    assert.ok(out.some((row) => /^ +│12:30 <bob> 你好 alice 👋 +│$/.test(row)), out.join('\n'));
    assert.ok(out.some((row) => /^ +│─+ Thu, Jan 1, 2026 ─+│ bob$/.test(row)), out.join('\n'));
    // The borders line up: wide characters take their two columns.
    const borders = out.slice(1, 11).map((row) => stringWidth(row.slice(0, row.lastIndexOf('│'))));
    assert.deepEqual(new Set(borders), new Set([borders[0]]));
    assert.equal(out[11], '[alice]');
    assertFits(r.lastFrame(), 80);

    // Typing and Enter hand the line to the core.
    const inputRow = (expected: string) => (o: string[]) => o[11] === expected;
    await typeInto(r, 'hello 世界', inputRow('[alice] hello 世界'));
    await typeInto(r, '\r', inputRow('[alice]'));
    assert.deepEqual(core.inputs, ['hello 世界']);

    // Tab completes nicks of the room.
    await typeInto(r, 'ca', inputRow('[alice] ca'));
    await typeInto(r, '\t', inputRow('[alice] carol:'));
    await typeInto(r, '\x15', inputRow('[alice]')); // Ctrl-U

    // Up recalls the last line.
    await typeInto(r, '\x1b[A', inputRow('[alice] hello 世界'));
    r.unmount();
  });

  test('Alt-N, Ctrl-N and Ctrl-P move between buffers; the member list is for rooms only', async () => {
    const { model } = sampleModel();
    const core = new FakeCore(model);
    const r = render(h(App, { core, columns: 80, rows: 10 }));
    const topic = (expected: string) => (o: string[]) => o[0] === expected;
    const out = await typeInto(r, '\x1b3', topic(' 张伟 — private conversation')); // Alt-3
    assert.ok(!out.some((row) => row.includes('people')), 'no member list in a query');
    await typeInto(r, '\x0e', topic(' #a-very-long-room-name-indeed [not in the room] (no topic)')); // Ctrl-N
    await typeInto(r, '\x10', topic(' 张伟 — private conversation')); // Ctrl-P
    assert.deepEqual(core.moves, ['select 3', 'cycle 1', 'cycle -1']);
    assertFits(r.lastFrame(), 80);
    r.unmount();
  });

  test('a narrow terminal drops the side columns and still fits', () => {
    const { model, room } = sampleModel();
    model.select(room.key);
    const r = render(h(App, { core: new FakeCore(model), columns: 30, rows: 8 }));
    const out = rows(r.lastFrame());
    assert.ok(!out.some((row) => row.includes('│')));
    assertFits(r.lastFrame(), 30);
    assert.equal(out[0], ' #lobby [4] 欢迎 welcome 👋 t…');
    r.unmount();
  });
});
