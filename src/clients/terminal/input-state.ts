// The input line as plain data and the edits made to it: typing, moving by grapheme, kill
// keys, history (Up/Down) and Tab completion of nicks and /commands. Pure, so that the
// editing rules are tested without a terminal.
import { foldCase } from '../../protocol/casemapping.ts';
import { graphemes } from './text-layout.ts';

export interface Completion {
  /** Where the completed word starts. */
  start: number;
  /** The word as typed, before completing. */
  word: string;
  matches: string[];
  index: number;
  /** Text after the completed word, kept as it was. */
  tail: string;
}

export interface InputState {
  text: string;
  /** A UTF-16 index, always between graphemes. */
  cursor: number;
  history: string[];
  /** Position while browsing history; history.length when editing a new line. */
  historyIndex: number;
  /** The new line being typed, kept while browsing history. */
  draft: string;
  completion?: Completion | undefined;
}

const HISTORY_LIMIT = 200;

export function emptyInput(): InputState {
  return { text: '', cursor: 0, history: [], historyIndex: 0, draft: '' };
}

const edit = (s: InputState, text: string, cursor: number): InputState => ({ ...s, text, cursor, completion: undefined });

export function insert(s: InputState, chars: string): InputState {
  return edit(s, s.text.slice(0, s.cursor) + chars + s.text.slice(s.cursor), s.cursor + chars.length);
}

/** The cursor position one grapheme to the left or right. */
function step(text: string, cursor: number, dir: -1 | 1): number {
  if (dir < 0) {
    const before = graphemes(text.slice(0, cursor));
    return cursor - (before.at(-1)?.length ?? 0);
  }
  const after = graphemes(text.slice(cursor));
  return cursor + (after[0]?.length ?? 0);
}

export function backspace(s: InputState): InputState {
  const to = step(s.text, s.cursor, -1);
  return edit(s, s.text.slice(0, to) + s.text.slice(s.cursor), to);
}

export function deleteForward(s: InputState): InputState {
  const to = step(s.text, s.cursor, 1);
  return edit(s, s.text.slice(0, s.cursor) + s.text.slice(to), s.cursor);
}

export const left = (s: InputState): InputState => ({ ...s, cursor: step(s.text, s.cursor, -1), completion: undefined });
export const right = (s: InputState): InputState => ({ ...s, cursor: step(s.text, s.cursor, 1), completion: undefined });
export const home = (s: InputState): InputState => ({ ...s, cursor: 0, completion: undefined });
export const end = (s: InputState): InputState => ({ ...s, cursor: s.text.length, completion: undefined });
/** Ctrl-U: delete everything before the cursor. */
export const killToStart = (s: InputState): InputState => edit(s, s.text.slice(s.cursor), 0);
/** Ctrl-K: delete everything after the cursor. */
export const killToEnd = (s: InputState): InputState => edit(s, s.text.slice(0, s.cursor), s.cursor);

/** Ctrl-W: delete the word before the cursor (and the spaces after it). */
export function killWord(s: InputState): InputState {
  const before = s.text.slice(0, s.cursor).replace(/\S*\s*$/, '');
  return edit(s, before + s.text.slice(s.cursor), before.length);
}

export function historyUp(s: InputState): InputState {
  if (s.historyIndex === 0) return s;
  const draft = s.historyIndex === s.history.length ? s.text : s.draft;
  const text = s.history[s.historyIndex - 1]!;
  return { ...s, text, cursor: text.length, historyIndex: s.historyIndex - 1, draft, completion: undefined };
}

export function historyDown(s: InputState): InputState {
  if (s.historyIndex >= s.history.length) return s;
  const index = s.historyIndex + 1;
  const text = index === s.history.length ? s.draft : s.history[index]!;
  return { ...s, text, cursor: text.length, historyIndex: index, completion: undefined };
}

/** Enter: the line to carry out, and an empty input with the line in its history. */
export function submit(s: InputState): [InputState, string] {
  const line = s.text;
  const history = line.trim() === '' || s.history.at(-1) === line ? s.history : [...s.history, line].slice(-HISTORY_LIMIT);
  return [{ text: '', cursor: 0, history, historyIndex: history.length, draft: '' }, line];
}

/**
 * What a submitted input carries out: the text itself (several lines go as one message), but
 * a text of several lines that starts with a /command is each of its lines on its own, as
 * typed one after the other: a command is one line, and none of them may carry a line break.
 */
export function inputsToCarryOut(text: string): string[] {
  if (!text.includes('\n')) return text.trim() === '' ? [] : [text];
  if (text.trimStart().startsWith('/') && !text.trimStart().startsWith('//')) return text.split('\n').filter((line) => line.trim() !== '');
  return text.trim() === '' ? [] : [text];
}

/**
 * Tab: completes the word before the cursor. A first word starting with '/' completes to a
 * command, anything else to a nick (with ': ' after it at the start of the line). Pressing
 * Tab again goes on to the next match.
 */
export function complete(s: InputState, nicks: readonly string[], commands: readonly string[]): InputState {
  const c = s.completion;
  if (c && c.matches.length > 0) {
    const index = (c.index + 1) % c.matches.length;
    return applyCompletion(s, { ...c, index });
  }
  const before = s.text.slice(0, s.cursor);
  const start = before.search(/\S*$/);
  const word = before.slice(start);
  const tail = s.text.slice(s.cursor);
  let matches: string[];
  if (start === 0 && word.startsWith('/')) {
    const w = word.slice(1).toLowerCase();
    matches = commands.filter((name) => name.startsWith(w)).map((name) => `/${name} `);
  } else {
    if (word === '') return s;
    const w = foldCase(word.replace(/^@/, ''));
    const suffix = start === 0 ? ': ' : ' ';
    matches = nicks.filter((n) => foldCase(n).startsWith(w)).map((n) => n + suffix);
  }
  if (matches.length === 0) return s;
  return applyCompletion(s, { start, word, matches, index: 0, tail });
}

function applyCompletion(s: InputState, c: Completion): InputState {
  let insertText = c.matches[c.index]!;
  // Do not double the space when one follows already.
  if (c.tail.startsWith(' ')) insertText = insertText.replace(/ $/, '');
  const head = s.text.slice(0, c.start) + insertText;
  return { ...s, text: head + c.tail, cursor: head.length, completion: c };
}
