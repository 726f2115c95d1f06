// The replies of /list (321-323) and /links (364, 365) as lines a person reads: a room with its
// member count and topic, a server with how it is linked. LIST goes where the user is looking
// (rather than into the buffers of the rooms it names); LINKS into the server buffer. Nodes of
// one Parlor network may share a server name (the default one): the node id the server puts in
// 364's info ("Parlor node node1") then tells them apart, and "linked to this one" replaces
// "linked to parlor.local".
import type { IrcMessage } from '../protocol/message.ts';
import * as N from '../protocol/numerics.ts';
import type { ChatModel } from './model.ts';

function timeOf(msg: IrcMessage): Date | undefined {
  const t = msg.tags['time'];
  if (t === undefined) return undefined;
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** 364 lines held for their 365 at most. */
const LINKS_HELD = 500;

/** Shows the 364 lines held, and empties `links`. */
function showLinks(m: ChatModel, links: IrcMessage[]): void {
  for (const { text, line } of linksText(m, links.splice(0))) m.add(m.server, { kind: 'info', from: line.source, text, time: timeOf(line) });
}

/** Shows a LIST or LINKS reply; false for any other message. `links` gathers the 364s until their 365. */
export function serverListLine(m: ChatModel, msg: IrcMessage, links: IrcMessage[]): boolean {
  const time = timeOf(msg);
  const t = m.t;
  switch (msg.command) {
    case N.RPL_LISTSTART:
      return true;
    case N.RPL_LIST: {
      const [, room = '', countText = '', topic = ''] = msg.params;
      const count = Number(countText) || 0;
      m.add(m.current, { kind: 'info', text: t(topic === '' ? 'client.serverList.roomNoTopic' : 'client.serverList.room', { room, count, topic }), time });
      return true;
    }
    case N.RPL_LISTEND:
      m.add(m.current, { kind: 'info', text: t('client.serverList.roomsEnd'), time });
      return true;
    case N.RPL_LINKS:
      // Shown together at 365, when it is known whether two servers share a name; a server
      // that never ends its list does not make the client hold it for ever.
      links.push(msg);
      if (links.length >= LINKS_HELD) showLinks(m, links);
      return true;
    case N.RPL_ENDOFLINKS:
      showLinks(m, links);
      m.add(m.server, { kind: 'info', from: msg.source, text: t('client.serverList.serversEnd'), time });
      return true;
  }
  return false;
}

interface LinkEntry {
  server: string;
  via: string;
  hops: string;
  info: string;
  /** The node id at the end of the info (`… node <id>`), as Parlor writes it. */
  node: string | undefined;
}

function parseLink(msg: IrcMessage): LinkEntry {
  const [, server = '', via = '', rest = ''] = msg.params;
  const space = rest.indexOf(' ');
  const info = space === -1 ? '' : rest.slice(space + 1);
  const node = /(?:^| )node (\S+)$/.exec(info);
  return { server, via, hops: space === -1 ? rest : rest.slice(0, space), info, node: node?.[1] };
}

/** The 364 lines of one LINKS answer as text, in order. */
function linksText(m: ChatModel, lines: IrcMessage[]): { text: string; line: IrcMessage }[] {
  const t = m.t;
  const entries = lines.map(parseLink);
  const fold = (name: string): string => name.toLowerCase();
  const counts = new Map<string, number>();
  for (const e of entries) counts.set(fold(e.server), (counts.get(fold(e.server)) ?? 0) + 1);
  const repeated = (e: LinkEntry): boolean => e.node !== undefined && (counts.get(fold(e.server)) ?? 0) > 1;
  const here = entries.find((e) => e.hops === '0');
  return entries.map((e, i) => {
    const named = repeated(e);
    // The node id moves from the info into the name: "parlor.local on node node1: Parlor".
    const server = named ? t('client.serverList.nameOnNode', { server: e.server, node: e.node! }) : e.server;
    const info = named ? e.info.slice(0, e.info.length - ` node ${e.node!}`.length).trimEnd() || e.info : e.info;
    let text: string;
    if (e.hops === '0') text = t('client.serverList.serverHere', { server, info });
    else if (named && here !== undefined && fold(e.via) === fold(here.server)) text = t('client.serverList.serverToHere', { server, info });
    else text = t('client.serverList.server', { server, via: e.via, info });
    return { text, line: lines[i]! };
  });
}
