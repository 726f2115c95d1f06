import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, mergeConfigInput, parseConfig, readConfigFile } from '../src/server/config.ts';

test('defaults: 127.0.0.1:6666 and a limit for everything', () => {
  const c = parseConfig({});
  assert.equal(c.server.host, '127.0.0.1');
  assert.equal(c.server.port, 6666);
  assert.equal(c.server.name, 'parlor.local');
  assert.equal(c.server.password, undefined);
  assert.equal(c.limits.lineBytes, 512);
  assert.equal(c.limits.tagBytes, 8191);
  assert.equal(c.limits.clientTagBytes, 4094);
  assert.equal(c.limits.nickLength, 30);
  assert.equal(c.limits.sendQueueBytes, 512 * 1024);
  assert.equal(c.limits.registrationTimeoutMs, 60_000);
  assert.equal(c.limits.pingIntervalMs, 120_000);
  assert.equal(c.limits.pingTimeoutMs, 60_000);
  assert.equal(c.limits.targetsPerMessage, 4);
  assert.equal(c.limits.channelsPerUser, 50);
});

test('unknown keys and wrong types are refused, naming the path', () => {
  assert.throws(() => parseConfig({ server: { prot: 1 } }), (e: Error) => e instanceof ConfigError && /prot/.test(e.message));
  assert.throws(() => parseConfig({ limits: { nickLength: 'long' } }), /limits\.nickLength/);
  assert.throws(() => parseConfig({ server: { port: 70000 } }), /server\.port/);
  assert.throws(() => parseConfig({ server: { name: 'has space' } }), /server\.name/);
  assert.throws(() => parseConfig({ extra: true }), /extra/);
});

test('client tags must fit in the tag section the decoder frames', () => {
  assert.equal(parseConfig({ limits: { tagBytes: 4096 } }).limits.clientTagBytes, 4094);
  assert.throws(() => parseConfig({ limits: { tagBytes: 4095 } }), /limits\.clientTagBytes/);
  assert.throws(() => parseConfig({ limits: { clientTagBytes: 8190 } }), /limits\.clientTagBytes/);
  assert.throws(() => parseConfig({ limits: { clientTagBytes: 509 } }), /limits\.clientTagBytes/);
});

test('merge: the override wins per key, sections merge', () => {
  const merged = mergeConfigInput({ server: { name: 'a.b', port: 1 }, limits: { nickLength: 9 } }, { server: { port: 0 } });
  const c = parseConfig(merged);
  assert.equal(c.server.name, 'a.b');
  assert.equal(c.server.port, 0);
  assert.equal(c.limits.nickLength, 9);
});

test('admin defaults: connection limits, flood control, audit log, no operators', () => {
  const c = parseConfig({});
  assert.deepEqual(c.connections, {
    max: 10_000,
    perIp: 16,
    ipv4Prefix: 32,
    ipv6Prefix: 64,
    cidrLimits: [],
    throttleConnections: 10,
    throttleWindowMs: 60_000,
    exempt: ['127.0.0.0/8', '::1/128'],
  });
  assert.deepEqual(c.flood, { burst: 20, commandsPerSecond: 4, recvQueueBytes: 16_384, exemptOpers: true });
  assert.deepEqual(c.opers, []);
  assert.deepEqual(c.plainText, { enabled: true, greetAfterMs: 1000, defaultRoom: '#lobby', keepAliveMs: 60_000, language: 'en', maxLineBytes: 8192 });
  assert.deepEqual(c.admin, { nick: 'admin', pseudoUser: true, auditMemory: 1000, textBytes: 400, panelSessionMs: 43_200_000, panelSessions: 100 });
  assert.deepEqual(c.storage, { backend: 'sqlite', dataDir: 'data', flushIntervalMs: 100, writer: 'worker', quickCheck: true, maxQueued: 100_000, queryTimeoutMs: 5_000 });
  assert.deepEqual(c.cluster, { snapshotEvery: 10_000, catchUpMs: 5_000, heartbeatMs: 3_000, deadAfterMs: 15_000, commandTimeoutMs: 2_000, unavailableCloseMs: 30_000, historyBacklog: 1_000_000, historyClaimMs: 10_000 });
  assert.throws(() => parseConfig({ storage: { backend: 'postgres' } }, 'c'), /storage.backend postgres needs storage.url/);
  assert.throws(() => parseConfig({ cluster: { heartbeatMs: 10_000, deadAfterMs: 15_000 } }, 'c'), /at least 4 heartbeats/);
  assert.throws(() => parseConfig({ cluster: { nodeId: 'a b' } }, 'c'), /letters, digits/);
  assert.deepEqual(c.history, { enabled: true, replayOnJoin: 10, maxQuery: 100, maxAgeDays: 0, maxPerTarget: 0, redactWindowMs: 900_000, auditRedactedText: false, tombstoneMs: 86_400_000 });
  assert.deepEqual(c.accounts, { registration: true, nickGraceMs: 60_000, minPasswordLength: 8, passwordCost: 15, maxRoomsPerAccount: 10, maxRegisteredRooms: 1000, registrationsPerAddress: 5, registrationWindowMs: 3_600_000, saslMaxResponseBytes: 1600, maxReadMarkers: 1000, scramIterations: 4096 });
});

test('admin sections are validated, naming the field', () => {
  assert.throws(() => parseConfig({ connections: { exempt: ['not-an-ip'] } }), /connections\.exempt\.0: an IP address or CIDR range/);
  assert.throws(() => parseConfig({ connections: { cidrLimits: [{ cidr: '10.0.0.0/33', max: 1 }] } }), /connections\.cidrLimits\.0\.cidr/);
  assert.throws(() => parseConfig({ flood: { commandsPerSecond: 0 } }), /flood\.commandsPerSecond/);
  assert.throws(() => parseConfig({ opers: [{ name: 'root', password: 'plaintext' }] }), /opers\.0\.password: a hash made by `parlor mkpasswd`/);
  assert.throws(() => parseConfig({ admin: { nick: '1bad' } }), /admin\.nick/);
});

test('docs/parlor.example.yaml is valid and spells out every default', async () => {
  const file = await readConfigFile(new URL('../docs/parlor.example.yaml', import.meta.url).pathname);
  assert.deepEqual(parseConfig(file), parseConfig({}));
});
