// A trusted proxy address that sends no PROXY header (often the operator's own local client,
// connecting straight to the port) is logged at warn, naming the address, at most once per
// reason per proxy.refusalLogIntervalMs, so that a client reconnecting in a loop cannot flood the log.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { ProxyRefusalLog } from '../../src/server/proxy-refusal-log.ts';
import { RawClient } from '../helpers/raw-client.ts';
import { startServer } from '../helpers/server.ts';

describe('refused trusted peers in the log', () => {
  test('a direct local client is logged once at warn with its address; the next ones within the period are not', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    const t = await startServer({ connections: { exempt: [], throttleConnections: 0 }, proxy: { trusted: ['127.0.0.1'], headerTimeoutMs: 300 } }, { logger });
    const refusals = (): Record<string, unknown>[] => lines.filter((l) => /PROXY header/.test(String(l.msg)));
    try {
      for (let i = 0; i < 3; i++) {
        const c = await RawClient.connectFrom('127.0.0.1', t.port);
        c.writeRaw('NICK direct\r\nUSER a 0 * :a\r\n');
        await c.waitFor('ERROR');
        await c.waitClose();
      }
      assert.equal(refusals().length, 1);
      assert.equal(refusals()[0]!.level, 40);
      assert.equal(refusals()[0]!.address, '127.0.0.1');
      assert.equal(refusals()[0]!.reason, 'not a PROXY header');
    } finally {
      await t.close();
    }
  });

  test('one line per reason per period, then the count of those not logged', () => {
    const warned: { fields: Record<string, unknown>; msg: string }[] = [];
    let now = 1_000_000;
    const log = new ProxyRefusalLog({ warn: (fields: Record<string, unknown>, msg: string) => void warned.push({ fields, msg }) } as never, () => now, () => 60_000);
    log.note('127.0.0.1', 'not a PROXY header');
    log.note('127.0.0.1', 'not a PROXY header');
    log.note('::1', 'no whole PROXY header within 5000 ms');
    log.note('127.0.0.1', 'not a PROXY header');
    assert.deepEqual(warned.map((w) => [w.fields.address, w.fields.reason]), [
      ['127.0.0.1', 'not a PROXY header'],
      ['::1', 'no whole PROXY header within 5000 ms'],
    ]);
    now += 60_000;
    log.note('127.0.0.1', 'not a PROXY header');
    assert.equal(warned.length, 3);
    assert.equal(warned[2]!.fields.moreRefusedSinceLastLine, 2);
  });
});
