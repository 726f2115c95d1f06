// Lines made as text in one go (the welcome burst: 001–005, LUSERS, the MOTD) are checked for
// CR, LF and NUL all at once and handed to the transport as one piece of output; a line that
// would break the wire is still dropped on its own, and a transport framing each line itself
// (WebSocket) still gets them line by line.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/server/config.ts';
import { Session, type SessionHost } from '../../src/server/session.ts';
import type { Connection, ConnectionHandler } from '../../src/transport/connection.ts';
import { startServer } from '../helpers/server.ts';
import { until } from '../helpers/irc.ts';

/** A connection that records what it is handed. */
function recordingConnection(withBursts: boolean): { conn: Connection; sent: string[]; bursts: string[][] } {
  const sent: string[] = [];
  const bursts: string[][] = [];
  const conn: Connection = {
    id: 'fake-1',
    transport: 'tcp',
    remoteAddress: '192.0.2.1',
    remotePort: 1,
    secure: false,
    closed: false,
    queuedBytes: 0,
    attach: (_handler: ConnectionHandler) => {},
    send: (line) => void sent.push(line),
    ...(withBursts && { sendLines: (lines: readonly string[]) => void bursts.push([...lines]) }),
    sendPrepared: () => {},
    close: () => {},
    pause: () => {},
    resume: () => {},
    whenDrained: () => Promise.resolve(),
    keepAlive: () => {},
  };
  return { conn, sent, bursts };
}

function sessionOn(conn: Connection, errors: unknown[]): Session {
  const config = parseConfig({ plainText: { enabled: false } });
  const host: SessionHost = {
    serverName: 'test.parlor',
    limits: config.limits,
    floodSettings: config.flood,
    config,
    now: () => 0,
    setTimeout: () => ({ cancel: () => {} }),
    dispatch: () => {},
    sessionClosed: () => {},
    logError: (err) => void errors.push(err),
  };
  return new Session(host, conn);
}

describe('the welcome burst', () => {
  test('safe lines go to the transport as one burst', () => {
    const { conn, sent, bursts } = recordingConnection(true);
    const errors: unknown[] = [];
    sessionOn(conn, errors).sendLines([':s 001 a :Welcome', ':s 002 a :Your host', ':s 376 a :End']);
    assert.deepEqual(bursts, [[':s 001 a :Welcome', ':s 002 a :Your host', ':s 376 a :End']]);
    assert.deepEqual(sent, []);
    assert.deepEqual(errors, []);
  });

  test('a line with CR, LF or NUL is dropped on its own and logged; the others are sent', () => {
    const { conn, sent, bursts } = recordingConnection(true);
    const errors: unknown[] = [];
    sessionOn(conn, errors).sendLines([':s 001 a :Welcome', ':s 372 a :- x\r\nPRIVMSG #all :forged', ':s 376 a :End\0']);
    assert.deepEqual(bursts, []);
    assert.deepEqual(sent, [':s 001 a :Welcome']);
    assert.equal(errors.length, 2);
  });

  test('a transport without bursts gets the lines one by one', () => {
    const { conn, sent } = recordingConnection(false);
    sessionOn(conn, []).sendLines(['a', 'b']);
    assert.deepEqual(sent, ['a', 'b']);
  });

  test('over TCP the burst arrives as separate, complete lines', async (t) => {
    const s = await startServer();
    t.after(() => s.close());
    const c = await s.connect();
    c.send('NICK burst', 'USER burst 0 * :Burst');
    const lines = await until(c, (r) => r.msg.command === '376' || r.msg.command === '422');
    const commands = lines.map((r) => r.msg.command);
    for (const numeric of ['001', '002', '003', '004', '005', '251', '255', '265', '266']) assert.ok(commands.includes(numeric), numeric);
    assert.ok(lines.every((r) => !/[\r\n]/.test(r.raw)));
  });
});
