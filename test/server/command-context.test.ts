// Command handlers see a narrow context (network view, log, ids, clock, config, services),
// not the server; the texts every client is sent (welcome, ISUPPORT, MOTD) belong to each
// server and are made again when it reloads its config.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLine } from '../../src/protocol/message.ts';
import { parseConfig, type Config, type ConfigInput } from '../../src/server/config.ts';
import { Context } from '../../src/server/context.ts';
import { ResponseBuffer } from '../../src/server/response.ts';
import { linesSince, until } from '../helpers/irc.ts';
import type { RawClient, Received } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const SERVER = 'test.parlor';

/** Registers `nick` and returns the welcome burst, up to the end of the MOTD (or 422). */
async function welcomeOf(t: TestServer, nick: string): Promise<{ client: RawClient; lines: Received[] }> {
  const client = await t.connect();
  client.send(`NICK ${nick}`, `USER ${nick} 0 * :${nick}`);
  const lines = await until(client, (r) => r.msg.command === '376' || r.msg.command === '422');
  return { client, lines };
}

function last(lines: Received[], command: string): string[] {
  const found = lines.filter((r) => r.msg.command === command);
  assert.ok(found.length > 0, `no ${command} among ${lines.map((r) => r.msg.command).join(' ')}`);
  return found[found.length - 1]!.msg.params;
}

function isupportTokens(lines: Received[]): string[] {
  return lines.filter((r) => r.msg.command === '005').flatMap((r) => r.msg.params.slice(1, -1));
}

function motdText(lines: Received[]): string[] {
  return lines.filter((r) => r.msg.command === '372').map((r) => r.msg.params[1]!);
}

describe('command context', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer();
  });
  after(() => t.close());

  test("a handler's context offers the network view, its log, ids, clock, config and services, not the server", async () => {
    await welcomeOf(t, 'ctxuser');
    const session = [...t.server.sessions].find((s) => s.user?.nick === 'ctxuser');
    assert.ok(session);
    const rb = new ResponseBuffer(session, t.server.serverName, t.server.now, undefined);
    const ctx = new Context(t.server, session, parseLine('PING :x'), rb);
    assert.equal('server' in ctx, false);
    // @ts-expect-error handlers reach the node only through ctx.services
    assert.equal(ctx.server, undefined);
    assert.equal(ctx.network, t.server.network);
    assert.equal(ctx.config, t.server.config);
    assert.equal(ctx.limits, t.server.config.limits);
    assert.equal(ctx.serverName, SERVER);
    assert.equal(ctx.services.store, t.server.store);
    assert.equal(ctx.now(), t.server.now());
    assert.notEqual(ctx.ids.newMsgid(), ctx.ids.newMsgid());
    assert.equal(ctx.user.nick, 'ctxuser');
  });
});

describe('server texts', () => {
  const base = (network: string, motd: string, nickLength: number): ConfigInput => ({ server: { name: SERVER, network, motd }, limits: { nickLength } });

  test('each server of a process sends its own welcome, ISUPPORT and MOTD', async () => {
    const one = await startServer(base('NetOne', 'first motd', 20));
    const two = await startServer(base('NetTwo', 'second motd', 25));
    try {
      // Both asked in turn, twice: lines one server made are never handed out by the other.
      for (let round = 0; round < 2; round++) {
        const a = await welcomeOf(one, `alice${round}`);
        const b = await welcomeOf(two, `bob${round}`);
        assert.match(last(a.lines, '001')[1]!, /^Welcome to the NetOne IRC Network /);
        assert.match(last(b.lines, '001')[1]!, /^Welcome to the NetTwo IRC Network /);
        assert.ok(isupportTokens(a.lines).includes('NICKLEN=20'));
        assert.ok(isupportTokens(b.lines).includes('NICKLEN=25'));
        assert.deepEqual(motdText(a.lines), ['- first motd']);
        assert.deepEqual(motdText(b.lines), ['- second motd']);
      }
    } finally {
      await one.close();
      await two.close();
    }
  });

  test('a reload makes them again from the new config, for new clients and for MOTD and VERSION', async () => {
    let next: ConfigInput = base('OldNet', 'old motd', 20);
    const full = (input: ConfigInput): Config =>
      parseConfig({
        ...input,
        server: { port: 0, ...input.server },
        flood: { burst: 100_000, commandsPerSecond: 100_000 },
        admin: { auditLog: null },
        history: { replayOnJoin: 0 },
        web: { enabled: false, port: 0 },
      });
    const t = await startServer(next, { reloadConfig: () => Promise.resolve(full(next)) });
    try {
      const before = await welcomeOf(t, 'early');
      assert.match(last(before.lines, '001')[1]!, /^Welcome to the OldNet IRC Network /);
      assert.deepEqual(motdText(before.lines), ['- old motd']);

      next = base('NewNet', 'new motd', 24);
      await t.server.reload();

      const after = await welcomeOf(t, 'late');
      assert.match(last(after.lines, '001')[1]!, /^Welcome to the NewNet IRC Network /);
      assert.ok(isupportTokens(after.lines).includes('NICKLEN=24'));
      assert.ok(isupportTokens(after.lines).includes('NETWORK=NewNet'));
      assert.deepEqual(motdText(after.lines), ['- new motd']);

      // A client connected before the reload is told the new texts when it asks.
      const mark = before.client.received.length;
      before.client.send('MOTD', 'VERSION');
      const asked = await linesSince(before.client, mark);
      assert.deepEqual(motdText(asked), ['- new motd']);
      assert.ok(isupportTokens(asked).includes('NICKLEN=24'));
      assert.ok(isupportTokens(asked).includes('NETWORK=NewNet'));
    } finally {
      await t.close();
    }
  });
});
