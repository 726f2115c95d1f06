// The `parlor` command line.
import { Command } from 'commander';
import { ConfigError } from '../server/config.ts';
import { VERSION } from '../server/version.ts';
import type { BackupFlags } from './backup.ts';
import type { ChatFlags } from './chat.ts';
import type { GenCertFlags } from './gen-cert.ts';
import type { ServeFlags } from './serve.ts';

// Each command's code is loaded when it runs: `--help` and `--version` stay quick.
const serve = async (flags: ServeFlags): Promise<void> => (await import('./serve.ts')).serve(flags);
const chat = async (server: string | undefined, flags: ChatFlags): Promise<void> => (await import('./chat.ts')).chat(server, flags);
const genCert = async (flags: GenCertFlags): Promise<void> => (await import('./gen-cert.ts')).genCert(flags);
const mkpasswd = async (): Promise<void> => (await import('./mkpasswd.ts')).mkpasswd();
const backup = async (file: string, flags: BackupFlags): Promise<void> => (await import('./backup.ts')).backup(file, flags);

const version = VERSION.replace(/^parlor-/, '');
const program = new Command();
program.name('parlor').description('Parlor: a chat server that speaks IRC').version(version);

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
  .option('--tls-cert <file>', 'PEM certificate: with --tls-key, a TLS listener runs (reloaded on SIGHUP)')
  .option('--tls-key <file>', 'PEM private key for --tls-cert')
  .option('--tls-port <port>', 'TLS chat port, 0 for any free port (default 6697)')
  .option('--web-tls', 'serve the web port as HTTPS/WSS with the TLS certificate')
  .option('--data-dir <dir>', 'where the database and audit log live (default ./data)')
  .option('--cluster <redis-url>', 'join the cluster whose log is this Redis (redis://host:port): several nodes as one network')
  .option('--store <postgres-url>', 'keep accounts, rooms, bans and history in this PostgreSQL (postgres://user@host/db)')
  .option('--node-id <id>', "this node's name in the cluster (default: made from the host name and port)")
  .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent (default info; warn under an interactive console)')
  .option('--log-format <format>', 'auto, json or pretty: how logs are written to stderr (default auto: pretty on a terminal)')
  .option('--log-messages', 'log the text of every PRIVMSG/NOTICE at debug level (off: message text is never logged)')
  .option('--no-console', 'do not read admin commands from standard input')
  .action(serve);

program
  .command('gen-cert')
  .description('make a self-signed TLS certificate and key for trying TLS out')
  .option('--cert <file>', 'where to write the certificate', 'parlor-cert.pem')
  .option('--key <file>', 'where to write the private key (mode 600)', 'parlor-key.pem')
  .option('--host <name...>', 'names and addresses it is valid for (default localhost, 127.0.0.1, ::1 and this host)')
  .option('--days <n>', 'days it stays valid', '365')
  .option('--force', 'replace existing files')
  .action(genCert);

program
  .command('mkpasswd')
  .description('print a password hash for an operator in the config (reads the password from the terminal or a pipe)')
  .action(mkpasswd);

program
  .command('backup')
  .description("copy the database to a file, safely while the server runs (SQLite's online backup)")
  .argument('<file>', 'where to write the copy')
  .option('-c, --config <file>', 'YAML config file: the data directory is its storage.dataDir')
  .option('--data-dir <dir>', 'the data directory (default ./data)')
  .option('--force', 'replace the file if it exists')
  .action(backup);

program
  .command('chat')
  .description('chat in the terminal, with Parlor or any IRC server (line mode when piped)')
  .argument('[server]', 'host[:port] to connect to (default 127.0.0.1:6666)')
  .option('-n, --nick <nick>', 'your nick (default $USER, or guest)')
  .option('--password <password>', 'server password (PASS), for servers that ask everyone for one; to log in to your account use --sasl-password')
  .option('--sasl-password <password>', 'log in to your account with SASL (SCRAM-SHA-256 when offered, else PLAIN)')
  .option('--account <name>', 'the account to log in to (default: your nick)')
  .option('--tls', 'connect with TLS (default port 6697)')
  .option('--tls-ca <file>', 'trust the certificates in this PEM file (a self-signed server), implies --tls')
  .option('--insecure', 'with TLS, accept any certificate (encrypted, but not safe from a man in the middle)')
  .option('-p, --port <port>', 'port, when not given with the server')
  .option('--lang <language>', 'en or zh (简体中文): the language of the client (default: from LANG)')
  .option('--bot', 'mark yourself as a bot (user mode +B, where the server has bot mode): for scripts')
  .action(chat);

// `parlor <command> --version` answers too.
for (const command of program.commands) command.version(version);

program.parseAsync().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`parlor: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`parlor: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
