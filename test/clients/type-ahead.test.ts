// Keys typed before `parlor chat` has put the terminal in raw mode: the tty driver, in cooked
// mode, turned each Enter into LF and held the lines; they come in the first read once raw mode
// is on. Each of those lines is sent, as if typed into the UI, not joined with line breaks (↵);
// a Ctrl-J (LF) typed later is a line break again, and Enter (CR) sends.
import { PassThrough, Writable } from 'node:stream';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createElement as h } from 'react';
import { render } from 'ink';
import { App, type ChatCore } from '../../src/clients/terminal/App.tsx';
import { pasteFilter } from '../../src/clients/terminal/bracketed-paste.ts';
import { TypeAhead, typeAheadAsKeys } from '../../src/clients/terminal/type-ahead.ts';
import { ChatModel } from '../../src/clients/model.ts';

/** A terminal's input: bytes are written to it as the tty driver would hand them over. */
function fakeTerminalInput(): PassThrough & { rawMode: boolean[] } {
  const rawMode: boolean[] = [];
  const source = Object.assign(new PassThrough(), {
    isTTY: true,
    rawMode,
    setRawMode: (on: boolean) => {
      rawMode.push(on);
      return source;
    },
    ref: () => source,
    unref: () => source,
  });
  return source;
}

/** Reads the filter's output until `done` says enough came. */
async function readUntil(stdin: NodeJS.ReadStream, done: (read: string) => boolean): Promise<string> {
  let read = '';
  while (!done(read)) {
    await new Promise<void>((resolve) => stdin.once('readable', resolve));
    let chunk: string | null;
    while ((chunk = stdin.read() as string | null) !== null) read += chunk;
  }
  return read;
}

/** Waits, turn by turn, until `condition` holds; fails after a deadline. */
async function until(condition: () => boolean, what: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`never: ${what()}`);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

describe('type-ahead', () => {
  test('only the first read after raw mode goes on is type-ahead: its LFs are Enter', () => {
    assert.equal(typeAheadAsKeys('/join #e1\n/join #e2\n/jo'), '/join #e1\r/join #e2\r/jo');
    const typeAhead = new TypeAhead();
    assert.equal(typeAhead.take('a\nb'), 'a\nb', 'not armed: keys as they are');
    typeAhead.arm();
    assert.equal(typeAhead.take(''), '', 'an empty read (half a character) does not count');
    assert.equal(typeAhead.take('x\n'), 'x\r');
    assert.equal(typeAhead.take('y\n'), 'y\n', 'a later LF is Ctrl-J');
  });

  test('the stdin filter: lines typed before raw mode come as Enters; Ctrl-J afterwards stays a line break', async () => {
    const source = fakeTerminalInput();
    const filter = pasteFilter(source as unknown as NodeJS.ReadStream);
    const stdin = filter.stdin;
    stdin.setEncoding('utf8');
    stdin.setRawMode(true);
    // Cooked mode: "/join #e1" Enter "/join #e2" Enter "/jo", read at once.
    source.write(Buffer.from('/join #e1\n/join #e2\n/jo'));
    assert.equal(await readUntil(stdin, (r) => r.endsWith('/jo')), '/join #e1\r/join #e2\r/jo');
    // Raw mode: Ctrl-J is LF, Enter is CR, Alt-Enter ESC CR.
    source.write(Buffer.from('in #e3\n'));
    source.write(Buffer.from('x\x1b\ry\r'));
    assert.equal(await readUntil(stdin, (r) => r.endsWith('y\r')), 'in #e3\nx\x1b\ry\r');
    stdin.setRawMode(false);
    assert.deepEqual(source.rawMode, [true, false]);
  });

  test('the App behind the filter sends each line typed ahead, and keeps the rest in the input', async () => {
    const model = new ChatModel('Parlor');
    model.nick = 'eve';
    model.status = 'registered';
    const inputs: string[] = [];
    const core: ChatCore = {
      model,
      on: () => core,
      off: () => core,
      input: (text) => void inputs.push(text),
      cycle: () => {},
      selectNumber: () => {},
      quit: () => Promise.resolve(),
    };
    const source = fakeTerminalInput();
    const filter = pasteFilter(source as unknown as NodeJS.ReadStream);
    let frame = '';
    const stdout = Object.assign(
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          frame += chunk.toString();
          done();
        },
      }),
      { columns: 80, rows: 20, isTTY: true },
    );
    const ink = render(h(App, { core, columns: 80, rows: 19, paste: filter }), {
      stdin: filter.stdin,
      stdout: stdout as unknown as NodeJS.WriteStream,
      exitOnCtrlC: false,
      patchConsole: false,
      debug: true,
    });
    try {
      // The App turns raw mode on once it has rendered; what was typed before is waiting.
      await until(() => source.rawMode.length > 0, () => 'raw mode on');
      source.write(Buffer.from('/join #e1\n/join #e2\n/join #e3\n/jo'));
      await until(() => inputs.length >= 3, () => `three inputs sent; sent: ${JSON.stringify(inputs)}`);
      assert.deepEqual(inputs, ['/join #e1', '/join #e2', '/join #e3']);
      // Typed in the UI: Ctrl-J breaks the line, Enter sends the whole input.
      source.write(Buffer.from('in #e4'));
      source.write(Buffer.from('\n'));
      source.write(Buffer.from('more'));
      await until(() => frame.includes('more'), () => 'the input shows "more"');
      assert.equal(inputs.length, 3, 'Ctrl-J sends nothing');
      source.write(Buffer.from('\r'));
      await until(() => inputs.length >= 4, () => `Enter sends; sent: ${JSON.stringify(inputs)}`);
      // A text of /command lines runs each line.
      assert.deepEqual(inputs, ['/join #e1', '/join #e2', '/join #e3', '/join #e4', 'more']);
    } finally {
      ink.unmount();
    }
  });
});
