// IRCv3 capabilities Parlor offers (CAP LS).

export const CAPABILITIES = [
  'account-notify',
  'account-tag',
  'away-notify',
  'batch',
  'cap-notify',
  'chghost',
  'draft/account-registration',
  'draft/chathistory',
  'draft/multiline',
  'draft/read-marker',
  'draft/message-redaction',
  'echo-message',
  'extended-join',
  'extended-monitor',
  'invite-notify',
  'labeled-response',
  'message-tags',
  'multi-prefix',
  'sasl',
  'server-time',
  'setname',
  'sts',
  'userhost-in-names',
] as const;

/** IRCv3 draft/message-redaction: REDACT is relayed only to clients that asked for it. */
export const REDACTION_CAP = 'draft/message-redaction';

export type Capability = (typeof CAPABILITIES)[number];

const known = new Set<string>(CAPABILITIES);

/** Capabilities that only inform: a client never requests them (IRCv3 sts). */
export const INFORMATIONAL_CAPABILITIES: ReadonlySet<string> = new Set(['sts']);

export function isCapability(name: string): name is Capability {
  return known.has(name);
}
