// What typed lines mean: every slash command's effects, usage errors, plain text.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTranslator } from '../../src/i18n/i18n.ts';
import { banMask, COMMANDS, findCommand, parseInput, splitWords, type CommandContext, type Effect } from '../../src/clients/commands.ts';

const inRoom: CommandContext = { target: '#lobby' };
const inQuery: CommandContext = { target: 'bob' };
const inServer: CommandContext = {};

const send = (line: string): Effect => ({ type: 'send', line });

/** [typed line, context, expected effects] */
const TABLE: [string, CommandContext, Effect[]][] = [
  ['hello there', inRoom, [{ type: 'say', target: '#lobby', text: 'hello there', style: 'message' }]],
  ['hello', inQuery, [{ type: 'say', target: 'bob', text: 'hello', style: 'message' }]],
  ['//slash at the start', inRoom, [{ type: 'say', target: '#lobby', text: '/slash at the start', style: 'message' }]],
  ['/join #a', inServer, [{ type: 'join', rooms: ['#a'], keys: [] }]],
  ['/join a,#b k1', inServer, [{ type: 'join', rooms: ['#a', '#b'], keys: ['k1'] }]],
  ['/j #中文', inServer, [{ type: 'join', rooms: ['#中文'], keys: [] }]],
  ['/part', inRoom, [send('PART #lobby')]],
  ['/part see you all', inRoom, [send('PART #lobby :see you all')]],
  ['/part #other bye', inRoom, [send('PART #other :bye')]],
  ['/msg bob hi there', inServer, [{ type: 'say', target: 'bob', text: 'hi there', style: 'message', explicit: true }]],
  ['/msg #lobby 你好 👋', inServer, [{ type: 'say', target: '#lobby', text: '你好 👋', style: 'message', explicit: true }]],
  ['/query bob', inRoom, [{ type: 'query', nick: 'bob' }]],
  ['/query bob hey', inRoom, [{ type: 'query', nick: 'bob' }, { type: 'say', target: 'bob', text: 'hey', style: 'message', explicit: true }]],
  ['/me waves', inRoom, [{ type: 'say', target: '#lobby', text: 'waves', style: 'action' }]],
  ['/me waves', inQuery, [{ type: 'say', target: 'bob', text: 'waves', style: 'action' }]],
  ['/notice bob psst', inRoom, [{ type: 'say', target: 'bob', text: 'psst', style: 'notice', explicit: true }]],
  ['/nick newname', inRoom, [send('NICK newname')]],
  ['/topic', inRoom, [send('TOPIC #lobby')]],
  ['/topic new topic here', inRoom, [send('TOPIC #lobby :new topic here')]],
  ['/topic #other its topic', inRoom, [send('TOPIC #other :its topic')]],
  ['/names', inRoom, [{ type: 'names', room: '#lobby', shownIn: '#lobby' }]],
  ['/names #x', inServer, [{ type: 'names', room: '#x', shownIn: '' }]],
  ['/names #a,#b', inQuery, [{ type: 'names', room: '#a,#b', shownIn: 'bob' }]],
  ['/whois bob', inRoom, [send('WHOIS bob')]],
  ['/away gone for lunch', inRoom, [send('AWAY :gone for lunch')]],
  ['/away', inRoom, [send('AWAY')]],
  ['/invite bob', inRoom, [send('INVITE bob #lobby')]],
  ['/invite bob #x', inServer, [send('INVITE bob #x')]],
  ['/kick bob', inRoom, [send('KICK #lobby bob')]],
  ['/kick bob be nice', inRoom, [send('KICK #lobby bob :be nice')]],
  ['/kick #x bob bye', inServer, [send('KICK #x bob :bye')]],
  ['/ban bob', inRoom, [send('MODE #lobby +b bob!*@*')]],
  ['/ban *!*@10.0.0.1', inRoom, [send('MODE #lobby +b *!*@10.0.0.1')]],
  ['/kickban bob spam', inRoom, [send('MODE #lobby +b bob!*@*'), send('KICK #lobby bob :spam')]],
  ['/unban bob', inRoom, [send('MODE #lobby -b bob!*@*')]],
  ['/op bob carol', inRoom, [send('MODE #lobby +oo bob carol')]],
  ['/deop bob', inRoom, [send('MODE #lobby -o bob')]],
  ['/voice bob', inRoom, [send('MODE #lobby +v bob')]],
  ['/devoice #x bob', inServer, [send('MODE #x -v bob')]],
  ['/mode +m', inRoom, [send('MODE #lobby +m')]],
  ['/mode', inRoom, [send('MODE #lobby')]],
  ['/mode me +i', inRoom, [send('MODE me +i')]],
  ['/quit', inRoom, [{ type: 'quit', reason: '' }]],
  ['/quit good night', inRoom, [{ type: 'quit', reason: 'good night' }]],
  ['/oper alice s3cret', inServer, [send('OPER alice s3cret')]],
  ['/kill bob flooding the room', inServer, [send('KILL bob :flooding the room')]],
  ['/kill bob', inServer, [send('KILL bob')]],
  ['/kline 1h bob spamming', inServer, [send('KLINE 1h bob spamming')]],
  ['/unkline bob!*@*', inServer, [send('UNKLINE bob!*@*')]],
  ['/mute bob 10m calm down', inServer, [send('MUTE bob 10m calm down')]],
  ['/unmute bob!*@*', inServer, [send('UNMUTE bob!*@*')]],
  ['/limit', inServer, [send('LIMIT')]],
  ['/limit ip 4', inServer, [send('LIMIT ip 4')]],
  ['/wallops hello opers', inServer, [send('WALLOPS :hello opers')]],
  ['/broadcast maintenance at noon', inServer, [send('NOTICE $* :maintenance at noon')]],
  ['/rehash', inServer, [send('REHASH')]],
  ['/quote PRIVMSG bob :raw line', inServer, [send('PRIVMSG bob :raw line')]],
  ['/raw PING x', inServer, [send('PING x')]],
  ['/close', inQuery, [{ type: 'close', name: 'bob' }]],
  ['/close #x', inServer, [{ type: 'close', name: '#x' }]],
  ['/window 3', inServer, [{ type: 'window', n: 3 }]],
  ['/WIN 1', inServer, [{ type: 'window', n: 1 }]],
  ['', inRoom, []],
  ['   ', inRoom, []],
];

