// A broadcast to everyone (`NOTICE $*`) in the client core and its text views: an
// announcement in every open buffer, told once, unread nowhere; line mode prints it once;
// the terminal draws it black on yellow.
process.env.TZ = 'UTC';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLine } from '../../src/protocol/message.ts';
import { applyMessage, newInboundState } from '../../src/clients/inbound.ts';
import { ChatModel } from '../../src/clients/model.ts';
import { plainLine } from '../../src/clients/format.ts';
import { lineSegments } from '../../src/clients/terminal/message-rows.ts';

function model(): ChatModel {
  const m = new ChatModel('Parlor');
  m.nick = 'zoe';
  m.status = 'registered';
  m.ensure('#tea').joined = true;
  m.ensure('bob');
  m.select(m.find('#tea')!.key);
  return m;
}

test('NOTICE $* from the server or an operator is an announcement in every buffer, told once', () => {
  const m = model();
  const told: string[] = [];
  m.onLine = (buffer, line) => told.push(`${buffer.name}: ${plainLine(buffer, line)}`);
  const s = newInboundState();
  applyMessage(m, parseLine('@time=2026-01-01T12:30:05.000Z :irc.example NOTICE $* :maintenance at noon'), s);
  applyMessage(m, parseLine('@time=2026-01-01T12:31:00.000Z :oper!o@host PRIVMSG $irc.example :back soon'), s);
  for (const b of m.buffers) {
    assert.deepEqual(
      b.lines.map((l) => [l.kind, l.from, l.text]),
      [
        ['announcement', 'irc.example', 'maintenance at noon'],
        ['announcement', 'oper', 'back soon'],
      ],
      b.name,
    );
    assert.equal(b.unread, 0, b.name);
  }
  assert.deepEqual(told, ['Parlor: [12:30:05] * *** Broadcast from irc.example: maintenance at noon', 'Parlor: [12:31:00] * *** Broadcast from oper: back soon']);
});

test('a notice from the server to one person stays a server notice in the server buffer', () => {
  const m = model();
  applyMessage(m, parseLine(':irc.example NOTICE zoe :You are muted'), newInboundState());
  assert.equal(m.server.lines.at(-1)!.kind, 'notice');
  assert.equal(m.server.lines.at(-1)!.serverNotice, true);
  assert.equal(m.find('#tea')!.lines.length, 0);
});

test('the terminal draws an announcement black on yellow, bold', () => {
  const m = model();
  const line = m.announce({ from: 'irc.example', text: 'maintenance \x02at\x02 noon' });
  assert.deepEqual(lineSegments(line), [{ text: '*** Broadcast from irc.example: maintenance at noon', color: 'black', backgroundColor: 'yellow', bold: true }]);
});
