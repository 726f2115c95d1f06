// The client core against a real Parlor server: a private conversation shows whether its person
// is online, away or offline, kept by MONITOR with extended-monitor (no room shared), without
// MONITOR lines in the server buffer; /list passes ELIST conditions and /links lists the
// servers, both readable.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IrcClient } from '../../src/clients/irc-client.ts';
import { topicText } from '../../src/clients/terminal/TopicBar.tsx';
import { translatorFor } from '../../src/i18n/i18n.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { lastLineId, startClient, waitForLine, waitUntil } from './helpers.ts';

let t: TestServer;
const clients: IrcClient[] = [];

async function client(nick: string): Promise<IrcClient> {
  const c = await startClient(t.port, nick);
  clients.push(c);
  return c;
}

before(async () => {
  t = await startServer();
});

after(async () => {
  await Promise.all(clients.map((c) => c.quit()));
  await t.close();
});

describe('presence of a query partner', () => {
  test('offline, online, away and back, offline again: no room shared', async () => {
    const c = await client('watcher');
    assert.ok(c.caps.has('extended-monitor'), 'extended-monitor acknowledged');
    c.input('/query partner');
    const query = c.model.find('partner')!;
    await waitUntil(c, () => query.presence === 'offline', 'partner offline');
    assert.equal(topicText({ buffer: query, status: 'registered', nick: 'watcher' }), 'partner — private conversation (offline)');

    const partner = await t.register('partner');
    await waitUntil(c, () => query.presence === 'online', 'partner online');
    partner.send('AWAY :lunch');
    await waitUntil(c, () => query.presence === 'away', 'partner away');
    const zh = translatorFor('zh-CN');
    assert.equal(topicText({ buffer: query, status: 'registered', nick: 'watcher', t: zh.t }), 'partner — 私聊（离开）');
    partner.send('AWAY');
    await waitUntil(c, () => query.presence === 'online', 'partner back');
    partner.send('QUIT');
    await waitUntil(c, () => query.presence === 'offline', 'partner gone');

    // The MONITOR replies set the state quietly.
    assert.ok(!c.model.buffers.some((b) => b.lines.some((l) => /\b73[01]\b|partner!/.test(l.text))), 'no MONITOR lines shown');
  });

  test('a partner away before the query opens shows as away at once, never online first', async () => {
    const partner = await t.register('lunching');
    partner.send('AWAY :eating');
    await partner.waitFor('306');
    const c = await client('opener');
    const seen: (string | undefined)[] = [];
    c.on('change', () => {
      const p = c.model.find('lunching')?.presence;
      if (p !== seen.at(-1)) seen.push(p);
    });
    const mark = lastLineId(c);
    c.input('/query lunching');
    await waitUntil(c, () => c.model.find('lunching')?.presence === 'away', 'lunching away');
    assert.deepEqual(seen.filter((p) => p !== undefined), ['away']);
    // The WHO that asked is not shown.
    assert.deepEqual(c.model.buffers.flatMap((b) => b.lines.filter((l) => l.id > mark).map((l) => l.text)), []);
    partner.send('AWAY');
    await waitUntil(c, () => c.model.find('lunching')?.presence === 'online', 'lunching back');
    partner.send('QUIT');
  });

  test('closing the query takes the nick off the MONITOR list', async () => {
    const c = await client('closer');
    c.input('/query someone');
    await waitUntil(c, () => c.model.find('someone')?.presence === 'offline', 'someone offline');
    c.input('/close someone');
    const mark = lastLineId(c);
    c.input('/quote MONITOR L');
    const end = await waitForLine(c, (s) => s.line.text.includes('End of MONITOR list'), mark);
    const listed = end.buffer.lines.filter((l) => l.id > mark && l.id < end.line.id);
    assert.deepEqual(listed.map((l) => l.text), [], 'nothing monitored any more');
  });
});

describe('/list and /links', () => {
  test('/list passes its conditions; rooms show as lines where the user is', async () => {
    const c = await client('lister');
    const host = await t.register('host');
    host.send('JOIN #busy', 'JOIN #quiet', 'TOPIC #busy :tea time');
    await host.waitFor((r) => r.msg.command === 'TOPIC');
    c.input('/join #here');
    await waitUntil(c, () => c.model.current.name === '#here' && c.model.current.members.size === 1, '#here joined');
    const mark = lastLineId(c);
    c.input('/list #b*,!*quiet');
    const end = await waitForLine(c, (s) => s.line.text === 'End of the room list.', mark);
    assert.equal(end.buffer.name, '#here');
    const rooms = end.buffer.lines.filter((l) => l.id > mark && l.id < end.line.id).map((l) => l.text);
    assert.deepEqual(rooms, ['#busy — 1 person — tea time']);
  });

  test('/links shows the servers in the server buffer', async () => {
    const c = await client('linker');
    const mark = lastLineId(c);
    c.input('/links');
    const end = await waitForLine(c, (s) => s.line.text === 'End of the server list.', mark);
    assert.equal(end.buffer, c.model.server);
    const lines = c.model.server.lines.filter((l) => l.id > mark && l.id < end.line.id).map((l) => l.text);
    assert.deepEqual(lines, ['Server test.parlor (this one): Parlor']);
  });
});
