// Bracketed paste in `parlor chat`: the parser fed raw terminal input (markers and UTF-8 split
// across reads), the stdin filter ink reads through, and the App: a paste is one input with its
// line breaks (shown as ↵, the input growing a few rows), Alt-Enter and Ctrl-J break a line,
// Enter sends the whole text; a multi-line input of /commands runs each line.
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createElement as h } from 'react';
import { render } from 'ink-testing-library';
import { App, type ChatCore } from '../../src/clients/terminal/App.tsx';
import { BracketedPasteParser, cleanPastedText, MAX_PASTE_LENGTH, pasteFilter, type InputPiece } from '../../src/clients/terminal/bracketed-paste.ts';
import { inputsToCarryOut } from '../../src/clients/terminal/input-state.ts';
import { inputRows, LINE_BREAK_MARK } from '../../src/clients/terminal/InputLine.tsx';
import { ChatModel } from '../../src/clients/model.ts';

const START = '\x1b[200~';
const END = '\x1b[201~';

/** Feeds `chunks` to a fresh parser; what came out, pieces of a kind run together. */
function parse(chunks: string[], { flush = true } = {}): InputPiece[] {
  const parser = new BracketedPasteParser();
  const out: InputPiece[] = [];
  const add = (p: InputPiece) => {
    const last = out.at(-1);
    if (last && last.kind === 'keys' && p.kind === 'keys') last.text += p.text;
    else out.push({ ...p });
  };
  for (const c of chunks) parser.push(c).forEach(add);
  if (flush) parser.flush().forEach(add);
  return out;
}

/** Every way of cutting `text` in two, and in single characters. */
function splits(text: string): string[][] {
  const ways: string[][] = [[text], [...text]];
  for (let i = 1; i < text.length; i++) ways.push([text.slice(0, i), text.slice(i)]);
  return ways;
}

describe('the bracketed paste parser', () => {
  test('keys around a paste, the paste whole with its line breaks, however the input is cut', () => {
    const input = `ab${START}one\rtwo\r\nthree${END}cd`;
    for (const chunks of splits(input)) {
      assert.deepEqual(
        parse(chunks),
        [
          { kind: 'keys', text: 'ab' },
          { kind: 'paste', text: 'one\ntwo\nthree' },
          { kind: 'keys', text: 'cd' },
        ],
        JSON.stringify(chunks),
      );
    }
  });

  test('keys that only look like the start of a marker are held until the next read or a flush', () => {
    const parser = new BracketedPasteParser();
    assert.deepEqual(parser.push('x\x1b[2'), [{ kind: 'keys', text: 'x' }]);
    assert.ok(parser.holding);
    assert.deepEqual(parser.push('A'), [{ kind: 'keys', text: '\x1b[2A' }]);
    // A lone Escape is a key once nothing follows.
    assert.deepEqual(parser.push('\x1b'), []);
    assert.deepEqual(parser.flush(), [{ kind: 'keys', text: '\x1b' }]);
    // Arrow keys and Alt-Enter pass as they are.
    assert.deepEqual(parse(['\x1b[A\x1b\r']), [{ kind: 'keys', text: '\x1b[A\x1b\r' }]);
  });

  test('a paste waits for its end, even across a flush; two pastes in one read are two', () => {
    const parser = new BracketedPasteParser();
    assert.deepEqual(parser.push(`${START}half`), []);
    assert.deepEqual(parser.flush(), []);
    assert.deepEqual(parser.push(`\x1b[20`), []);
    assert.deepEqual(parser.push(`1~`), [{ kind: 'paste', text: 'half' }]);
    assert.deepEqual(parse([`${START}a${END}${START}b${END}`]), [
      { kind: 'paste', text: 'a' },
      { kind: 'paste', text: 'b' },
    ]);
  });

  test('control characters of a paste are dropped, tabs become spaces; a huge paste is cut', () => {
    assert.equal(cleanPastedText('a\tb\x00c\x1b[31md\x7fe\x85f\r\ng\rh'), 'a bc[31mdef\ng\nh');
    const huge = 'x'.repeat(MAX_PASTE_LENGTH + 10);
    const [piece] = parse([START, huge.slice(0, 1000), huge.slice(1000), END]);
    assert.equal(piece?.kind, 'paste');
    assert.equal(piece.text.length, MAX_PASTE_LENGTH);
  });

  test('the stdin filter decodes UTF-8 split between reads and puts a marker where each paste was', async () => {
    const source = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => source, ref: () => source, unref: () => source });
    const filter = pasteFilter(source as unknown as NodeJS.ReadStream);
    const stdin = filter.stdin;
    stdin.setEncoding('utf8');
    stdin.setRawMode(true);
    const bytes = Buffer.from(`你${START}第一行\r第二行${END}好`);
    // Cut inside a Chinese character, inside the start marker and inside the end marker.
    for (const [from, to] of [
      [0, 2],
      [2, 6],
      [6, 14],
      [14, bytes.length - 5],
      [bytes.length - 5, bytes.length],
    ] as const) {
      source.write(bytes.subarray(from, to));
    }
    let read = '';
    while (!read.endsWith('好')) {
      await new Promise<void>((resolve) => stdin.once('readable', resolve));
      let chunk: string | null;
      while ((chunk = stdin.read() as string | null) !== null) read += chunk;
    }
    assert.equal(read, `你${START}好`);
    assert.equal(filter.takePaste(), '第一行\n第二行');
    assert.equal(filter.takePaste(), undefined);
    stdin.setRawMode(false);
  });
});

