// LINKS: the servers of the network. A Parlor network is the nodes up on one log; none is
// behind another (they all talk through the log), so this node is at 0 hops and every other
// one at 1, each linked to this one. Names are the ones WHOIS (312) and WHO show.
import { compileMask } from '../../protocol/mask.ts';
import { ERR_NOSUCHSERVER, RPL_ENDOFLINKS, RPL_LINKS } from '../../protocol/numerics.ts';
import type { CommandGroup, Context } from '../context.ts';
import { IrcError } from '../irc-error.ts';

export interface LinkedServer {
  name: string;
  nodeId: string;
  hops: 0 | 1;
}

/** This node first, then the others up by node id. */
export function linkedServers(ctx: Context): LinkedServer[] {
  const own = ctx.services.nodeId;
  const out: LinkedServer[] = [{ name: ctx.serverName, nodeId: own, hops: 0 }];
  const others = [...ctx.network.nodes.keys()].filter((id) => id !== own).sort();
  for (const nodeId of others) out.push({ name: ctx.network.serverNameOf(nodeId), nodeId, hops: 1 });
  return out;
}

export const linkCommands: CommandGroup = {
  // LINKS [[<remote server>] <server mask>]
  LINKS: {
    minParams: 0,
    handler(ctx, params) {
      const mask = params.length >= 2 ? params[1]! : (params[0] ?? '*');
      const servers = linkedServers(ctx);
      // Every node knows the whole network: a remote server asked for answers as this one would.
      const remote = params.length >= 2 ? params[0]! : undefined;
      if (remote !== undefined) {
        const isServer = compileMask(remote);
        if (!servers.some((s) => isServer(s.name))) throw new IrcError(ERR_NOSUCHSERVER, [remote], 'No such server');
      }
      const matches = compileMask(mask === '' ? '*' : mask);
      const network = ctx.config.server.network;
      for (const s of servers) {
        if (!matches(s.name)) continue;
        // Two nodes may share a server name (the default one): the node id tells them apart.
        const info = s.nodeId === s.name ? network : `${network} node ${s.nodeId}`;
        ctx.reply(RPL_LINKS, s.name, ctx.serverName, `${s.hops} ${info}`);
      }
      ctx.reply(RPL_ENDOFLINKS, mask === '' ? '*' : mask, 'End of /LINKS list');
    },
  },
};
