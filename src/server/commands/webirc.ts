// IRCv3 WEBIRC (https://ircv3.net/specs/extensions/webirc): a web gateway listed in config
// `proxy.webirc` begins its connection with `WEBIRC <password> <gateway> <hostname> <ip> [:<options>]`
// and the connection becomes its user's: that address is what bans, mutes, limits, WHOIS and
// the admin list see, and the host name (when a plausible one) is the user's host. Any failure
// ends the connection with an ERROR, as the specification asks; the gateway passes it on.
import { formatIp, parseIp } from '../../protocol/address.ts';
import { ERR_ALREADYREGISTERED } from '../../protocol/numerics.ts';
import { GatewayConnection } from '../../transport/gateway-connection.ts';
import type { CommandGroup, Context } from '../context.ts';
import { IrcError } from '../irc-error.ts';
import { HashQueueFullError } from '../scrypt-queue.ts';
import { isGatewayHostname, parseWebircOptions, parsePort } from '../webirc-gateways.ts';

export const webircCommands: CommandGroup = {
  // WEBIRC <password> <gateway> <hostname> <ip> [:<options>]
  WEBIRC: {
    // Too few parameters is a failed WEBIRC too, which closes the connection: checked below.
    minParams: 0,
    preRegistration: true,
    async handler(ctx, [password, gatewayName, hostname, ip, options]) {
      const { session, services } = ctx;
      if (session.registered) throw new IrcError(ERR_ALREADYREGISTERED, [], 'You may not reregister');
      const peer = session.conn.remoteAddress;
      // Before capability negotiation and everything else; and only once.
      if (session.commandCount !== 1) return refuse(ctx, 'WEBIRC must be the first command', 'not first');
      // An address not listed learns nothing more, and costs no hash.
      if (!services.webircGateways.listed(peer)) return refuse(ctx, 'WEBIRC is not accepted from your address', 'address not listed');
      if (password === undefined || gatewayName === undefined || hostname === undefined || ip === undefined) {
        return refuse(ctx, 'Invalid WEBIRC command: WEBIRC <password> <gateway> <hostname> <ip> [:<options>]', 'too few parameters');
      }
      let entry;
      try {
        entry = await services.webircGateways.authenticate(peer, password, services.hashing);
      } catch (err) {
        if (err instanceof HashQueueFullError) return refuse(ctx, err.message, 'hash queue full');
        throw err;
      }
      if (session.conn.closed) return;
      if (!entry) {
        services.logger.warn({ id: session.conn.id, address: peer, gateway: gatewayName }, 'WEBIRC refused: wrong password');
        return refuse(ctx, 'Invalid WebIRC password', undefined);
      }
      const parsed = parseIp(ip);
      if (!parsed) {
        // The gateway's own mistake: worth a warning, since every user it brings is refused.
        services.logger.warn({ id: session.conn.id, address: peer, gateway: entry.name }, 'WEBIRC refused: not an IP address');
        return refuse(ctx, 'Invalid IP address in WEBIRC', undefined);
      }
      const address = formatIp(parsed);

      // The user's address is judged now as a direct connection's would be at accept: bans first.
      const now = ctx.now();
      const ban = ctx.network.bans.match(now, address);
      if (ban) {
        const [numeric, error] = services.bannedLines(ban, '*', address);
        services.stats.refused.banned++;
        services.logger.info({ id: session.conn.id, address, gateway: entry.name, transport: session.conn.transport, reason: 'banned' }, 'connection refused');
        ctx.rb.flush();
        session.sendLine(numeric!);
        session.close(`Banned: ${ban.reason}`, error!);
        return;
      }
      const refusal = services.readmit(session, address);
      if (refusal) {
        services.logger.info({ id: session.conn.id, address, gateway: entry.name, reason: refusal.code }, 'connection refused');
        ctx.rb.flush();
        session.disconnect(refusal.message);
        return;
      }

      const flags = parseWebircOptions(options);
      // The user's leg is TLS only if the gateway says so and its own leg to us is TLS too.
      const secure = flags.has('secure') && session.conn.secure;
      session.conn = new GatewayConnection(session.conn, { address, port: parsePort(flags.get('remote-port')) ?? 0, secure, gateway: entry.name });
      // A name the gateway resolved, if it looks like one; an address (or garbage) gives way to the address.
      session.gatewayHostname = isGatewayHostname(hostname) ? hostname : undefined;
      services.logger.info({ id: session.conn.id, address, host: session.gatewayHostname, gateway: entry.name, from: peer, secure }, 'WEBIRC accepted');
    },
  },
};

/** Ends the connection with `ERROR :Closing Link: … (<text>)`; `logReason`, when given, is logged at debug. */
function refuse(ctx: Context, text: string, logReason: string | undefined): void {
  const { session, services } = ctx;
  if (logReason !== undefined) services.logger.debug({ id: session.conn.id, address: session.conn.remoteAddress, reason: logReason }, 'WEBIRC refused');
  ctx.rb.flush();
  session.disconnect(text);
}
