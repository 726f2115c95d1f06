// The full-screen chat: topic bar on top, buffers on the left, messages in the middle,
// members of the room on the right, the input line at the bottom. It reads the client
// core's model and redraws on its 'change' events; keys edit the input or move around.
import { Box, Text, useInput, useStdout } from 'ink';
import { useEffect, useRef, useState } from 'react';
import { commandNames } from '../commands.ts';
import type { ChatModel } from '../model.ts';
import { PASTE_MARKER_INPUT } from './bracketed-paste.ts';
import * as edit from './input-state.ts';
import { InputLine, inputRowCount } from './InputLine.tsx';
import { MemberList } from './MemberList.tsx';
import { MessagePane } from './MessagePane.tsx';
import { visibleRows } from './message-rows.ts';
import { Sidebar } from './Sidebar.tsx';
import { truncate } from './text-layout.ts';
import { TopicBar } from './TopicBar.tsx';

/** What the UI needs of the client core (IrcClient has it all; tests give a fake). */
export interface ChatCore {
  readonly model: ChatModel;
  on(event: 'change', listener: () => void): unknown;
  off(event: 'change', listener: () => void): unknown;
  input(text: string): void;
  cycle(delta: number): void;
  selectNumber(n: number): void;
  quit(reason?: string): Promise<void>;
}

export interface Layout {
  sidebar: number;
  pane: number;
  members: number;
  /** Rows between the topic bar and the input line. */
  body: number;
}

/** Column widths for a terminal size; side columns give way on narrow terminals. */
export function layout(columns: number, rows: number, room: boolean, inputRows = 1): Layout {
  const body = Math.max(1, rows - 1 - inputRows);
  const sidebar = columns >= 50 ? Math.min(24, Math.max(12, Math.floor(columns * 0.15))) : 0;
  const members = room && columns >= 70 ? Math.min(22, Math.max(12, Math.floor(columns * 0.15))) : 0;
  // One column of border after the sidebar and before the member list.
  const pane = Math.max(10, columns - sidebar - members - (sidebar ? 1 : 0) - (members ? 1 : 0));
  return { sidebar, pane, members, body };
}

/** The most rows a text of several lines may take at the bottom: a few, fewer on a small terminal. */
export function maxInputRows(rows: number): number {
  return Math.max(1, Math.min(5, Math.floor((rows - 4) / 3)));
}

/** The terminal's size, following resizes. */
function useTerminalSize(): { columns: number; rows: number } {
  const { stdout } = useStdout();
  const read = () => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}

function Border({ height }: { height: number }) {
  return (
    <Text dimColor>
      {Array.from({ length: height }, () => '│').join('\n')}
    </Text>
  );
}

export interface AppProps {
  core: ChatCore;
  /** Fixed size (tests); otherwise the terminal's, following resizes. */
  columns?: number;
  /** Rows to use: the terminal's less one, so that ink never scrolls it. */
  rows?: number;
  /** Bracketed pastes taken out of the input (bracketed-paste.ts), each when ink reports its marker. */
  paste?: { takePaste(): string | undefined };
}

