// The terminal client's connection: the shared core (irc-session.ts) dialing the server over
// TCP or TLS with Node (src/transport/client.ts).
import { dialIrc, type Dialer } from '../transport/client.ts';
import { IrcSession, type SessionOptions } from './irc-session.ts';

export { WANTED_CAPS } from './irc-session.ts';

export interface IrcClientOptions extends Omit<SessionOptions, 'connect' | 'serverName' | 'address'> {
  host: string;
  port: number;
  tls?: boolean;
  tlsInsecure?: boolean;
  /** PEM certificates to trust besides the system's (a server's self-signed certificate). */
  tlsCa?: string | Buffer;
  dial?: Dialer;
}

export class IrcClient extends IrcSession {
  constructor(readonly options: IrcClientOptions) {
    const { host, port, tls, tlsInsecure, tlsCa, dial = dialIrc } = options;
    super({
      ...options,
      serverName: host,
      address: `${host}:${port}${tls ? ' (TLS)' : ''}`,
      connect: (handler) => dial({ host, port, tls, tlsInsecure, tlsCa }, handler),
    });
  }
}
