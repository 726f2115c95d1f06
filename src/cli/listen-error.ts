// A listening socket that cannot be opened is the operator's to fix (another process holds
// the port, a port below 1024 without the right, an address this machine does not have): it
// gets one plain line and exit status 2, which systemd does not restart on, rather than a
// stack trace and a restart every two seconds.
import type { Config } from '../server/config.ts';

interface ListenFailure {
  code: string;
  address?: string;
  port?: number;
}

function isListenFailure(err: unknown): err is ListenFailure & Error {
  return err instanceof Error && typeof (err as { code?: unknown }).code === 'string' && (err as { syscall?: unknown }).syscall === 'listen';
}

/** Which of the configured ports failed, as the operator calls it: "port", "web port", "TLS port". */
function portName(config: Config, port: number): string {
  if (port === config.server.port) return 'port';
  if (config.web.enabled && port === config.web.port) return 'web port';
  if (port === config.tls.port) return 'TLS port';
  return 'port';
}

/** One line for a listen error the operator can fix; undefined for anything else. */
export function describeListenError(err: unknown, config: Config): string | undefined {
  if (!isListenFailure(err)) return undefined;
  // Node leaves the port out when it was 0 (any port): the first listener, the chat port, asked for it.
  const port = err.port ?? config.server.port;
  const where = `${portName(config, port)} ${port} on ${err.address ?? config.server.host}`;
  switch (err.code) {
    case 'EADDRINUSE':
      return `${where} is already in use (another parlor?)`;
    case 'EACCES':
      return `${where}: permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)`;
    case 'EADDRNOTAVAIL':
      return `${where}: address not available (${err.address ?? 'it'} is not an address of this machine)`;
    default:
      return undefined;
  }
}
