// Prometheus metrics at /metrics on the web port: the text format, figures that move as
// people chat, who may scrape, and the console's `stats` reading the same snapshot.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { runConsoleLine } from '../../src/admin/console-commands.ts';
import { parseConfig, type ConfigInput } from '../../src/server/config.ts';
import { metricsRefusal } from '../../src/server/metrics.ts';
import { is, joinAll, mask, settle } from '../helpers/irc.ts';
import type { Received } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

interface Scrape {
  status: number;
  contentType: string;
  text: string;
  /** `name` or `name{label="value"}` → value, as the exposition spells them. */
  values: Map<string, number>;
}

/** Parses the text exposition format strictly: every sample belongs to a metric with HELP and TYPE. */
function parseExposition(text: string): Map<string, number> {
  const values = new Map<string, number>();
  const described = new Map<string, { help: boolean; type: string | undefined }>();
  assert.ok(text.endsWith('\n'), 'the exposition ends with a newline');
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const comment = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/.exec(line);
    if (comment) {
      const d = described.get(comment[2]!) ?? { help: false, type: undefined };
      if (comment[1] === 'HELP') d.help = true;
      else {
        assert.match(comment[3]!, /^(counter|gauge|histogram|summary|untyped)$/);
        d.type = comment[3];
      }
      described.set(comment[2]!, d);
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*\})? (\S+)$/.exec(line);
    assert.ok(sample, `not a sample line: ${JSON.stringify(line)}`);
    const name = sample[1]!;
    const d = described.get(name);
    assert.ok(d?.help && d.type, `${name} has no HELP and TYPE before its samples`);
    if (d.type === 'counter') assert.match(name, /_total$/, `counter ${name} is named *_total`);
    const value = Number(sample[3]);
    assert.ok(Number.isFinite(value), `${line}: not a finite number`);
    const key = name + (sample[2] ?? '');
    assert.ok(!values.has(key), `${key} appears twice`);
    values.set(key, value);
  }
  return values;
}

async function scrape(t: TestServer, headers: Record<string, string> = {}, method = 'GET'): Promise<Scrape> {
  const web = t.server.webAddress!;
  const res = await fetch(`http://127.0.0.1:${web.port}/metrics`, { headers, method });
  const text = await res.text();
  const contentType = res.headers.get('content-type') ?? '';
  return { status: res.status, contentType, text, values: res.status === 200 && method === 'GET' ? parseExposition(text) : new Map() };
}

/** A scrape that must succeed, as name → value. */
async function figures(t: TestServer): Promise<Map<string, number>> {
  const s = await scrape(t);
  assert.equal(s.status, 200, s.text);
  return s.values;
}

function get(values: Map<string, number>, key: string): number {
  const v = values.get(key);
  assert.ok(v !== undefined, `${key} is missing from /metrics`);
  return v;
}

const webOn = (extra: ConfigInput = {}): ConfigInput => ({ ...extra, web: { enabled: true, port: 0, ...extra.web } });