export function App({ core, columns: fixedColumns, rows: fixedRows, paste }: AppProps) {
  const [, setVersion] = useState(core.model.version);
  useEffect(() => {
    const onChange = () => setVersion(core.model.version);
    core.on('change', onChange);
    return () => {
      core.off('change', onChange);
    };
  }, [core]);
  const size = useTerminalSize();
  const columns = fixedColumns ?? size.columns;
  const rows = Math.max(4, fixedRows ?? size.rows - 1);

  const model = core.model;
  const buffer = model.current;

  const inputRef = useRef(edit.emptyInput());
  const [input, setInput] = useState(inputRef.current);
  const update = (next: edit.InputState) => {
    inputRef.current = next;
    setInput(next);
  };
  const inputMaxRows = maxInputRows(rows);
  const sizes = layout(columns, rows, buffer.kind === 'room', inputRowCount(input.text, inputMaxRows));
  const [scroll, setScroll] = useState({ key: buffer.key, rows: 0 });
  const scrollRows = scroll.key === buffer.key ? scroll.rows : 0;
  const page = Math.max(1, sizes.body - 2);
  const scrollTo = (n: number) => {
    // Clamped to the first line: laying out that far says how far there is.
    const { skip } = visibleRows(buffer.lines, sizes.pane, sizes.body - 1, Math.max(0, n), model);
    setScroll({ key: buffer.key, rows: skip });
  };

  useInput((text, key) => {
    const s = inputRef.current;
    const pasted = text === PASTE_MARKER_INPUT && !key.ctrl && !key.meta ? paste?.takePaste() : undefined;
    if (pasted !== undefined) {
      // A bracketed paste: inserted whole, its line breaks kept, sent by Enter.
      update(edit.insert(s, pasted));
    } else if (key.ctrl && text === 'c') {
      void core.quit();
    } else if (key.return && (key.meta || key.shift)) {
      // Alt-Enter (ESC CR; Shift-Enter where the terminal tells it apart): a line break.
      update(edit.insert(s, '\n'));
    } else if (key.return) {
      const [next, line] = edit.submit(s);
      update(next);
      setScroll({ key: buffer.key, rows: 0 });
      for (const one of edit.inputsToCarryOut(line)) core.input(one);
    } else if (key.tab) {
      const nicks = model.sortedMembers(buffer).map((m) => m.nick);
      if (buffer.kind === 'query') nicks.push(buffer.name);
      update(edit.complete(s, nicks, commandNames()));
    } else if (key.pageUp) {
      scrollTo(scrollRows + page);
    } else if (key.pageDown) {
      scrollTo(scrollRows - page);
    } else if (key.upArrow) {
      update(edit.historyUp(s));
    } else if (key.downArrow) {
      update(edit.historyDown(s));
    } else if (key.leftArrow) {
      update(edit.left(s));
    } else if (key.rightArrow) {
      update(edit.right(s));
    } else if (key.home || (key.ctrl && text === 'a')) {
      update(edit.home(s));
    } else if (key.end || (key.ctrl && text === 'e')) {
      update(edit.end(s));
    } else if (key.backspace || key.delete) {
      // Most terminals send DEL (0x7f) for Backspace, which ink reports as "delete".
      update(edit.backspace(s));
    } else if (key.ctrl && text === 'd') {
      update(edit.deleteForward(s));
    } else if (key.ctrl && text === 'u') {
      update(edit.killToStart(s));
    } else if (key.ctrl && text === 'k') {
      update(edit.killToEnd(s));
    } else if (key.ctrl && text === 'w') {
      update(edit.killWord(s));
    } else if (key.ctrl && text === 'n') {
      core.cycle(1);
    } else if (key.ctrl && text === 'p') {
      core.cycle(-1);
    } else if (key.meta && /^[0-9]$/.test(text)) {
      core.selectNumber(text === '0' ? 10 : Number(text));
    } else if (!key.ctrl && !key.meta && text !== '') {
      typed(text);
    }
  });

  /**
   * Typed text, or a paste the terminal did not bracket: each CR is Enter, as the terminal
   * cannot tell it from one; LF (Ctrl-J) is a line break in the input.
   */
  function typed(text: string): void {
    const parts = text.split(/\r\n|\r/);
    let s = edit.insert(inputRef.current, parts[0]!.replace(/\t/g, ' '));
    for (const part of parts.slice(1)) {
      const [next, line] = edit.submit(s);
      for (const one of edit.inputsToCarryOut(line)) core.input(one);
      s = edit.insert(next, part.replace(/\t/g, ' '));
    }
    update(s);
  }

  const prompt = truncate(model.t(model.status === 'registered' ? 'terminal.prompt' : 'terminal.promptOffline', { nick: model.nick }), Math.floor(columns / 3));
  return (
    <Box flexDirection="column" width={columns} height={rows}>
      <TopicBar buffer={buffer} status={model.status} nick={model.nick} width={columns} t={model.t} />
      <Box flexDirection="row" height={sizes.body}>
        {sizes.sidebar > 0 ? <Sidebar buffers={model.buffers} currentKey={buffer.key} width={sizes.sidebar} height={sizes.body} /> : null}
        {sizes.sidebar > 0 ? <Border height={sizes.body} /> : null}
        <MessagePane lines={buffer.lines} width={sizes.pane} height={sizes.body} scroll={scrollRows} language={model} />
        {sizes.members > 0 ? <Border height={sizes.body} /> : null}
        {sizes.members > 0 ? <MemberList members={model.sortedMembers(buffer)} width={sizes.members} height={sizes.body} t={model.t} isBot={(nick) => model.bots.has(nick)} /> : null}
      </Box>
      <InputLine prompt={prompt} text={input.text} cursor={input.cursor} width={columns} maxRows={inputMaxRows} />
    </Box>
  );
}