describe('parseInput', () => {
  for (const [line, ctx, expected] of TABLE) {
    test(`${JSON.stringify(line)} in ${ctx.target ?? 'the server buffer'}`, () => {
      assert.deepEqual(parseInput(line, ctx), expected);
    });
  }

  const errors: [string, CommandContext, RegExp][] = [
    ['hello', inServer, /Nowhere to send that/],
    ['/frobnicate', inRoom, /^Unknown command: \/frobnicate/],
    ['/join', inRoom, /^Usage: \/join <#room>/],
    ['/msg bob', inRoom, /^Usage: \/msg <#room\|nick> <text>$/],
    ['/me', inRoom, /^Usage: \/me <action>$/],
    ['/me waves', inServer, /^Usage: \/me <action> \(not in a room or query\)$/],
    ['/part', inQuery, /^Usage: \/part .*\(not in a room: name one\)$/],
    ['/kick', inRoom, /^Usage: \/kick/],
    ['/nick two words', inRoom, /^Usage: \/nick/],
    ['/window x', inRoom, /^Usage: \/window <n>$/],
    ['/close', inServer, /the server buffer stays open/],
    ['/broadcast', inServer, /^Usage: \/broadcast <text>$/],
  ];
  for (const [line, ctx, re] of errors) {
    test(`${JSON.stringify(line)} is a local error`, () => {
      const effects = parseInput(line, ctx);
      assert.equal(effects.length, 1);
      const [e] = effects;
      assert.equal(e!.type, 'note');
      assert.equal((e as { kind: string }).kind, 'error');
      assert.match((e as { text: string }).text, re);
    });
  }

  test('a CHANTYPES of the server is honoured', () => {
    assert.deepEqual(parseInput('/join &local', { chanTypes: '#&' }), [{ type: 'join', rooms: ['&local'], keys: [] }]);
    assert.deepEqual(parseInput('/join &local', { chanTypes: '#' }), [{ type: 'join', rooms: ['#&local'], keys: [] }]);
  });
});

describe('the command table', () => {
  test('every command has syntax and help, and names are unique', () => {
    const seen = new Set<string>();
    for (const c of COMMANDS) {
      assert.ok(c.help.length > 10, `/${c.name} has help`);
      assert.equal(typeof c.syntax, 'string');
      for (const name of [c.name, ...(c.aliases ?? [])]) {
        assert.ok(!seen.has(name), `/${name} defined once`);
        seen.add(name);
      }
    }
    for (const name of ['join', 'part', 'msg', 'query', 'me', 'nick', 'topic', 'names', 'whois', 'away', 'kick', 'ban', 'quit', 'oper', 'kill', 'kline', 'unkline', 'mute', 'unmute', 'limit', 'wallops', 'broadcast', 'rehash', 'quote', 'close', 'help', 'window']) {
      assert.ok(findCommand(name), `/${name} exists`);
    }
  });

  test('/help lists every command, /help <command> explains one', () => {
    const all = parseInput('/help');
    assert.equal(all.length, COMMANDS.length + 1);
    assert.ok(all.every((e) => e.type === 'note' && e.kind === 'info'));
    assert.equal((all[1] as { text: string }).text, '  /join <#room>[,<#room>…] [<key>[,<key>…]] — Join rooms (a name without # gets one).');
    const one = parseInput('/help /kb');
    assert.deepEqual(
      one.map((e) => (e as { text: string }).text),
      ['/kickban [<#room>] <nick> [<reason>] (also /kb)', '  Ban someone (nick!*@*) and kick them out of the room.'],
    );
    assert.match((parseInput('/help nope')[0] as { text: string }).text, /No such command/);
  });

  test('/help in Chinese describes each command in Chinese', () => {
    const all = parseInput('/help', { t: createTranslator('zh-CN').t });
    assert.equal((all[1] as { text: string }).text, '  /join <#room>[,<#room>…] [<key>[,<key>…]] — 进入聊天室（名字前没有 # 会自动补上）。');
  });

  test('helpers', () => {
    assert.deepEqual(splitWords('  a b   c d ', 2), ['a', 'b', 'c d ']);
    assert.deepEqual(splitWords('a', 2), ['a', '']);
    assert.equal(banMask('bob'), 'bob!*@*');
    assert.equal(banMask('*@host'), '*@host');
  });
});
