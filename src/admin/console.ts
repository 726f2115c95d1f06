// The admin console on the server's own terminal: line editing, history and tab completion
// on a TTY; plain lines through a pipe, so that scripts and tests can drive it.
//
// The end of a pipe's input never stops the server (systemd, `parlor serve < /dev/null`).
// On a terminal Ctrl-D asks whether to shut the server down; anything but "y" carries on.
// Output and log lines are written above the prompt: the prompt and what the operator has
// typed so far are cleared first and drawn again below them.
import readline from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import stringWidth from 'string-width';
import { terminalSafe } from '../protocol/terminal-safe.ts';
import type { AdminInboxMessage, ParlorServer } from '../server/server.ts';
import { completeConsoleLine, formatClock, runConsoleLine } from './console-commands.ts';

export interface ConsoleOptions {
  input: Readable;
  output: Writable;
  /** Line editing and a prompt; defaults to whether the input is a TTY. */
  terminal?: boolean;
}

export interface AdminConsole {
  close(): void;
  /** Runs `write` (which writes whole lines to this terminal, a log line say) above the prompt. */
  aboveThePrompt(write: () => void): void;
}

const PROMPT = 'parlor> ';
const CONFIRM_PROMPT = 'Shut the server down? Type y to confirm, anything else to carry on: ';

/**
 * A message to the admin as console lines. One of several lines (IRCv3 multiline) shows each
 * further line indented under the first's text; the hint to answer ends the last.
 */
export function inboxLines(m: AdminInboxMessage): string[] {
  const from = terminalSafe(m.from);
  const head = `[${formatClock(m.time)}] ${m.command === 'NOTICE' ? `-${from}-` : `<${from}>`} `;
  const indent = ' '.repeat(stringWidth(head));
  const lines = m.text.split('\n').map((text, i) => (i === 0 ? head + terminalSafe(text) : text === '' ? '' : indent + terminalSafe(text)));
  lines[lines.length - 1] += `    (answer: say ${from} …)`;
  return lines;
}

export function startConsole(server: ParlorServer, options: ConsoleOptions): AdminConsole {
  const terminal = options.terminal ?? (options.input as { isTTY?: boolean }).isTTY === true;
  const output = options.output as Writable & { columns?: number };
  let closedByUs = false;
  /** After Ctrl-D on a terminal, the next line answers whether to shut down. */
  let confirming = false;
  /** Lines entered, kept across the interfaces a terminal's Ctrl-D makes us open again. */
  let history: string[] = [];
  let rl = open();

  function open(): readline.Interface {
    const next = readline.createInterface({
      input: options.input,
      output: terminal ? output : undefined,
      terminal,
      history,
      historySize: 1000,
      prompt: confirming ? CONFIRM_PROMPT : PROMPT,
      completer: (line: string) => completeConsoleLine(server, line),
    });
    next.on('history', (lines) => (history = lines));
    next.on('line', onLine);
    next.on('close', () => onClose(next));
    // Ctrl-C in raw mode is a key, not a signal: stop as SIGINT does elsewhere.
    if (terminal) next.on('SIGINT', () => process.kill(process.pid, 'SIGINT'));
    return next;
  }

  /** Clears the prompt and the typed text (which may span several rows), runs `write`, draws them again. */
  const aboveThePrompt = (write: () => void): void => {
    if (!terminal || closedByUs) {
      write();
      return;
    }
    const rowsUp = rl.getCursorPos().rows;
    readline.cursorTo(output, 0);
    if (rowsUp > 0) readline.moveCursor(output, 0, -rowsUp);
    readline.clearScreenDown(output);
    write();
    // readline redraws from the row its cursor was on: give it as many empty rows to go back over.
    if (rowsUp > 0) output.write('\n'.repeat(rowsUp));
    rl.prompt(true);
  };

  /** Prints above the prompt, keeping what the operator is typing. Every line may hold client text. */
  const print = (lines: string[]): void => {
    if (lines.length === 0) return;
    aboveThePrompt(() => output.write(lines.flatMap((l) => l.split('\n').map(terminalSafe)).join('\n') + '\n'));
  };

  const onAdminMessage = (m: AdminInboxMessage): void => print(inboxLines(m));
  server.adminInbox.add(onAdminMessage);

  // One command at a time, in order, even when one of them waits (reload, shutdown).
  let queue = Promise.resolve();
  function onLine(line: string): void {
    if (confirming) {
      confirming = false;
      rl.setPrompt(PROMPT);
      if (!/^\s*y(es)?\s*$/i.test(line)) {
        print(['the server keeps running']);
        return;
      }
      line = 'shutdown';
    }
    queue = queue.then(async () => {
      const out = await runConsoleLine(server, line, { columns: terminal ? output.columns : undefined });
      if (out.length > 0) print(out);
      else if (terminal && !closedByUs) rl.prompt();
    });
  }

  function onClose(closed: readline.Interface): void {
    if (closedByUs || closed !== rl) return;
    if (terminal) {
      // Ctrl-D on an empty line: readline has let go of the terminal; ask, on a new interface.
      output.write('\n');
      confirming = !confirming;
      if (!confirming) output.write('the server keeps running\n');
      rl = open();
      rl.prompt();
      return;
    }
    server.adminInbox.delete(onAdminMessage);
    // After the answers to the commands still running, so that the output reads in order.
    queue = queue.then(() => {
      if (!closedByUs) output.write('console: end of input; the server keeps running (stop it with SIGTERM or shutdown)\n');
    });
  }

  if (terminal) {
    output.write(`Parlor admin console: type help for the commands.\n`);
    rl.prompt();
  }
  return {
    close() {
      closedByUs = true;
      server.adminInbox.delete(onAdminMessage);
      rl.close();
    },
    aboveThePrompt,
  };
}
