// KeepAlive: a PING after a quiet interval; the connection given up after another without an answer.
import { mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { KeepAlive } from '../../src/clients/keep-alive.ts';

test('pings after a quiet interval, gives up after one more without an answer; hearing anything re-arms it', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const events: string[] = [];
    const keepAlive = new KeepAlive(1000, () => events.push('ping'), () => events.push('lost'));
    keepAlive.arm();
    mock.timers.tick(999);
    assert.deepEqual(events, []);
    mock.timers.tick(1);
    assert.deepEqual(events, ['ping']);
    keepAlive.arm(); // the PONG (or any line) came back
    mock.timers.tick(1000);
    assert.deepEqual(events, ['ping', 'ping']);
    mock.timers.tick(1000);
    assert.deepEqual(events, ['ping', 'ping', 'lost']);
    keepAlive.arm();
    keepAlive.stop();
    mock.timers.tick(5000);
    assert.deepEqual(events, ['ping', 'ping', 'lost'], 'stopped: nothing more');
  } finally {
    mock.timers.reset();
  }
});
