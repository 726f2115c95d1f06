// The logger of `parlor serve`: pino writing to stderr (stdout carries the status lines
// scripts read, and the console), JSON lines for machines or readable lines for a person.
// Everything is written synchronously: no worker thread, so that the last lines before
// the process exits (a fatal error, a shutdown) are never lost.
import pino, { type DestinationStream, type Logger } from 'pino';
import { prettyFactory } from 'pino-pretty';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Where the lines go: stderr unless a test gives its own stream. */
export type LogStream = NodeJS.WritableStream & { isTTY?: boolean };

export interface LoggerOptions {
  level: LogLevel | string;
  /** auto: readable on a terminal, JSON otherwise. */
  format: LogFormat;
  stream?: LogStream;
  /**
   * Runs each write of a line: the admin console passes one that moves its prompt out of the
   * way while a line is written to the terminal it shares, and draws it again below.
   */
  aroundWrite?: (write: () => void) => void;
}

// A safety net, not the policy: code must not log secrets in the first place. These keys
// are censored wherever they appear at the top of a line's object or one level down.
const SECRET_KEYS = ['password', 'pass', 'passwd', 'secret', 'token', 'authorization', 'adminToken', 'passwordHash', 'scram', 'scramSecret'];
export const REDACTED_PATHS = [...SECRET_KEYS, ...SECRET_KEYS.map((k) => `*.${k}`), 'req.headers.authorization', 'headers.authorization'];

export function createLogger(options: LoggerOptions): Logger {
  const stream = options.stream ?? process.stderr;
  const isTTY = stream.isTTY === true;
  const pretty = options.format === 'pretty' || (options.format === 'auto' && isTTY);
  const destination: DestinationStream = options.stream
    ? { write: (line: string) => void options.stream!.write(line) }
    : pino.destination({ dest: 2, sync: true });
  const formatted = pretty ? prettyStream(destination, isTTY) : destination;
  const around = options.aroundWrite;
  return pino(
    { level: options.level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
    around ? { write: (line: string) => around(() => formatted.write(line)) } : formatted,
  );
}

/** pino-pretty's formatter run in line, each JSON line rewritten before it is written. */
function prettyStream(destination: DestinationStream, colorize: boolean): DestinationStream {
  const prettify = prettyFactory({ colorize, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname', singleLine: true });
  return { write: (line: string) => destination.write(prettify(line)) };
}
