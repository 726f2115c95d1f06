// Minimal typing for irc-framework (CommonJS, no bundled types): only what the e2e tests use.
declare module 'irc-framework' {
  import { EventEmitter } from 'node:events';

  export interface ConnectOptions {
    host: string;
    port: number;
    nick: string;
    username?: string;
    gecos?: string;
    auto_reconnect?: boolean;
    ping_interval?: number;
    ping_timeout?: number;
    enable_echomessage?: boolean;
    enable_chghost?: boolean;
    enable_setname?: boolean;
  }

  export class Client extends EventEmitter {
    constructor(options?: Partial<ConnectOptions>);
    connect(options?: ConnectOptions): void;
    requestCap(cap: string | string[]): void;
    raw(...args: string[]): void;
    quit(message?: string): void;
    changeNick(nick: string): void;
    say(target: string, message: string, tags?: Record<string, string>): void;
    join(channel: string, key?: string): void;
    part(channel: string, message?: string): void;
    setTopic(channel: string, topic: string): void;
    whois(target: string, cb?: (event: Record<string, unknown>) => void): void;
    connected: boolean;
    user: { nick: string; username: string; host: string };
    network: {
      name: string;
      cap: { enabled: string[]; isEnabled(cap: string): boolean };
      options: Record<string, unknown>;
    };
  }

  const IRC: { Client: typeof Client };
  export default IRC;
}
