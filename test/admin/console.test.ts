// The admin console driven through a pipe on a real `parlor serve` process: commands go to
// the child's stdin, answers come on its stdout, and their effects are seen by real IRC
// clients. One process is shared by the tests that leave no state behind them (each quits
// its clients and lifts its bans), in order, ending with `shutdown` and the audit log.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeRegExp, OutputWatcher, runParlor, startParlor, within, type ParlorProcess } from '../helpers/cli.ts';
import type { RawClient } from '../helpers/raw-client.ts';

const NAME = 'console.parlor';
const ADMIN = `admin!admin@${NAME}`;
/** Flood control is off-ish: the tests send faster than people do. */
const BASE_YAML = `server:\n  name: ${NAME}\n  motd: "console tests"\nflood:\n  burst: 100000\n  commandsPerSecond: 100000\n`;
const CLOCK = '\\[\\d\\d:\\d\\d:\\d\\d\\]';

/** A whole console line, given literally. */
function line(text: string): RegExp {
  return new RegExp(`^${escapeRegExp(text)}$`, 'm');
}

/** QUIT and wait for the server to close: once the ERROR arrives the server has forgotten them. */
async function quit(...clients: RawClient[]): Promise<void> {
  for (const c of clients) {
    if (c.closed) continue;
    c.send('QUIT :done');
    await c.waitClose();
  }
}

/** Scratch working directories (the default audit log lands in their data/), removed at the end. */
const scratchDirs: string[] = [];
async function scratch(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'parlor-console-'));
  scratchDirs.push(dir);
  return dir;
}

/** A raw connection from another loopback address (Linux routes all of 127/8 to lo). */
interface FromAddress {
  socket: net.Socket;
  out: OutputWatcher;
  closed: Promise<void>;
}

function connectFrom(port: number, localAddress: string): Promise<FromAddress> {
  return within(
    new Promise((resolve, reject) => {
      const socket = net.connect({ port, host: '127.0.0.1', localAddress }, () => resolve({ socket, out, closed }));
      const out = new OutputWatcher();
      const closed = new Promise<void>((done) => socket.once('close', () => done()));
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        out.feed(chunk.replace(/\r/g, ''));
        for (const ping of chunk.matchAll(/^PING (\S+)\r?$/gm)) socket.write(`PONG ${ping[1]}\r\n`);
      });
      socket.once('error', reject);
    }),
    5000,
    `a connection from ${localAddress}`,
  );
}

// Starting a process costs about a second: every process the file needs starts at once,
// here, and each group of tests awaits its own.
const OPER_PASSWORD = 'correct horse 電池 staple';
interface Launched {
  shared: Promise<{ dir: string; configFile: string; srv: ParlorProcess }>;
  endOfInput: Promise<ParlorProcess>;
  noConsole: Promise<ParlorProcess>;
  /** `parlor mkpasswd` of OPER_PASSWORD, then a server with that hash in its opers. */
  oper: Promise<{ made: { code: number | string | null; stdout: string; stderr: string }; srv: ParlorProcess }>;
  emptyPassword: Promise<{ code: number | string | null; stdout: string; stderr: string }>;
}
let launched: Launched;
const processes: Promise<ParlorProcess>[] = [];

before(() => {
  /** Remembers the process `p` starts, for the final after hook to stop whatever happened. */
  const track = <T>(p: Promise<T>, proc: (v: T) => ParlorProcess): Promise<T> => {
    processes.push(p.then(proc));
    return p;
  };
  const self = (srv: ParlorProcess): ParlorProcess => srv;
  launched = {
    shared: track(
      (async () => {
        const dir = await scratch();
        const configFile = join(dir, 'console.yaml');
        await writeFile(configFile, BASE_YAML);
        return { dir, configFile, srv: await startParlor(dir, ['--config', configFile]) };
      })(),
      (v) => v.srv,
    ),
    endOfInput: track(
      scratch().then((dir) => startParlor(dir)),
      self,
    ),
    noConsole: track(
      scratch().then((dir) => startParlor(dir, ['--no-console'])),
      self,
    ),
    oper: track(
      (async () => {
        const dir = await scratch();
        const made = await runParlor(dir, ['mkpasswd'], `${OPER_PASSWORD}\n`);
        assert.equal(made.code, 0, made.stderr);
        const file = join(dir, 'opers.yaml');
        await writeFile(file, `${BASE_YAML}opers:\n  - name: boss\n    password: ${JSON.stringify(made.stdout.trim())}\n`);
        return { made, srv: await startParlor(dir, ['--config', file]) };
      })(),
      (v) => v.srv,
    ),
    emptyPassword: scratch().then((dir) => runParlor(dir, ['mkpasswd'], '\n')),
  };
  // Each is awaited by its tests; a failure is reported there, not as an unhandled rejection.
  for (const p of [...Object.values(launched), ...processes]) (p as Promise<unknown>).catch(() => {});
});

