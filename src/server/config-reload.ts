// What a reload (REHASH, `reload`, SIGHUP) may change at once. Settings the running server is
// built on (addresses, names, line framing, the admin pseudo-user) keep their old values until
// the next restart, and the notes say so.
import type { Config } from './config.ts';

/** `next` with the restart-only settings of `old`, and a note for each of those that differs. */
export function keepRestartOnlySettings(old: Config, next: Config): { config: Config; notes: string[] } {
  const notes: string[] = [];
  for (const key of ['host', 'port', 'name'] as const) {
    if (next.server[key] !== old.server[key]) notes.push(`server.${key} changes at the next restart`);
  }
  // The transports frame lines by these from the start; messages cached their cut by them.
  const frame = ['lineBytes', 'tagBytes', 'clientTagBytes'] as const;
  if (frame.some((key) => next.limits[key] !== old.limits[key])) notes.push('limits.lineBytes, tagBytes and clientTagBytes change at the next restart');
  if (next.admin.nick !== old.admin.nick) notes.push('admin.nick changes at the next restart');
  if (next.admin.pseudoUser !== old.admin.pseudoUser) notes.push('admin.pseudoUser changes at the next restart');
  if (next.admin.auditLog !== old.admin.auditLog) notes.push('admin.auditLog changes at the next restart');
  const config: Config = {
    ...next,
    server: { ...next.server, host: old.server.host, port: old.server.port, name: old.server.name },
    admin: { ...next.admin, nick: old.admin.nick, pseudoUser: old.admin.pseudoUser, auditLog: old.admin.auditLog },
    tls: { ...next.tls, host: old.tls.host, port: old.tls.port, web: old.tls.web },
    limits: { ...next.limits, lineBytes: old.limits.lineBytes, tagBytes: old.limits.tagBytes, clientTagBytes: old.limits.clientTagBytes },
  };
  return { config, notes };
}
