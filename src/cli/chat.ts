// `parlor chat [host[:port]]`: the terminal IRC client, full screen on a terminal, line mode
// (one event per output line, commands read from input lines) when piped.
import { readFileSync } from 'node:fs';
import { IrcClient } from '../clients/irc-client.ts';
import { runLineMode } from '../clients/terminal/line-mode.ts';
import { createTranslator, type Locale, type Translator } from '../i18n/i18n.ts';
import { dateLocale, localeFromEnv, localeFromTag } from '../i18n/negotiate.ts';
import { ConfigError } from '../server/config.ts';

export interface ChatFlags {
  nick?: string;
  password?: string;
  /** Log in with SASL (SCRAM-SHA-256 or PLAIN): the account (default: the nick) and its password. */
  account?: string;
  saslPassword?: string;
  tls?: boolean;
  /** A PEM file of certificates to trust (a server's self-signed one). */
  tlsCa?: string;
  /** Accept any certificate: encrypted, but not safe from someone in the middle. */
  insecure?: boolean;
  port?: string;
  /** The language of the client's own text: en or zh (default: from LC_ALL, LC_MESSAGES, LANG). */
  lang?: string;
  /** Mark the user as a bot (IRCv3 bot-mode) on connecting. */
  bot?: boolean;
}

const DEFAULT_HOST = '127.0.0.1';
const DEFAULT_PORT = 6666;
const DEFAULT_TLS_PORT = 6697;

/** "host", "host:port", "[v6]:port" or "v6"; the --port flag wins over a port in the address. */
export function parseServer(server: string | undefined, portFlag: string | undefined, defaultPort = DEFAULT_PORT): { host: string; port: number } {
  let host = DEFAULT_HOST;
  let port: string | undefined;
  if (server) {
    const bracketed = /^\[([^\]]+)\](?::(\d*))?$/.exec(server);
    const hostPort = /^([^:]+):(\d*)$/.exec(server);
    if (bracketed) [host, port] = [bracketed[1]!, bracketed[2]];
    else if (hostPort) [host, port] = [hostPort[1]!, hostPort[2]];
    else host = server;
  }
  const text = portFlag ?? (port || undefined);
  if (text === undefined) return { host, port: defaultPort };
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 65535) throw new ConfigError(`the port must be a number from 1 to 65535, not "${text}"`);
  return { host, port: n };
}

/** The client's language: --lang, else the environment's; dates in the environment's regional form of it. */
export function chatLanguage(langFlag: string | undefined, env: Readonly<Record<string, string | undefined>>): { language: Translator; dateLocale: string } {
  let locale: Locale;
  if (langFlag === undefined) {
    locale = localeFromEnv(env);
  } else {
    const chosen = localeFromTag(langFlag);
    if (chosen === undefined) throw new ConfigError(`--lang must be en or zh, not "${langFlag}"`);
    locale = chosen;
  }
  // Dates follow LC_TIME when it is set, as other programs' do.
  const timeNames = [env.LC_ALL, env.LC_TIME, env.LANG].filter((n): n is string => n !== undefined && n !== '');
  return { language: createTranslator(locale), dateLocale: dateLocale(locale, timeNames.slice(0, 1)) };
}

export async function chat(server: string | undefined, flags: ChatFlags): Promise<void> {
  const tls = flags.tls === true || flags.tlsCa !== undefined || flags.insecure === true;
  const { host, port } = parseServer(server, flags.port, tls ? DEFAULT_TLS_PORT : DEFAULT_PORT);
  let tlsCa: Buffer | undefined;
  if (flags.tlsCa !== undefined) {
    try {
      tlsCa = readFileSync(flags.tlsCa);
    } catch (err) {
      throw new ConfigError(`cannot read --tls-ca ${flags.tlsCa}: ${(err as Error).message}`);
    }
  }
  const nick = flags.nick || process.env.USER || 'guest';
  const sasl = flags.saslPassword !== undefined ? { account: flags.account ?? nick, password: flags.saslPassword } : undefined;
  const { language, dateLocale } = chatLanguage(flags.lang, process.env);
  const client = new IrcClient({ host, port, tls, tlsInsecure: flags.insecure === true, tlsCa, nick, password: flags.password, ...(sasl && { sasl }), language, dateLocale, bot: flags.bot === true });
  // Signals quit properly: QUIT to the server, the terminal's screen (and paste mode) given
  // back. `on`, not `once`: ink's signal-exit kills the process when it finds no listener but
  // its own, and a `once` listener is gone by the time it looks. A second signal ends at once.
  let signalled = false;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      if (signalled) process.exit(1);
      signalled = true;
      void client.quit();
    });
  }
  const interactive = process.stdin.isTTY === true && process.stdout.isTTY === true;
  let code: number;
  if (interactive) {
    // ink draws nothing until exit when it believes it runs under CI (is-in-ci reads these
    // once, at import); on a real terminal a person is watching, so it must draw.
    delete process.env.CI;
    delete process.env.CONTINUOUS_INTEGRATION;
    // Loaded only on a terminal: line mode needs neither React nor ink.
    const { runTerminalUi } = await import('../clients/terminal/run-ui.tsx');
    code = await runTerminalUi(client);
  } else {
    code = await runLineMode(client, { input: process.stdin, output: process.stdout });
  }
  // Let what was printed reach a pipe before leaving.
  process.stdout.write('', () => process.exit(code));
}
