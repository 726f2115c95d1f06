// message.redact in the randomized checker: what the log's replay records of each deletion
// (replay.ts), and what must hold once the run has settled (invariants.ts, run.ts): every
// REDACT line reached exactly who the deletion's deliveries name (and its actor, the reply),
// none of a refused one went out, no client was sent a message after it was told of its
// deletion, and no live node keeps a deleted message in history.
import type { LogEntry } from '../../../src/cluster/log-cursor.ts';
import type { Delivery } from '../../../src/network/effects.ts';
import type { NetworkEvent, RedactEvent } from '../../../src/network/events.ts';
import type { NetworkState } from '../../../src/network/network-state.ts';
import type { Received } from '../raw-client.ts';
import type { ClusterNode } from './cluster.ts';

/** A message.redact the log holds. */
export interface LoggedRedaction {
  position: number;
  /** The REDACT's own msgid (what its lines carry). */
  redactMsgid: string;
  /** The deleted message's msgid. */
  msgid: string;
  uid: string;
  accepted: boolean;
  /** Who should be sent the REDACT: the deliveries' users, and the actor (the reply to its command). */
  recipients: ReadonlySet<string>;
}

/** The msgid that places an event's lines in the log: a deletion's lines carry its own. */
export function eventMsgid(e: NetworkEvent): string | undefined {
  if (e.type === 'message.redact') return e.redactMsgid;
  return 'msgid' in e ? e.msgid : undefined;
}

/** What the replay keeps of a deletion, once the reducer has applied it. */
export function loggedRedaction(state: NetworkState, entry: LogEntry<NetworkEvent>, e: RedactEvent, accepted: boolean, deliveries: readonly Delivery[]): LoggedRedaction {
  const recipients = new Set<string>();
  if (accepted) {
    if (state.users.has(e.uid)) recipients.add(e.uid);
    for (const d of deliveries) {
      if (d.to === 'user') recipients.add(d.uid);
      else if (d.to === 'channel') for (const u of d.channel.members.keys()) if (u.uid !== d.except) recipients.add(u.uid);
    }
  }
  return { position: entry.position, redactMsgid: e.redactMsgid, msgid: e.msgid, uid: e.uid, accepted, recipients };
}

/**
 * One client's REDACT lines against the log: each deletion it should have been told of exactly
 * once (within `checkable`, the span of the log it was there for), none it should not; and no
 * copy of a message after the REDACT that deleted it.
 */
export function checkClientRedactions(
  lines: readonly Received[],
  uid: string,
  redactions: ReadonlyMap<string, LoggedRedaction>,
  checkable: (position: number) => boolean,
  who: string,
  out: string[],
): void {
  const told = new Map<string, number>();
  const deleted = new Set<string>();
  for (const r of lines) {
    const msgid = r.msg.tags['msgid'];
    if (msgid === undefined) continue;
    if (r.msg.command === 'REDACT') {
      told.set(msgid, (told.get(msgid) ?? 0) + 1);
      if (r.msg.params[1] !== undefined) deleted.add(r.msg.params[1]);
    } else if ((r.msg.command === 'PRIVMSG' || r.msg.command === 'NOTICE') && deleted.has(msgid)) {
      out.push(`${who} was sent ${msgid} after being told it was deleted: ${r.raw}`);
    }
  }
  for (const d of redactions.values()) {
    const count = told.get(d.redactMsgid) ?? 0;
    const expected = d.recipients.has(uid) ? 1 : 0;
    if (count > expected || (checkable(d.position) && count < expected)) {
      const why = d.accepted ? (expected === 0 ? ' though it was not told of it' : '') : ' though the log refused it';
      out.push(`${who} was sent REDACT ${d.msgid} (@${d.position}) ${count} times, expected ${expected}${why}`);
    }
  }
}

/** No live node's history keeps a message whose deletion the log accepted. */
export async function checkRedactedHistory(nodes: readonly ClusterNode[], redactions: ReadonlyMap<string, LoggedRedaction>): Promise<string[]> {
  const out: string[] = [];
  for (const d of redactions.values()) {
    if (!d.accepted) continue;
    for (const node of nodes) {
      const kept = await node.test.server.store.findMessage(d.msgid);
      if (kept) out.push(`node ${node.nodeId}#${node.incarnation} keeps ${d.msgid} in history, deleted @${d.position}`);
    }
  }
  return out;
}
