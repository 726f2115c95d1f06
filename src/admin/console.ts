// The admin console on the server's own terminal: line editing, history and tab completion
// on a TTY; plain lines through a pipe, so that scripts and tests can drive it. The end of
// its input never stops the server.
import readline from 'node:readline';
import type { Readable, Writable } from 'node:stream';
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
}

export function startConsole(server: ParlorServer, options: ConsoleOptions): AdminConsole {
  const terminal = options.terminal ?? (options.input as { isTTY?: boolean }).isTTY === true;
  const rl = readline.createInterface({
    input: options.input,
    output: terminal ? options.output : undefined,
    terminal,
    historySize: 1000,
    prompt: 'parlor> ',
    completer: (line: string) => completeConsoleLine(server, line),
  });

  /** Prints above the prompt, keeping what the operator is typing. Every line may hold client text. */
  const print = (lines: string[]): void => {
    if (lines.length === 0) return;
    if (terminal) {
      readline.clearLine(options.output, 0);
      readline.cursorTo(options.output, 0);
    }
    options.output.write(lines.flatMap((l) => l.split('\n').map(terminalSafe)).join('\n') + '\n');
    if (terminal) rl.prompt(true);
  };

  const onAdminMessage = (m: AdminInboxMessage): void => {
    const text = m.command === 'NOTICE' ? `-${m.from}- ${m.text}` : `<${m.from}> ${m.text}`;
    print([`[${formatClock(m.time)}] ${text}    (answer: say ${m.from} …)`]);
  };
  server.adminInbox.add(onAdminMessage);

  // One command at a time, in order, even when one of them waits (reload, shutdown).
  let queue = Promise.resolve();
  rl.on('line', (line) => {
    queue = queue.then(async () => {
      const out = await runConsoleLine(server, line);
      if (out.length > 0) print(out);
      else if (terminal) rl.prompt();
    });
  });
  rl.on('close', () => {
    server.adminInbox.delete(onAdminMessage);
    // After the answers to the commands still running, so that the output reads in order.
    queue = queue.then(() => {
      if (!closedByUs) options.output.write('console: end of input; the server keeps running (stop it with SIGTERM or shutdown)\n');
    });
  });
  let closedByUs = false;
  if (terminal) {
    options.output.write(`Parlor admin console: type help for the commands.\n`);
    rl.prompt();
  }
  return {
    close() {
      closedByUs = true;
      rl.close();
    },
  };
}
