// Starts a real server on 127.0.0.1, port 0, and registers clients against it.
import { parseConfig, type ConfigInput } from '../../src/server/config.ts';
import { createServer, type ParlorServer, type ServerDeps } from '../../src/server/server.ts';
import { RawClient } from './raw-client.ts';

export interface TestServer {
  server: ParlorServer;
  port: number;
  clients: RawClient[];
  connect(): Promise<RawClient>;
  /** Connects and registers `nick`, with the given capabilities, and waits for the MOTD end. */
  register(nick: string, caps?: string[]): Promise<RawClient>;
  close(): Promise<void>;
}

export async function startServer(input: ConfigInput = {}, deps: Omit<ServerDeps, 'config'> = {}): Promise<TestServer> {
  const config = parseConfig({
    ...input,
    server: { name: 'test.parlor', port: 0, motd: 'Hello from the test server', ...input.server },
    limits: input.limits ?? {},
    // Tests send commands faster than people do; flood control has its own tests.
    flood: input.flood ?? { burst: 100_000, commandsPerSecond: 100_000 },
    admin: { auditLog: null, ...input.admin },
    // Replay on JOIN has its own tests; elsewhere a room's old lines would only be noise.
    history: { replayOnJoin: 0, ...input.history },
    // Many test servers run at once: the web port only where a test asks for it.
    web: { enabled: false, port: 0, ...input.web },
  });
  const server = createServer({ ...deps, config });
  const { port } = await server.listen();
  const clients: RawClient[] = [];
  const t: TestServer = {
    server,
    port,
    clients,
    async connect() {
      const c = await RawClient.connect(port);
      clients.push(c);
      return c;
    },
    async register(nick, caps = []) {
      const c = await t.connect();
      if (caps.length > 0) {
        c.send('CAP LS 302', `NICK ${nick}`, `USER ${nick} 0 * :${nick} Test`, `CAP REQ :${caps.join(' ')}`);
        await c.waitFor((r) => r.msg.command === 'CAP' && r.msg.params[1] === 'ACK');
        c.send('CAP END');
      } else {
        c.send(`NICK ${nick}`, `USER ${nick} 0 * :${nick} Test`);
      }
      await c.waitFor((r) => r.msg.command === '376' || r.msg.command === '422');
      return c;
    },
    async close() {
      for (const c of clients) c.close();
      await server.close();
    },
  };
  return t;
}
