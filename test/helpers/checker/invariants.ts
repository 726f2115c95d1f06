// What must hold once a checker run has settled (issue 18), comparing three accounts of it: the
// log as the checker replayed it (replay.ts), each live node's state, and what every client was
// sent. Each broken rule becomes one line of the report.
import { snapshotDigest } from '../../../src/network/snapshot.ts';
import { foldCase } from '../../../src/protocol/casemapping.ts';
import type { Received } from '../raw-client.ts';
import type { Actor } from './actor.ts';
import type { CheckerCluster } from './cluster.ts';
import { checkClientRedactions } from './redactions.ts';
import type { LogFacts, LoggedMessage } from './replay.ts';

/** node.down quits its node's users with msgids `<position>.<n>`. */
const SPLIT_MSGID = /^(\d+)\.\d+$/;

export function checkRun(cluster: CheckerCluster, facts: LogFacts, actors: readonly Actor[]): string[] {
  const out = [...facts.violations];
  const uids = new Map<Actor, string>();
  for (const actor of actors) {
    const uid = facts.uidByRegisteredNick.get(foldCase(actor.name));
    if (uid === undefined) out.push(`${actor.name} was welcomed by node ${actor.nodeId}, but the log never introduced it`);
    else uids.set(actor, uid);
  }
  checkNodes(cluster, facts, actors, uids, out);
  checkNicksHeld(actors, out);
  for (const [actor, uid] of uids) checkClientView(actor, uid, facts, out);
  return out;
}

