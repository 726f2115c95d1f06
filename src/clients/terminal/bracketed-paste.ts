// Bracketed paste (xterm mode 2004) for `parlor chat`: the terminal wraps what is pasted in
// ESC[200~ … ESC[201~, so that a pasted block of lines is one input, not one Enter per line.
// ink (6.x) has no notion of it: it would split the markers off as unknown keys and take each
// pasted CR for Enter. So stdin is filtered before ink sees it: a paste is taken out and put
// in a queue, and in its place ink gets the start marker alone, which the App answers by
// taking the paste from the queue. One stream keeps typed keys and pastes in their order.
import { PassThrough } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { TypeAhead } from './type-ahead.ts';

export const BRACKETED_PASTE_ON = '\x1b[?2004h';
export const BRACKETED_PASTE_OFF = '\x1b[?2004l';
const PASTE_START = '\x1b[200~';
const PASTE_END = '\x1b[201~';
/** What ink's useInput reports for PASTE_START: the sequence without its ESC, and no modifier. */
export const PASTE_MARKER_INPUT = PASTE_START.slice(1);
/** A paste longer than this (UTF-16 units) is cut: the rest could not be sent anyway. */
export const MAX_PASTE_LENGTH = 256 * 1024;

export type InputPiece = { kind: 'keys'; text: string } | { kind: 'paste'; text: string };

/** The length of the longest end of `data` that is the start of `marker` (but not all of it). */
function partialMarkerLength(data: string, marker: string): number {
  for (let n = Math.min(marker.length - 1, data.length); n > 0; n--) {
    if (data.endsWith(marker.slice(0, n))) return n;
  }
  return 0;
}

/**
 * Pasted text as input: line breaks (CR, CR LF, LF) become '\n', tabs spaces; other control
 * characters (ESC of a pasted escape sequence, NUL, DEL, C1) are dropped, as typing could not
 * have made them.
 */
export function cleanPastedText(text: string): string {
  let out = '';
  const normalised = text.replace(/\r\n?/g, '\n');
  for (const c of normalised) {
    if (c === '\n') out += c;
    else if (c === '\t') out += ' ';
    else if (c < ' ' || (c >= '\x7f' && c <= '\x9f')) continue;
    else out += c;
  }
  return out;
}

/**
 * Splits decoded terminal input into typed keys and pastes. Markers may come split across
 * chunks: an end of a chunk that may begin one is held back until the next chunk (or, for
 * keys, until `flush` says no more input came: a lone Escape is a key).
 */
export class BracketedPasteParser {
  /** The paste being read, undefined between pastes. */
  private paste: string | undefined;
  private held = '';

  push(chunk: string): InputPiece[] {
    const out: InputPiece[] = [];
    let data = this.held + chunk;
    this.held = '';
    while (data !== '') {
      if (this.paste === undefined) {
        const at = data.indexOf(PASTE_START);
        if (at === -1) {
          const keep = partialMarkerLength(data, PASTE_START);
          this.addKeys(out, data.slice(0, data.length - keep));
          this.held = data.slice(data.length - keep);
          break;
        }
        this.addKeys(out, data.slice(0, at));
        this.paste = '';
        data = data.slice(at + PASTE_START.length);
      } else {
        const at = data.indexOf(PASTE_END);
        if (at === -1) {
          const keep = partialMarkerLength(data, PASTE_END);
          this.addPasted(data.slice(0, data.length - keep));
          this.held = data.slice(data.length - keep);
          break;
        }
        this.addPasted(data.slice(0, at));
        out.push({ kind: 'paste', text: cleanPastedText(this.paste) });
        this.paste = undefined;
        data = data.slice(at + PASTE_END.length);
      }
    }
    return out;
  }

  /** Whether keys are held back as the possible start of a marker. */
  get holding(): boolean {
    return this.paste === undefined && this.held !== '';
  }

  /** No more input came: keys held back were keys after all. A paste waits for its end. */
  flush(): InputPiece[] {
    if (!this.holding) return [];
    const text = this.held;
    this.held = '';
    return [{ kind: 'keys', text }];
  }

  private addKeys(out: InputPiece[], text: string): void {
    if (text === '') return;
    const last = out.at(-1);
    if (last?.kind === 'keys') last.text += text;
    else out.push({ kind: 'keys', text });
  }

  private addPasted(text: string): void {
    const room = MAX_PASTE_LENGTH - this.paste!.length;
    if (room > 0) this.paste += text.slice(0, room);
  }
}

/** What ink reads instead of the terminal, and the pastes taken out of it. */
export interface PasteFilter {
  /** For ink's `render({ stdin })`: the terminal's input with pastes replaced by their marker. */
  readonly stdin: NodeJS.ReadStream;
  /** The paste whose marker ink has just reported; undefined if none waits. */
  takePaste(): string | undefined;
}

/**
 * Wraps the terminal's input for ink. Raw mode, ref and unref go to the terminal; its bytes
 * are decoded (a character split between reads is kept whole) and parsed for pastes.
 */
export function pasteFilter(source: NodeJS.ReadStream): PasteFilter {
  const decoder = new StringDecoder('utf8');
  const parser = new BracketedPasteParser();
  const typeAhead = new TypeAhead();
  const pastes: string[] = [];
  const through = new PassThrough({ encoding: 'utf8' });
  let flushTimer: NodeJS.Immediate | undefined;
  let reading = false;

  const forward = (pieces: InputPiece[]): void => {
    for (const piece of pieces) {
      if (piece.kind === 'keys') {
        through.write(piece.text);
      } else {
        pastes.push(piece.text);
        through.write(PASTE_START);
      }
    }
  };
  const onData = (chunk: Buffer | string): void => {
    if (flushTimer !== undefined) clearImmediate(flushTimer);
    flushTimer = undefined;
    forward(parser.push(typeAhead.take(typeof chunk === 'string' ? chunk : decoder.write(chunk))));
    // As ink does for a lone ESC: if nothing more comes at once, what is held is keys.
    if (parser.holding) {
      flushTimer = setImmediate(() => {
        flushTimer = undefined;
        forward(parser.flush());
      });
    }
  };

  const stdin = Object.assign(through, {
    isTTY: true,
    setRawMode(on: boolean) {
      source.setRawMode(on);
      if (on && !reading) {
        reading = true;
        // What was typed in cooked mode is waiting, its Enters turned to LF: the next read.
        typeAhead.arm();
        source.on('data', onData);
        source.resume();
      } else if (!on && reading) {
        reading = false;
        source.off('data', onData);
        source.pause();
      }
      return stdin;
    },
    ref() {
      source.ref();
      return stdin;
    },
    unref() {
      source.unref();
      return stdin;
    },
  });
  return {
    stdin: stdin as unknown as NodeJS.ReadStream,
    takePaste: () => pastes.shift(),
  };
}