describe('/metrics as people chat', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer(webOn());
  });
  after(() => t.close());

  test('text format; connections, registrations, messages received and delivered move by the right amounts', async () => {
    const start = await scrape(t);
    assert.equal(start.status, 200);
    assert.match(start.contentType, /^text\/plain; version=0\.0\.4/);
    const v0 = start.values;
    for (const transport of ['tcp', 'tls', 'websocket']) assert.equal(get(v0, `parlor_connections{transport="${transport}"}`), 0);
    assert.equal(get(v0, 'parlor_registrations_total'), 0);
    assert.equal(get(v0, 'parlor_messages_received_total'), 0);
    assert.equal(get(v0, 'parlor_messages_delivered_total'), 0);
    assert.equal(get(v0, 'parlor_rooms'), 0);
    for (const reason of ['server-full', 'per-ip', 'throttled', 'banned']) assert.equal(get(v0, `parlor_connections_refused_total{reason="${reason}"}`), 0);

    const alice = await t.register('alice');
    const bob = await t.register('bob');
    const v1 = await figures(t);
    assert.equal(get(v1, 'parlor_connections{transport="tcp"}'), 2);
    assert.equal(get(v1, 'parlor_users'), 2);
    assert.equal(get(v1, 'parlor_registrations_total'), 2);

    const carol = await t.register('carol');
    await joinAll('#metrics', alice, bob, carol);
    const before = await figures(t);
    assert.equal(get(before, 'parlor_connections{transport="tcp"}'), 3);
    assert.equal(get(before, 'parlor_registrations_total'), 3);
    assert.equal(get(before, 'parlor_rooms'), 1);

    // A room message to 3 members (2 copies) and a private message (1 copy): 2 in, 3 out.
    alice.send('PRIVMSG #metrics :hello both', 'PRIVMSG bob :psst');
    await carol.waitFor(is('PRIVMSG', '#metrics', 'hello both'));
    await bob.waitFor(is('PRIVMSG', '#metrics', 'hello both'));
    await bob.waitFor(is('PRIVMSG', 'bob', 'psst'));
    const after = await figures(t);
    assert.equal(get(after, 'parlor_messages_received_total') - get(before, 'parlor_messages_received_total'), 2);
    assert.equal(get(after, 'parlor_messages_delivered_total') - get(before, 'parlor_messages_delivered_total'), 3);

    // Someone leaves: the gauge falls, the counter does not.
    carol.send('QUIT :bye');
    await alice.waitFor((r: Received) => r.msg.command === 'QUIT' && r.msg.source === mask('carol'));
    const left = await figures(t);
    assert.equal(get(left, 'parlor_connections{transport="tcp"}'), 2);
    assert.equal(get(left, 'parlor_registrations_total'), 3);
    alice.send('QUIT');
    bob.send('QUIT');
    await Promise.all([alice.waitClose(), bob.waitClose()]);
  });

  test('process figures: event-loop lag ordered, memory, uptime and start times', async () => {
    const v = await figures(t);
    const p50 = get(v, 'parlor_event_loop_lag_seconds{stat="p50"}');
    const p99 = get(v, 'parlor_event_loop_lag_seconds{stat="p99"}');
    const max = get(v, 'parlor_event_loop_lag_seconds{stat="max"}');
    assert.ok(p50 >= 0 && p50 <= p99 && p99 <= max && max < 60, `lag p50 ${p50} p99 ${p99} max ${max}`);
    assert.ok(get(v, 'parlor_process_resident_memory_bytes') > 1_000_000);
    assert.ok(get(v, 'parlor_process_heap_used_bytes') > 0);
    assert.ok(get(v, 'parlor_uptime_seconds') >= 0);
    const now = Date.now() / 1000;
    const processStart = get(v, 'parlor_process_start_time_seconds');
    const serverStart = get(v, 'parlor_start_time_seconds');
    assert.ok(processStart <= serverStart && serverStart <= now && now - processStart < 3600, `${processStart} ${serverStart} ${now}`);
  });

  test('a WebSocket client counts under transport websocket, and HEAD answers without a body', async () => {
    const web = t.server.webAddress!;
    const ws = new WebSocket(`ws://127.0.0.1:${web.port}/irc`, 'text.ircv3.net');
    const welcomed = new Promise<void>((resolve, reject) => {
      ws.on('message', (data) => {
        if (/ 001 wsmetrics /.test(data.toString())) resolve();
      });
      ws.once('error', reject);
    });
    ws.once('open', () => {
      ws.send('NICK wsmetrics');
      ws.send('USER wsmetrics 0 * :Web');
    });
    await welcomed;
    const v = await figures(t);
    assert.equal(get(v, 'parlor_connections{transport="websocket"}'), 1);
    assert.equal(get(v, 'parlor_connections{transport="tcp"}'), 0);
    const head = await scrape(t, {}, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.text, '');
    const closed = new Promise((resolve) => ws.once('close', resolve));
    ws.close();
    await closed;
  });

  test('the console `stats` shows the figures /metrics serves', async () => {
    const c1 = await t.register('stats1');
    const c2 = await t.register('stats2');
    await joinAll('#agree', c1, c2);
    c1.send('PRIVMSG #agree :one', 'PRIVMSG stats2 :two');
    await c2.waitFor(is('PRIVMSG', 'stats2', 'two'));
    assert.deepEqual(await runConsoleLine(t.server, 'ban 192.0.2.7 testing'), ['banned 192.0.2.7 permanently (testing); 0 client(s) disconnected']);
    await settle(c1, c2);

    const v = await figures(t);
    const lines = await runConsoleLine(t.server, 'stats');
    const field = (label: string, re: RegExp): number[] => {
      const line = lines.find((l) => l.startsWith(label.padEnd(13)));
      assert.ok(line, `no ${label} line in ${lines.join('\n')}`);
      const m = re.exec(line.slice(13));
      assert.ok(m, `${label} line: ${line}`);
      return m.slice(1).map(Number);
    };
    const [total, registered] = field('connections', /^(\d+) now \((\d+) registered\)/);
    assert.equal(total, get(v, 'parlor_connections{transport="tcp"}') + get(v, 'parlor_connections{transport="tls"}') + get(v, 'parlor_connections{transport="websocket"}'));
    assert.equal(registered, get(v, 'parlor_users'));
    assert.deepEqual(field('transports', /^tcp (\d+), tls (\d+), websocket (\d+); plain text (\d+)$/), [
      get(v, 'parlor_connections{transport="tcp"}'),
      get(v, 'parlor_connections{transport="tls"}'),
      get(v, 'parlor_connections{transport="websocket"}'),
      get(v, 'parlor_plain_text_sessions'),
    ]);
    assert.deepEqual(field('users', /^(\d+) on the network, (\d+) rooms$/), [get(v, 'parlor_network_users'), get(v, 'parlor_rooms')]);
    assert.deepEqual(field('registered', /^(\d+) since the start$/), [get(v, 'parlor_registrations_total')]);
    assert.deepEqual(field('messages', /, (\d+) in all$/), [get(v, 'parlor_messages_received_total')]);
    assert.deepEqual(field('delivered', /^(\d+) copies/), [get(v, 'parlor_messages_delivered_total')]);
    assert.deepEqual(field('refused', /^server-full (\d+), per-ip (\d+), throttled (\d+), banned (\d+); flood disconnects (\d+)$/), [
      get(v, 'parlor_connections_refused_total{reason="server-full"}'),
      get(v, 'parlor_connections_refused_total{reason="per-ip"}'),
      get(v, 'parlor_connections_refused_total{reason="throttled"}'),
      get(v, 'parlor_connections_refused_total{reason="banned"}'),
      get(v, 'parlor_flood_disconnects_total'),
    ]);
    assert.deepEqual(field('sendq drops', /^(\d+)$/), [get(v, 'parlor_sendq_drops_total')]);
    assert.deepEqual(field('bans', /^(\d+), mutes (\d+)$/), [get(v, 'parlor_server_bans'), get(v, 'parlor_server_mutes')]);
    assert.deepEqual(field('bans set', /^(\d+) since the start$/), [get(v, 'parlor_server_bans_set_total')]);
    assert.equal(get(v, 'parlor_server_bans'), 1);
    assert.equal(get(v, 'parlor_server_bans_set_total'), 1);
    const [p50, p99, max] = field('event loop', /^lag p50 ([\d.]+) ms, p99 ([\d.]+) ms, max ([\d.]+) ms \(last \d+[smhd]/);
    assert.ok(p50! <= p99! && p99! <= max!);
    field('memory', /^([\d.]+) MB resident, ([\d.]+) MB heap$/);

    // The snapshot is what both read.
    const snap = t.server.metrics.snapshot();
    assert.equal(snap.messages.delivered, get(v, 'parlor_messages_delivered_total'));
    assert.equal(snap.registrations, get(v, 'parlor_registrations_total'));
    await runConsoleLine(t.server, 'unban 192.0.2.7');
  });
});