/** Every live node at the log's end, in the state the replay reached, holding exactly the connected clients. */
function checkNodes(cluster: CheckerCluster, facts: LogFacts, actors: readonly Actor[], uids: ReadonlyMap<Actor, string>, out: string[]): void {
  const connected = new Map<string, Actor>();
  for (const actor of actors) if (actor.connected && uids.has(actor)) connected.set(uids.get(actor)!, actor);
  for (const actor of actors) {
    // A node drops its sessions only when it starts again under a new epoch (declared down, or fallen behind the log).
    const node = cluster.node(actor.nodeId);
    if (actor.active && !actor.connected && node.incarnation === actor.incarnation && node.test.server.replica.epoch === actor.epoch) {
      out.push(`${actor.name} was disconnected by node ${actor.nodeId}, which kept its epoch ${actor.epoch}: ${actor.lines().at(-1)?.raw ?? ''}`);
    }
  }
  for (const node of cluster.live()) {
    const { server } = node.test;
    const where = `node ${node.nodeId}#${node.incarnation}`;
    if (server.replica.position !== facts.position) out.push(`${where} is at position ${server.replica.position}, the log at ${facts.position}`);
    if (snapshotDigest(server.network) !== facts.digest) out.push(`${where}: state digest differs from the log's replay (${describeDiff(server.network, facts)})`);
    const seen = new Set<string>();
    const nickHolders = new Map<string, string>();
    for (const user of server.network.users.values()) {
      const holder = nickHolders.get(user.foldedNick);
      if (holder !== undefined) out.push(`${where} gives nick ${user.nick} to ${holder} and ${user.uid}`);
      nickHolders.set(user.foldedNick, user.uid);
      const introduced = facts.users.get(user.uid);
      if (!introduced) continue; // the admin pseudo-user
      seen.add(user.uid);
      const actor = connected.get(user.uid);
      if (!actor) {
        const dead = cluster.started.find((n) => n.killedEpoch === introduced.epoch);
        out.push(`${where} still has ${user.nick} (${user.uid}) ${dead ? `of killed node ${dead.nodeId}#${dead.incarnation}` : 'whose client is gone'}`);
      } else if (actor.nick() !== user.nick) {
        out.push(`${where} names ${user.uid} ${user.nick}; its client believes it is ${actor.nick()}`);
      }
    }
    for (const [uid, actor] of connected) if (!seen.has(uid)) out.push(`${where} lacks ${actor.name} (${uid}), connected to ${actor.nodeId}`);
    for (const dead of cluster.started) {
      if (dead.killedEpoch !== undefined && !server.network.deadEpochs.has(dead.killedEpoch)) {
        out.push(`${where} never declared killed ${dead.nodeId}#${dead.incarnation} down`);
      }
    }
  }
}

/** What differs between a node and the replay, briefly, to point at the cause. */
function describeDiff(network: LogFacts['state'], facts: LogFacts): string {
  const nicks = (s: LogFacts['state']): string => [...s.users.values()].map((u) => u.nick).sort().join(' ');
  const rooms = (s: LogFacts['state']): string =>
    [...s.channels.values()]
      .map((c) => `${c.name}[${[...c.members].map(([u, m]) => m.prefix(false) + u.nick).sort().join(' ')}]`)
      .sort()
      .join(' ');
  const parts: string[] = [];
  if (nicks(network) !== nicks(facts.state)) parts.push(`users ${nicks(network)} vs ${nicks(facts.state)}`);
  if (rooms(network) !== rooms(facts.state)) parts.push(`rooms ${rooms(network)} vs ${rooms(facts.state)}`);
  return parts.join('; ') || 'in details';
}

/** No two connected clients believe they hold one nick. */
function checkNicksHeld(actors: readonly Actor[], out: string[]): void {
  const holders = new Map<string, string>();
  for (const actor of actors) {
    if (!actor.connected) continue;
    const folded = foldCase(actor.nick());
    const other = holders.get(folded);
    if (other !== undefined) out.push(`${other} and ${actor.name} both believe they are ${actor.nick()}`);
    holders.set(folded, actor.name);
  }
}

/** Where a line sits in the log, by its msgid. */
function positionOf(r: Received, facts: LogFacts): number | undefined {
  const msgid = r.msg.tags['msgid'];
  if (msgid === undefined) return undefined;
  const split = SPLIT_MSGID.exec(msgid);
  return split ? Number(split[1]) : facts.msgidPosition.get(msgid);
}

/**
 * One client's lines against the log: in log order; nothing the log refused; each message it
 * should have had exactly once and none it should not; NAMES on its JOINs as the room then was.
 */
function checkClientView(actor: Actor, uid: string, facts: LogFacts, out: string[]): void {
  const lines = actor.lines();
  const who = `${actor.name} (${uid} on ${actor.nodeId}#${actor.incarnation})`;
  const received = new Map<string, number>();
  let last = 0;
  let lastRaw = '';
  for (let i = 0; i < lines.length; i++) {
    const r = lines[i]!;
    const msgid = r.msg.tags['msgid'];
    const position = positionOf(r, facts);
    if (msgid === undefined) continue;
    if (position === undefined) {
      out.push(`${who} was sent a msgid the log never held: ${r.raw}`);
      continue;
    }
    if (position < last) out.push(`${who} was sent @${position} after @${last}: ${r.raw} after ${lastRaw}`);
    if (position >= last) [last, lastRaw] = [position, r.raw];
    if (facts.refusedMsgids.has(msgid)) out.push(`${who} was sent a line of an event the log refused (@${position}): ${r.raw}`);
    if (r.msg.command === 'PRIVMSG' || r.msg.command === 'NOTICE') received.set(msgid, (received.get(msgid) ?? 0) + 1);
    const join = r.msg.command === 'JOIN' ? facts.joins.get(msgid) : undefined;
    if (join && join.uid === uid) checkNames(lines, i, join.names, who, r.raw, out);
  }
  // A client still connected must have had everything meant for it; one that left, everything
  // up to the last line it was sent (entries are applied, and so sent, in log order).
  const introduced = facts.users.get(uid)?.position ?? 0;
  const until = actor.connected ? facts.position : last;
  checkClientRedactions(lines, uid, facts.redactions, (position) => position > introduced && position <= until, who, out);
  for (const m of facts.messages.values()) {
    const count = received.get(m.msgid) ?? 0;
    const expected = m.accepted ? expectedCopies(m, uid) : 0;
    const checkable = m.position > introduced && m.position <= until;
    if (count > expected || (checkable && count < expected)) {
      const what = m.accepted ? (expected === 0 ? 'though it was not a member then' : '') : 'though the log refused it';
      out.push(`${who} was sent ${m.msgid} (@${m.position} to ${m.target}) ${count} times, expected ${expected} ${what}`.trimEnd());
    }
  }
}

/**
 * Copies of an accepted message a user should have: one as a recipient, and the sender its echo
 * — which, in a room it is in, stands for its copy (a room's delivery leaves the sender out).
 */
function expectedCopies(m: LoggedMessage, uid: string): number {
  const asRecipient = m.recipients.has(uid) ? 1 : 0;
  const echo = m.uid === uid && !(m.toRoom && asRecipient === 1) ? 1 : 0;
  return asRecipient + echo;
}

/** The NAMES that followed a client's own JOIN, against the room's members at the JOIN's position. */
function checkNames(lines: readonly Received[], joinAt: number, expected: readonly string[], who: string, joinLine: string, out: string[]): void {
  const room = foldCase(lines[joinAt]!.msg.params[0] ?? '');
  const names: string[] = [];
  for (let i = joinAt + 1; i < lines.length; i++) {
    const { msg } = lines[i]!;
    if (msg.command === '353' && foldCase(msg.params[2] ?? '') === room) names.push(...(msg.params[3] ?? '').split(' ').filter((n) => n !== ''));
    if (msg.command === '366' && foldCase(msg.params[1] ?? '') === room) {
      const shown = names.sort();
      if (shown.join(' ') !== expected.join(' ')) out.push(`${who} joined (${joinLine}) and was shown NAMES ${shown.join(' ')}; the room then held ${expected.join(' ')}`);
      return;
    }
  }
  if (lines.length > joinAt + 1) out.push(`${who} joined (${joinLine}) but was sent no end of NAMES`);
}