describe('multi-line input', () => {
  test('rows: one per line with ↵ at each break, following the cursor; one row shows the marks inline', () => {
    const text = 'one\ntwo\nthree\nfour';
    assert.deepEqual(inputRows(text, text.length, 2), [
      { text: `three${LINE_BREAK_MARK}`, moreAbove: true },
      { text: 'four', cursor: 4 },
    ]);
    assert.deepEqual(inputRows(text, 1, 2), [{ text: `one${LINE_BREAK_MARK}`, cursor: 1 }, { text: `two${LINE_BREAK_MARK}` }]);
    assert.deepEqual(inputRows(text, 5, 1), [{ text: `one${LINE_BREAK_MARK}two${LINE_BREAK_MARK}three${LINE_BREAK_MARK}four`, cursor: 5 }]);
  });

  test('a multi-line text is one input; a multi-line text of /commands is each line', () => {
    assert.deepEqual(inputsToCarryOut('hello\nworld'), ['hello\nworld']);
    assert.deepEqual(inputsToCarryOut('/join #a\n\n/quote PRIVMSG #a :x'), ['/join #a', '/quote PRIVMSG #a :x']);
    assert.deepEqual(inputsToCarryOut('//not a command\nsecond'), ['//not a command\nsecond']);
    assert.deepEqual(inputsToCarryOut('\n \n'), []);
  });
});

class FakeCore implements ChatCore {
  readonly inputs: string[] = [];
  constructor(readonly model: ChatModel) {}
  on(): this {
    return this;
  }
  off(): this {
    return this;
  }
  input(text: string): void {
    this.inputs.push(text);
  }
  cycle(): void {}
  selectNumber(): void {}
  quit(): Promise<void> {
    return Promise.resolve();
  }
}

const rowsOf = (frame: string | undefined): string[] => (frame ?? '').split('\n').map((r) => r.replace(/ +$/, ''));

async function typeInto(r: ReturnType<typeof render>, text: string, expected: (out: string[]) => boolean): Promise<string[]> {
  r.stdin.write(text);
  // A deadline, not a count of turns: a busy machine may take more turns to render.
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
    const out = rowsOf(r.lastFrame());
    if (expected(out)) return out;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  assert.fail(`after typing ${JSON.stringify(text)} the screen never matched; it shows:\n${r.lastFrame()}`);
}

describe('the App with multi-line input', () => {
  test('a paste is inserted whole and grows the input; Alt-Enter and Ctrl-J break lines; Enter sends one input', async () => {
    const model = new ChatModel('Parlor');
    model.nick = 'zed';
    model.status = 'registered';
    model.select(model.ensure('#ml').key);
    const core = new FakeCore(model);
    const pastes = ['第一行\n第二行\nthird'];
    const r = render(h(App, { core, columns: 60, rows: 20, paste: { takePaste: () => pastes.shift() } }));
    // ink reports the marker the stdin filter puts where the paste was.
    let out = await typeInto(r, START, (o) => o.some((row) => row.includes('third')));
    assert.equal(out.length, 20, 'the screen keeps its height');
    const first = out.findIndex((row) => row.includes('第一行'));
    assert.deepEqual(out.slice(first), [`[zed] 第一行${LINE_BREAK_MARK}`, `      第二行${LINE_BREAK_MARK}`, '      third']);
    assert.deepEqual(core.inputs, [], 'nothing sent before Enter');

    await typeInto(r, '\x1b\r', (o) => o.at(-2) === '      third↵');
    out = await typeInto(r, 'four\nfive', (o) => o.at(-1) === '      five');
    assert.deepEqual(out.slice(-5), [`[zed] 第一行${LINE_BREAK_MARK}`, `      第二行${LINE_BREAK_MARK}`, `      third${LINE_BREAK_MARK}`, `      four${LINE_BREAK_MARK}`, '      five']);
    await typeInto(r, '\r', (o) => o.at(-1) === '[zed]');
    assert.deepEqual(core.inputs, ['第一行\n第二行\nthird\nfour\nfive']);
    r.unmount();
  });
});