describe('who may scrape', () => {
  const TOKEN = 'scrape-me-please';
  let t: TestServer;
  before(async () => {
    // Loopback is left out: the test's own requests come from an address not allowed.
    t = await startServer(webOn({ metrics: { allowFrom: ['192.0.2.0/24'], token: TOKEN } }));
  });
  after(() => t.close());

  test('from an address not allowed: 403 with the reason; the bearer token lets it through', async () => {
    const refused = await scrape(t);
    assert.equal(refused.status, 403);
    assert.match(refused.contentType, /^text\/plain/);
    assert.match(refused.text, /^metrics are not served to 127\.0\.0\.1 without a token: send Authorization: Bearer <metrics\.token>\n$/);
    const wrong = await scrape(t, { Authorization: 'Bearer not-the-token' });
    assert.equal(wrong.status, 403);
    assert.equal(wrong.text, 'the bearer token does not match metrics.token\n');
    const allowed = await scrape(t, { Authorization: `Bearer ${TOKEN}` });
    assert.equal(allowed.status, 200);
    assert.ok(allowed.values.has('parlor_rooms'));
  });

  test('the decision alone: allowFrom ranges in both families, and no token to fall back on', () => {
    const settings = parseConfig({ metrics: { allowFrom: ['10.0.0.0/8', '2001:db8::/32'] } }).metrics;
    assert.equal(metricsRefusal(settings, { address: '10.1.2.3', authorization: undefined }), undefined);
    assert.equal(metricsRefusal(settings, { address: '2001:db8::5', authorization: undefined }), undefined);
    assert.equal(metricsRefusal(settings, { address: '11.0.0.1', authorization: 'Bearer whatever' }), 'metrics are not served to 11.0.0.1: it is not in metrics.allowFrom');
    const defaults = parseConfig({}).metrics;
    assert.equal(metricsRefusal(defaults, { address: '127.0.0.1', authorization: undefined }), undefined);
    assert.equal(metricsRefusal(defaults, { address: '::1', authorization: undefined }), undefined);
    assert.ok(metricsRefusal(defaults, { address: '192.168.1.1', authorization: undefined }));
    assert.throws(() => parseConfig({ metrics: { token: 'short' } }), /metrics\.token: at least 8 characters/);
    assert.throws(() => parseConfig({ metrics: { allowFrom: ['not-an-address'] } }), /metrics\.allowFrom\.0/);
  });
});

