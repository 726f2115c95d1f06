// The `parlor` command line.
import { Command } from 'commander';
import { ConfigError } from '../server/config.ts';
import { chat } from './chat.ts';
import { VERSION } from '../server/version.ts';
import { mkpasswd } from './mkpasswd.ts';
import { serve } from './serve.ts';

const program = new Command();
program.name('parlor').description('Parlor: a chat server that speaks IRC').version(VERSION.replace(/^parlor-/, ''));

program
  .command('serve')
  .description('run the chat server')
  .option('-c, --config <file>', 'YAML config file (flags override it)')
  .option('--host <host>', 'address to listen on (default 127.0.0.1)')
  .option('-p, --port <port>', 'chat port, 0 for any free port (default 6666)')
  .option('--name <name>', "the server's name (default parlor.local)")
  .option('--network <name>', 'network name shown to clients (default Parlor)')
  .option('--password <password>', 'connection password clients must give with PASS')
  .option('--motd-file <file>', 'message of the day file')
  .option('--web-port <port>', 'web client and WebSocket port, 0 for any free port (default 8080)')
  .option('--no-web', 'do not serve the web client and WebSocket endpoint')
  .option('--data-dir <dir>', 'where the database and audit log live (default ./data)')
  .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent (default info; warn under an interactive console)')
  .option('--no-console', 'do not read admin commands from standard input')
  .action(serve);

program
  .command('mkpasswd')
  .description('print a password hash for an operator in the config (reads the password from the terminal or a pipe)')
  .action(mkpasswd);

program
  .command('chat')
  .description('chat in the terminal, with Parlor or any IRC server (line mode when piped)')
  .argument('[server]', 'host[:port] to connect to (default 127.0.0.1:6666)')
  .option('-n, --nick <nick>', 'your nick (default $USER, or guest)')
  .option('--password <password>', 'connection password (PASS)')
  .option('--sasl-password <password>', 'log in to your account with SASL PLAIN')
  .option('--account <name>', 'the account to log in to (default: your nick)')
  .option('--tls', 'connect with TLS')
  .option('-p, --port <port>', 'port, when not given with the server')
  .action(chat);

program.parseAsync().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`parlor: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`parlor: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
