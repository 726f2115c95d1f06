// What a connection keeps: not the read its line came in, and no ring of sends while idle. A parameter is a slice of
// its line, and a line a slice of the read (up to 64 KiB); a real name, nick, away message or
// topic kept as such a slice would hold the whole read for as long as the user stays. Checked
// in a heap snapshot: a marker sent in the same reads, in lines nothing keeps or echoes, must
// be gone. The marker is kept as bytes only, so that the test itself holds no string of it.
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import { startServer, type TestServer } from '../helpers/server.ts';

/** The heap as a snapshot's bytes (a full GC runs first, so only what is kept is in it). */
async function heapSnapshotBytes(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of v8.getHeapSnapshot()) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** How many objects the heap holds that were made by the class `name`. */
function countInstances(snapshot: Buffer, name: string): number {
  const parsed = JSON.parse(snapshot.toString('utf8')) as { snapshot: { meta: { node_fields: string[]; node_types: [string[]] } }; nodes: number[]; strings: string[] };
  const fields = parsed.snapshot.meta.node_fields;
  const objectType = parsed.snapshot.meta.node_types[0].indexOf('object');
  const nameIndex = parsed.strings.indexOf(name);
  let count = 0;
  for (let i = 0; i < parsed.nodes.length; i += fields.length) {
    if (parsed.nodes[i] === objectType && parsed.nodes[i + 1] === nameIndex) count++;
  }
  return count;
}

describe('strings kept per user', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer();
  });
  after(() => t.close());

  test('a real name, username, nick, away message and topic do not keep the reads they came in', async () => {
    const marker = Buffer.from(`pinned${randomBytes(12).toString('hex')}`);
    // Lines the server neither keeps nor answers with their text (PONG), around the real ones.
    const padded = (line: string): Buffer => {
      const filler = Buffer.concat([Buffer.from('PONG :'), marker, Buffer.from(`${'x'.repeat(400)}\r\n`)]);
      return Buffer.concat([...Array.from({ length: 20 }, () => filler), Buffer.from(`${line}\r\n`)]);
    };
    const c = await t.connect();
    c.writeRaw(Buffer.concat([padded('NICK kept_strings_nick1'), padded('USER kept_user_name 0 * :A real name of some length')]));
    await c.waitFor('001');
    c.send('JOIN #kept-strings');
    await c.waitFor('366');
    c.writeRaw(padded('AWAY :Gone for a while, back later'));
    await c.waitFor('306');
    c.writeRaw(padded('TOPIC #kept-strings :A topic long enough to be sliced'));
    await c.waitFor('TOPIC');
    c.writeRaw(padded('NICK kept_strings_nick2'));
    await c.waitFor('NICK');
    const other = await t.register('kept_asker');
    other.send('WHOIS kept_strings_nick2');
    const whois = await other.waitFor('311');
    assert.equal(whois.msg.params.at(-1), 'A real name of some length');

    const heap = await heapSnapshotBytes();
    assert.equal(heap.indexOf(marker), -1, 'a string kept for the user still holds a read it came in');
  });

  test('an idle connection holds no ring of recent sends until it sends a message', async () => {
    const idle = await t.register('ring_idle');
    const sender = await t.register('ring_sender');
    assert.equal(countInstances(await heapSnapshotBytes(), 'RecentSends'), 0);
    sender.send('PRIVMSG ring_idle :hello');
    await idle.waitFor('PRIVMSG');
    assert.equal(countInstances(await heapSnapshotBytes(), 'RecentSends'), 1);
    idle.close();
    sender.close();
  });
});
