// `parlor mkpasswd`: prints a password hash for the config's `opers` (and, later, accounts).
// The password is read from the terminal without echo, or as the first line of a pipe;
// never from the command line, where other users could see it in the process list.
import readline from 'node:readline';
import { hashPassword } from '../server/passwords.ts';

function readHidden(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(prompt);
    stdin.setRawMode(true);
    stdin.resume();
    let text = '';
    // Back to a normal terminal, and stdin no longer read, so that the process can end.
    const stop = (): void => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
    };
    const onData = (chunk: Buffer): void => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') {
          stop();
          resolve(text);
          return;
        }
        if (ch === '\u0003') {
          stop();
          reject(new Error('cancelled'));
          return;
        }
        if (ch === '\u007f' || ch === '\b') text = [...text].slice(0, -1).join('');
        else text += ch;
      }
    };
    stdin.on('data', onData);
  });
}

async function readFirstLine(): Promise<string> {
  const rl = readline.createInterface({ input: process.stdin });
  for await (const line of rl) {
    rl.close();
    return line;
  }
  return '';
}

/** A mistake of the person at the keyboard: said plainly, without a stack trace, exit code 1. */
function refuse(reason: string): void {
  process.stderr.write(`parlor mkpasswd: ${reason}\n`);
  process.exitCode = 1;
}

export async function mkpasswd(): Promise<void> {
  let password: string;
  if (process.stdin.isTTY) {
    try {
      password = await readHidden('Password: ');
      const again = await readHidden('Again: ');
      if (again !== password) return refuse('the two passwords differ');
    } catch {
      return refuse('cancelled');
    }
  } else {
    password = await readFirstLine();
  }
  if (password === '') return refuse('an empty password cannot be used');
  process.stdout.write((await hashPassword(password)) + '\n');
}