test('metrics.enabled: false answers 404; the rest of the web port is unchanged', async () => {
  const t = await startServer(webOn({ metrics: { enabled: false } }));
  try {
    const s = await scrape(t);
    assert.equal(s.status, 404);
    assert.equal(s.text, 'metrics are turned off (metrics.enabled: false)\n');
    const health = await fetch(`http://127.0.0.1:${t.server.webAddress!.port}/health`);
    assert.equal(health.status, 200);
  } finally {
    await t.close();
  }
});

test('flood disconnects are counted', async () => {
  const t = await startServer(webOn({ flood: { burst: 5, commandsPerSecond: 1, recvQueueBytes: 1024 } }));
  try {
    const flooder = await t.register('flooder');
    flooder.send(...Array.from({ length: 40 }, (_, i) => `PRIVMSG flooder :${i} ${'x'.repeat(100)}`));
    assert.equal((await flooder.waitFor('ERROR')).raw, 'ERROR :Closing Link: 127.0.0.1 (Excess Flood)');
    await flooder.waitClose();
    const v = await figures(t);
    assert.equal(get(v, 'parlor_flood_disconnects_total'), 1);
    assert.equal(get(v, 'parlor_sendq_drops_total'), 0);
  } finally {
    await t.close();
  }
});

test('send-queue drops are counted', async () => {
  const t = await startServer(webOn({ limits: { sendQueueBytes: 4096 } }));
  try {
    const paster = await t.register('paster');
    const sleeper = await t.register('sleeper');
    await joinAll('#paste', paster, sleeper);
    // The sleeper reads nothing; bursts larger than its queue also overflow it within one turn.
    sleeper.socket.pause();
    const isSleeperQuit = (r: Received): boolean => r.msg.command === 'QUIT' && r.msg.source === mask('sleeper');
    const filler = 'z'.repeat(470);
    for (let round = 0; round < 500 && !paster.received.some(isSleeperQuit); round++) {
      paster.send(...Array.from({ length: 16 }, (_, i) => `PRIVMSG #paste :${round}.${i} ${filler}`));
      await paster.sync();
    }
    assert.ok(paster.received.some(isSleeperQuit), 'the sleeper was not dropped');
    const v = await figures(t);
    assert.equal(get(v, 'parlor_sendq_drops_total'), 1);
    assert.equal(get(v, 'parlor_flood_disconnects_total'), 0);
  } finally {
    await t.close();
  }
});
