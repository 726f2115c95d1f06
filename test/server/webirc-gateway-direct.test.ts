// A listed WEBIRC gateway's connection is counted in the per-address limits only once WEBIRC
// names its user (webirc.test.ts). One from that address that begins with anything else is a
// direct client of the address, and must be limited and throttled as one: otherwise every
// address in proxy.webirc[].hosts could open connections without limit.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword } from '../../src/server/passwords.ts';
import { RawClient } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const PASSWORD = 'gateway-secret';

async function register(c: RawClient, nick: string): Promise<void> {
  c.send(`NICK ${nick}`, `USER ${nick} 0 * :${nick}`);
  await c.waitFor('001');
}

describe('WEBIRC: a gateway address that does not send WEBIRC', () => {
  let t: TestServer;
  const connect = async (): Promise<RawClient> => {
    const c = await RawClient.connectFrom('127.0.0.1', t.port);
    t.clients.push(c);
    return c;
  };
  before(async () => {
    t = await startServer({
      connections: { exempt: [], throttleConnections: 0, perIp: 1 },
      proxy: { webirc: [{ name: 'kiwi', password: await hashPassword(PASSWORD, 4), hosts: ['127.0.0.1/32'] }] },
    });
  });
  after(async () => {
    await t.close();
  });

  test('is a direct client of its address: the per-address limit applies', async () => {
    const first = await connect();
    await register(first, 'direct1');
    const second = await connect();
    second.send('NICK direct2', 'USER direct2 0 * :direct2');
    const error = await second.waitFor('ERROR');
    assert.match(error.raw, /Too many connections from your address \(1 allowed\)/);
    await second.waitClose();
    assert.ok(!second.received.some((r) => r.msg.command === '001'));
  });

  test('while the gateway still brings its users, each counted at their own address', async () => {
    const gateway = await connect();
    gateway.send(`WEBIRC ${PASSWORD} kiwi host.example 198.51.100.90`);
    await register(gateway, 'viagateway');
  });
});
