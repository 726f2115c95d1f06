// Capability negotiation (IRCv3 CAP, version 302).
import { CAPABILITIES, INFORMATIONAL_CAPABILITIES, isCapability } from '../../protocol/caps.ts';
import { ERR_INVALIDCAPCMD } from '../../protocol/numerics.ts';
import { SASL_MECHANISMS } from '../../protocol/scram-messages.ts';
import { MULTILINE_CAP, multilineCapValue } from '../../protocol/multiline.ts';
import type { CommandGroup, Context } from '../context.ts';
import { IrcError } from '../irc-error.ts';
import { tryCompleteRegistration } from './registration.ts';

const MAX_CAP_LINE = 400;

export const capCommands: CommandGroup = {
  // CAP <subcommand> [:<capabilities>]
  CAP: {
    minParams: 1,
    preRegistration: true,
    handler(ctx, [sub, arg]) {
      const session = ctx.session;
      switch (sub!.toUpperCase()) {
        case 'LS': {
          if (!session.registered) session.capNegotiating = true;
          const version = Number(arg ?? 0) || 0;
          session.capVersion = Math.max(session.capVersion, version);
          // cap-notify is implied by CAP LS 302.
          if (version >= 302) session.setCap('cap-notify', true);
          const offered = CAPABILITIES.filter((c) => isOffered(ctx, c));
          // Values (`sasl=PLAIN`) are for 302 clients only.
          return sendCapList(ctx, 'LS', session.capVersion >= 302 ? offered.map((c) => withValue(ctx, c)) : offered);
        }
        case 'LIST':
          return sendCapList(ctx, 'LIST', [...session.caps]);
        case 'REQ': {
          if (!session.registered) session.capNegotiating = true;
          const wanted = (arg ?? '').split(' ').filter((c) => c !== '');
          const valid = wanted.length > 0 && wanted.every((c) => requestable(ctx, c.replace(/^-/, '')));
          // cap-notify cannot be turned off once CAP LS 302 implied it.
          const refused = wanted.some((c) => c === '-cap-notify' && session.capVersion >= 302);
          if (!valid || refused) {
            ctx.rb.server('CAP', [session.nickOrStar, 'NAK', arg ?? '']);
            return;
          }
          for (const c of wanted) {
            if (c.startsWith('-')) session.setCap(c.slice(1), false);
            else session.setCap(c, true);
          }
          ctx.rb.server('CAP', [session.nickOrStar, 'ACK', wanted.join(' ')]);
          return;
        }
        case 'END':
          if (session.registered) return;
          session.capNegotiating = false;
          return tryCompleteRegistration(ctx);
        default:
          throw new IrcError(ERR_INVALIDCAPCMD, [sub!], 'Invalid CAP command');
      }
    },
  },
};

/** Capabilities that depend on the config are only offered when it turns them on. */
function isOffered(ctx: Context, cap: string): boolean {
  if (cap === 'draft/account-registration') return ctx.config.accounts.registration;
  if (cap === 'draft/chathistory') return ctx.config.history.enabled;
  // A policy only means something with a value, which CAP LS 302 alone carries. Not over
  // WebSocket: its upgrade would be the raw TLS port, which a browser cannot use.
  if (cap === 'sts') {
    const { conn } = ctx.session;
    return ctx.session.capVersion >= 302 && conn.transport !== 'websocket' && ctx.services.stsPolicy(conn.secure) !== undefined;
  }
  return true;
}

function requestable(ctx: Context, cap: string): boolean {
  return isCapability(cap) && !INFORMATIONAL_CAPABILITIES.has(cap) && isOffered(ctx, cap);
}

/** A capability as CAP LS 302 lists it, with its value if it has one. */
function withValue(ctx: Context, cap: string): string {
  switch (cap) {
    case 'sasl':
      return `sasl=${SASL_MECHANISMS.join(',')}`;
    case 'draft/account-registration':
      // REGISTER before connecting would let a client skip the server password (PASS).
      return ctx.config.server.password === undefined ? `${cap}=before-connect` : cap;
    case 'sts':
      return `sts=${ctx.services.stsPolicy(ctx.session.conn.secure)}`;
    case MULTILINE_CAP:
      return `${cap}=${multilineCapValue({ maxBytes: ctx.limits.multilineMaxBytes, maxLines: ctx.limits.multilineMaxLines })}`;
    default:
      return cap;
  }
}

function sendCapList(ctx: Context, sub: 'LS' | 'LIST', caps: string[]): void {
  const nick = ctx.session.nickOrStar;
  const lines: string[] = [];
  let line = '';
  for (const cap of caps) {
    if (line !== '' && line.length + cap.length + 1 > MAX_CAP_LINE) {
      lines.push(line);
      line = '';
    }
    line = line === '' ? cap : `${line} ${cap}`;
  }
  lines.push(line);
  // Multi-line replies carry '*' before the last line, for 302 clients only.
  const multiline = ctx.session.capVersion >= 302;
  if (!multiline) {
    ctx.rb.server('CAP', [nick, sub, lines.join(' ')]);
    return;
  }
  lines.forEach((text, i) => {
    const more = i < lines.length - 1;
    ctx.rb.server('CAP', more ? [nick, sub, '*', text] : [nick, sub, text]);
  });
}