after(async () => {
  const settled = await Promise.allSettled(processes);
  await Promise.all(settled.map((r) => (r.status === 'fulfilled' ? r.value.stop() : undefined)));
  await Promise.allSettled([launched.emptyPassword]);
  await Promise.all(scratchDirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('admin console through a pipe (one shared server process)', () => {
  let dir: string;
  let configFile: string;
  let srv: ParlorProcess;

  before(async () => {
    ({ dir, configFile, srv } = await launched.shared);
  });
  // Tests share the process: whatever a test leaves (even when it fails) is undone here.
  afterEach(async () => {
    if (srv.child.exitCode !== null) return;
    await quit(...srv.clients);
    srv.clients.length = 0;
    // Lift the bans and mutes a failed test may have left: the tables end before the marker.
    srv.send('bans');
    srv.send('mutes');
    const m = await srv.command('help help', /^((?:no bans|MASK[^\n]*)\n[\s\S]*?)help \[command\]$/m);
    for (const row of m[1]!.split('\n')) {
      const entry = /^(\S+) +\S+.* console /.exec(row);
      if (!entry || entry[1] === 'MASK') continue;
      srv.send(`unban ${entry[1]}`);
      srv.send(`unmute ${entry[1]}`);
    }
  });

  test('limit 2: the third connection is told the server is full; the first two keep chatting', async () => {
    // First in the process: nobody else is connected.
    await srv.command('limit 2', /^connection limit: 2 \(0 connected now, peak \d+\)$/m);
    try {
      await limitTwo();
    } finally {
      await srv.command('limit 10000', /^connection limit: 10000 /m);
    }
    const fourth = await srv.register('limc');
    await quit(fourth);
  });

  async function limitTwo(): Promise<void> {
    const a = await srv.register('lima');
    const b = await srv.register('limb');
    const third = await srv.connect();
    const refused = await third.waitFor('ERROR');
    assert.equal(refused.raw, 'ERROR :Server is full (2 connections); try again later');
    await third.waitClose();
    assert.equal(third.received.length, 1, 'nothing but the ERROR reaches the refused connection');

    a.send('PRIVMSG limb :still here 👋');
    assert.equal((await b.waitFor('PRIVMSG')).raw, ':lima!lima@127.0.0.1 PRIVMSG limb :still here 👋');
    await srv.command('limit', /^connection limit: 2 \(2 connected now, peak \d+\)$/m);
    await srv.command('stats', /^refused {6}server-full 1, per-ip 0, throttled 0, banned 0; flood disconnects 0$/m);
    await quit(a, b);
  }

  test('broadcast with Chinese and emoji reaches every registered client as a server NOTICE to $*', async () => {
    const a = await srv.register('bca');
    const b = await srv.register('bcb');
    const text = '服务器将在五分钟后重启 🔧🚀 please save your work';
    await srv.command(`broadcast ${text}`, line('broadcast sent to 2 user(s)'));
    for (const c of [a, b]) assert.equal((await c.waitFor('NOTICE')).raw, `:${NAME} NOTICE $* :${text}`);
    await srv.command('broadcast   ', line('error: usage: broadcast <text>'));
    await quit(a, b);
  });

  test('users, rooms, stats, help, an unknown command and a failing command; the server keeps running', async () => {
    const q = await srv.register('qalice');
    q.send('JOIN #lobby', 'TOPIC #lobby :the lobby topic');
    await q.waitFor('TOPIC');

    await srv.command('users', /^NICK +USER@ADDRESS +SINCE +IDLE +ROOMS +TRANSPORT$/m);
    await srv.stdout.waitFor(/^qalice +qalice@127\.0\.0\.1 +\d\d:\d\d:\d\d +\d+[smhd](?: \d+[smhd])? +#lobby +tcp$/m);
    await srv.stdout.waitFor(line('1 connection(s)'));

    await srv.command('rooms', /^ROOM +MEMBERS +TOPIC$/m);
    await srv.stdout.waitFor(/^#lobby +1 +the lobby topic$/m);
    await srv.stdout.waitFor(line('1 room(s)'));

    await srv.command('stats', /^uptime +\d+[smhd]/m);
    await srv.stdout.waitFor(/^connections +1 now \(1 registered\), peak \d+, limit 10000$/m);
    await srv.stdout.waitFor(/^users +1 on the network, 1 rooms$/m);
    await srv.stdout.waitFor(/^messages +\d+\.\d\/s \(last 10 s\), \d+\.\d\/s \(last minute\), \d+ in all$/m);
    await srv.stdout.waitFor(/^memory +\d+\.\d MB resident, \d+\.\d MB heap$/m);
    await srv.stdout.waitFor(line('bans         0, mutes 0'));

    // The latest admin action is the previous test's broadcast.
    await srv.command('audit 1', /^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\] console broadcast \$\*: 服务器将在五分钟后重启 🔧🚀 please save your work$/m);

    await srv.command('help', /^help \[command\] +list the commands, or explain one$/m);
    for (const name of ['users', 'rooms', 'stats', 'broadcast', 'say', 'kick', 'ban', 'unban', 'bans', 'mute', 'unmute', 'mutes', 'limit', 'audit', 'reload']) {
      await srv.stdout.waitFor(new RegExp(`^${name}\\b.* {2}\\S`, 'm'));
    }
    await srv.stdout.waitFor(/^shutdown \[message\] +tell every client, close cleanly and exit$/m);

    await srv.command('help ban', line('ban <nick|nick!user@host|IP|CIDR> [duration] [reason]'));
    await srv.stdout.waitFor(/^ {2}disconnect everyone who matches and refuse them; durations like 30s/m);
    await srv.command('help frobnicate', line('no command "frobnicate"; try help'));
    await srv.command('frobnicate now', line('unknown command "frobnicate"; type help for the list'));
    await srv.command('kick nobody', line('error: No such nick: nobody'));
    await srv.command('kick', /^error: usage: kick <nick> \[reason\]/m);
    await srv.command('say #nowhere hello', line('error: No such room: #nowhere'));
    await srv.command('ban #lobby', line('error: Not a nick, nick!user@host mask, IP or CIDR range: #lobby'));
    await srv.command('unban nobody', line('error: No ban on nobody!*@*'));
    await srv.command('limit 0', line('error: The connection limit is a whole number of at least 1'));
    await srv.command('limit lots', line('error: The connection limit is a whole number of at least 1'));
    await srv.command('limit', /^connection limit: 10000 \(1 connected now, peak \d+\)$/m);

    // Still serving: the client is answered and another can register.
    await q.sync();
    const other = await srv.register('qbob');
    assert.equal(srv.child.exitCode, null);
    await quit(q, other);
  });

  test('talking with the operator: PRIVMSG admin shows on the console; say answers a person or a room', async () => {
    const talker = await srv.register('talker');
    const listener = await srv.register('listener');
    talker.send('JOIN #talk');
    await talker.waitFor('366');
    listener.send('JOIN #talk');
    await listener.waitFor('366');

    talker.send('PRIVMSG admin :hello 你好');
    await srv.stdout.waitFor(new RegExp(`^${CLOCK} <talker> hello 你好(?: |$)`, 'm'));
    talker.send('NOTICE admin :a notice too');
    await srv.stdout.waitFor(new RegExp(`^${CLOCK} -talker- a notice too(?: |$)`, 'm'));

    await srv.command('say talker hi', new RegExp(`^${CLOCK} -> talker: hi$`, 'm'));
    const hi = await talker.waitFor('PRIVMSG');
    assert.equal(hi.msg.source, ADMIN);
    assert.deepEqual(hi.msg.params, ['talker', 'hi']);

    await srv.command('say #talk welcome to the room 🙂', new RegExp(`^${CLOCK} -> #talk: welcome to the room 🙂$`, 'm'));
    for (const c of [talker, listener]) assert.equal((await c.waitFor('PRIVMSG')).raw, `:${ADMIN} PRIVMSG #talk :welcome to the room 🙂`);

    await srv.command('say nobody hi', line('error: No such nick: nobody'));
    await srv.command('say talker', /^error: usage: say/m);
    await quit(talker, listener);
  });

  test("client text cannot send escape sequences to the operator's terminal", async () => {
    const c = await srv.register('sneaky');
    // Clear the screen, retitle the window, ring the bell; IRC bold and colour codes too.
    c.send('PRIVMSG admin :\x1b[2J\x1b]0;owned\x07look \x02bold\x02 \x0304,01red\x03 \x9b31m');
    c.send('JOIN #esc', 'TOPIC #esc :\x1b[31mred topic\x1b[0m');
    await c.waitFor('TOPIC');
    await srv.stdout.waitFor(new RegExp(`^${CLOCK} <sneaky> .*look bold red .*$`, 'm'));
    await srv.command('rooms', /^#esc +1 +.*red topic.*$/m);
    await srv.command('users', /^sneaky +/m);
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(srv.stdout.text, /[\x00-\x09\x0b-\x1f\x7f-\x9f]/, 'no control characters but newlines on the console');
    assert.match(srv.stdout.text, /\^\[\[2J\^\[\]0;owned\^Glook bold red /, 'the escapes are shown, visibly');
  });

  test('mute: the client is told, cannot speak (404 in rooms, 531 to people) but may message admin; unmute restores', async () => {
    const loud = await srv.register('loud');
    const ear = await srv.register('ear');
    loud.send('JOIN #mute');
    await loud.waitFor('366');
    ear.send('JOIN #mute');
    await ear.waitFor('366');

    await srv.command('mute loud 5m too loud', line('muted loud!*@* for 5m (too loud); 1 client(s) silenced'));
    const told = await loud.waitFor('NOTICE');
    assert.equal(told.msg.source, NAME);
    assert.equal(told.msg.params[0], 'loud');
    assert.match(told.msg.params[1]!, /muted.*too loud/);

    loud.send('PRIVMSG #mute :can you hear me', 'PRIVMSG ear :psst', 'NOTICE #mute :noticed?', 'NOTICE ear :noticed?');
    const r404 = await loud.waitFor('404');
    assert.deepEqual(r404.msg.params.slice(0, 2), ['loud', '#mute']);
    const r531 = await loud.waitFor('531');
    assert.deepEqual(r531.msg.params.slice(0, 2), ['loud', 'ear']);
    await loud.sync();
    assert.deepEqual(loud.drain().map((r) => r.raw), [], 'NOTICE gets no error reply');
    await ear.sync();
    assert.deepEqual(ear.drain().map((r) => r.raw), [], 'nothing from the muted client is delivered');

    loud.send('PRIVMSG admin :please unmute me');
    await srv.stdout.waitFor(new RegExp(`^${CLOCK} <loud> please unmute me(?: |$)`, 'm'));
    await loud.sync();
    assert.deepEqual(loud.drain().map((r) => r.raw), [], 'the message to admin is accepted silently');

    await srv.command('mutes', /^MASK +LEFT +BY +REASON$/m);
    await srv.stdout.waitFor(/^loud!\*@\* +(?:4m \d+s|5m) +console +too loud$/m);
    await srv.command('unmute loud', line('unmuted loud!*@*'));
    await srv.command('mutes', line('no mutes'));

    loud.send('PRIVMSG #mute :back again');
    assert.equal((await ear.waitFor('PRIVMSG')).raw, ':loud!loud@127.0.0.1 PRIVMSG #mute :back again');
    loud.send('PRIVMSG ear :hi again');
    assert.equal((await ear.waitFor('PRIVMSG')).raw, ':loud!loud@127.0.0.1 PRIVMSG ear :hi again');
    await quit(loud, ear);
  });

  test('kick #room nick removes from one room only; kick nick disconnects with a KILL and the reason', async () => {
    const victim = await srv.register('victim');
    const witness = await srv.register('witness');
    for (const c of [victim, witness]) {
      c.send('JOIN #k');
      await c.waitFor('366');
    }

    await srv.command('kick #k victim being rude', line('removed victim from #k'));
    for (const c of [witness, victim]) assert.equal((await c.waitFor('KICK')).raw, `:${ADMIN} KICK #k victim :being rude`);
    await victim.sync();
    assert.equal(victim.closed, false, 'a room kick keeps the connection');
    await srv.command('kick #k victim again', line('error: victim is not in #k'));

    victim.send('JOIN #k');
    await witness.waitFor('JOIN');
    await srv.command('kick victim spamming links', line('disconnected victim (spamming links)'));
    assert.equal((await victim.waitFor('KILL')).raw, `:${NAME} KILL victim :Killed (admin (spamming links))`);
    assert.equal((await victim.waitFor('ERROR')).raw, 'ERROR :Closing Link: 127.0.0.1 (Killed (admin (spamming links)))');
    await victim.waitClose();
    const q = await witness.waitFor('QUIT');
    assert.equal(q.msg.source, 'victim!victim@127.0.0.1');
    assert.deepEqual(q.msg.params, ['Killed (admin (spamming links))']);
    await srv.command('kick victim', line('error: No such nick: victim'));
    await quit(witness);
  });

  test('ban nick 10m: disconnected, refused on reconnect, listed with the time left, and let back by unban', async () => {
    const spammer = await srv.register('spammer');
    const bystander = await srv.register('bystander');
    for (const c of [spammer, bystander]) {
      c.send('JOIN #b');
      await c.waitFor('366');
    }

    await srv.command('ban spammer 10m spam', line('banned spammer!*@* for 10m (spam); 1 client(s) disconnected'));
    const r465 = await spammer.waitFor('465');
    assert.equal(r465.msg.source, NAME);
    assert.equal(r465.msg.params[0], 'spammer');
    assert.match(r465.msg.params[1]!, /banned.*spam/);
    assert.equal((await spammer.waitFor('ERROR')).raw, 'ERROR :Closing Link: 127.0.0.1 (Banned: spam)');
    await spammer.waitClose();
    assert.deepEqual((await bystander.waitFor('QUIT')).msg.params, ['Banned: spam']);

    const again = await srv.connect();
    again.send('NICK spammer', 'USER spammer 0 * :x');
    assert.equal((await again.waitFor('465')).msg.params[0], 'spammer');
    assert.equal((await again.waitFor('ERROR')).raw, 'ERROR :Closing Link: 127.0.0.1 (Banned: spam)');
    await again.waitClose();
    assert.equal(again.received.filter((r) => r.msg.command === '001').length, 0, 'never welcomed');

    const other = await srv.register('newcomer');
    bystander.send('NICK spammer');
    const refusedNick = await bystander.waitFor('432');
    assert.equal(refusedNick.msg.params[1], 'spammer');

    await srv.command('bans', /^MASK +LEFT +BY +REASON$/m);
    await srv.stdout.waitFor(/^spammer!\*@\* +(?:9m \d+s|10m) +console +spam$/m);
    await srv.command('unban spammer', line('unbanned spammer!*@*'));
    await srv.command('bans', line('no bans'));
    const back = await srv.register('spammer');
    await quit(back, bystander, other);
  });

  test('ban 127.0.0.2/31: a client from that range is disconnected and refused on connect; others are not', async () => {
    const far = await connectFrom(srv.port, '127.0.0.2');
    far.socket.write('NICK faraway\r\nUSER far 0 * :far\r\n');
    await far.out.waitFor(/^:\S+ (?:376|422) faraway /m);
    const near = await srv.register('near');

    // 127.0.0.2 and 127.0.0.3, not the 127.0.0.1 the other clients come from.
    await srv.command('ban 127.0.0.2/31 1h abuse', line('banned 127.0.0.2/31 for 1h (abuse); 1 client(s) disconnected'));
    await far.out.waitFor(new RegExp(`^:${escapeRegExp(NAME)} 465 faraway :.*abuse`, 'm'));
    await far.out.waitFor(line('ERROR :Closing Link: 127.0.0.2 (Banned: abuse)'));
    await within(far.closed, 5000, 'the banned client to be closed');

    // A new connection from the range is refused before it registers.
    for (const address of ['127.0.0.2', '127.0.0.3']) {
      const refused = await connectFrom(srv.port, address);
      await refused.out.waitFor(new RegExp(`^:${escapeRegExp(NAME)} 465 \\* :.*abuse`, 'm'));
      await refused.out.waitFor(line(`ERROR :Closing Link: ${address} (Banned: abuse)`));
      await within(refused.closed, 5000, 'the refused connection to be closed');
    }

    await near.sync();
    assert.equal(near.closed, false);
    const nearToo = await srv.register('neartoo');
    await srv.command('bans', /^127\.0\.0\.2\/31 +(?:59m \d+s|1h) +console +abuse$/m);
    await srv.command('stats', /^bans +1, mutes 0$/m);
    await srv.command('unban 127.0.0.2/31', line('unbanned 127.0.0.2/31'));

    const welcome = await connectFrom(srv.port, '127.0.0.2');
    welcome.socket.write('NICK farback\r\nUSER far 0 * :far\r\n');
    await welcome.out.waitFor(/^:\S+ 001 farback /m);
    welcome.socket.write('QUIT\r\n');
    await within(welcome.closed, 5000, 'QUIT to close');
    await quit(near, nearToo);
  });

  test('reload: a changed value takes effect; an invalid file is refused and the old config stays', async () => {
    await writeFile(configFile, BASE_YAML.replace('console tests', 'reloaded motd') + 'connections:\n  max: 50\n');
    await srv.command('reload', line('configuration reloaded'));
    await srv.command('limit', /^connection limit: 50 \(0 connected now, peak \d+\)$/m);
    const c1 = await srv.register('reload1');
    assert.ok(c1.received.some((r) => r.msg.command === '372' && r.msg.params[1]!.includes('reloaded motd')), 'the new MOTD');

    await writeFile(configFile, BASE_YAML + 'limits: { nickLength: -1 }\n');
    await srv.command('reload', new RegExp(`^error: Invalid config file ${escapeRegExp(configFile)}:$`, 'm'));
    await srv.stdout.waitFor(/^ {2}limits\.nickLength: .+$/m);
    await srv.command('limit', /^connection limit: 50 \(1 connected now, peak \d+\)$/m);
    const c2 = await srv.register('reload2');
    assert.ok(c2.received.some((r) => r.msg.command === '372' && r.msg.params[1]!.includes('reloaded motd')), 'still the MOTD of the last good config');

    await writeFile(configFile, 'server: [unclosed\n');
    await srv.command('reload', new RegExp(`^error: Config file ${escapeRegExp(configFile)} is not valid YAML`, 'm'));
    await srv.command('limit', /^connection limit: 50 /m);
    await writeFile(configFile, BASE_YAML);
    await quit(c1, c2);
  });

  test('shutdown bye: every client is told why and the process exits with code 0', async () => {
    const a = await srv.register('lasta');
    const b = await srv.register('lastb');
    srv.send('shutdown bye');
    for (const c of [a, b]) {
      assert.equal((await c.waitFor('ERROR')).raw, 'ERROR :Closing Link: 127.0.0.1 (Server shutting down: bye)');
      await c.waitClose();
    }
    assert.equal(await within(srv.exited, 5000, 'the process to exit'), 0);
  });

  test('the audit log (data/audit.log in the working directory) holds a JSON line per action', async () => {
    // The process has exited (previous test), so the log is complete on disk.
    await within(srv.exited, 5000, 'the process to exit');
    const text = await readFile(join(dir, 'data', 'audit.log'), 'utf8');
    assert.ok(text.endsWith('\n'));
    const entries = text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { time: string; actor: string; action: string; target?: string; detail?: string });
    for (const e of entries) {
      assert.match(e.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.equal(e.actor, 'console');
    }
    const has = (action: string, target: string | undefined, detail?: RegExp): void => {
      const found = entries.find((e) => e.action === action && e.target === target && (detail === undefined || detail.test(e.detail ?? '')));
      assert.ok(found, `an audit entry ${action} ${target ?? ''} ${String(detail ?? '')} in:\n${text}`);
    };
    has('limit', 'connections', /^2$/);
    has('broadcast', '$*', /服务器将在五分钟后重启 🔧🚀/);
    has('say', 'talker', /^hi$/);
    has('say', '#talk');
    has('mute', 'loud!*@*', /too loud/);
    has('unmute', 'loud!*@*');
    has('kick', '#k victim', /being rude/);
    has('kill', 'victim', /spamming links/);
    has('ban', 'spammer!*@*', /600s: spam/);
    has('unban', 'spammer!*@*');
    has('ban', '127.0.0.2/31', /3600s: abuse/);
    has('unban', '127.0.0.2/31');
    has('reload', undefined, /^ok$/);
    has('reload', undefined, /^failed: .*nickLength/s);
    has('shutdown', undefined, /^bye$/);
    // Refused commands change nothing and are not recorded.
    assert.equal(entries.filter((e) => e.action === 'kill').length, 1);
    assert.equal(entries.at(-1)!.action, 'shutdown');
  });
});

describe('the end of the console input', () => {
  let srv: ParlorProcess;
  let quiet: ParlorProcess;

  before(async () => {
    [srv, quiet] = await Promise.all([launched.endOfInput, launched.noConsole]);
  });

  test('closing stdin does not stop the server: it says so and clients still connect', async () => {
    const before = await srv.register('early');
    srv.child.stdin.end();
    await srv.stdout.waitFor(line('console: end of input; the server keeps running (stop it with SIGTERM or shutdown)'));
    const late = await srv.register('late');
    late.send('PRIVMSG early :still up');
    assert.equal((await before.waitFor('PRIVMSG')).raw, ':late!late@127.0.0.1 PRIVMSG early :still up');
    // Nobody reads the admin nick any more: the sender is told so rather than left waiting.
    late.send('PRIVMSG admin :anyone there?');
    const notice = await late.waitFor('NOTICE');
    assert.equal(notice.msg.source, 'admin!admin@parlor.local');
    assert.equal(notice.msg.params[0], 'late');
    assert.equal(srv.child.exitCode, null);
  });

  test('--no-console: what comes on stdin is not read as commands', async () => {
    const c = await quiet.register('watcher');
    quiet.send('broadcast this must not arrive');
    quiet.send('shutdown');
    quiet.child.stdin.end();
    // Nothing answers on stdout to wait for; these round trips give the lines time to be
    // (wrongly) acted upon before checking that they were not.
    const d = await quiet.register('another');
    await c.sync();
    await d.sync();
    assert.deepEqual(c.drain().filter((r) => r.msg.command === 'NOTICE' || r.msg.command === 'ERROR').map((r) => r.raw), []);
    assert.equal(quiet.child.exitCode, null);
    // Only the status lines: no console output at all.
    assert.match(quiet.stdout.text, /^parlor listening on 127\.0\.0\.1:\d+\nparlor web on http:\/\/127\.0\.0\.1:\d+\n$/);
  });
});

describe('parlor mkpasswd', () => {
  test('hashes a password piped on stdin; the hash in opers lets OPER succeed', async () => {
    // The file's before hook ran `parlor mkpasswd` and started a server with the hash.
    const { made, srv } = await launched.oper;
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stdout, /^\$scrypt\$ln=\d+,r=\d+,p=\d+\$[\w-]+\$[\w-]+\n$/);
    const c = await srv.register('chief');
    c.send('OPER boss :not the password');
    assert.equal((await c.waitFor('491')).msg.params[0], 'chief');
    c.send(`OPER boss :${OPER_PASSWORD}`);
    assert.equal((await c.waitFor('381')).msg.params[0], 'chief');
  });

  test('an empty password is refused', async () => {
    const made = await launched.emptyPassword;
    assert.equal(made.code, 1);
    assert.equal(made.stdout, '');
    assert.equal(made.stderr, 'parlor mkpasswd: an empty password cannot be used\n', 'said plainly, without a stack trace');
  });
});
