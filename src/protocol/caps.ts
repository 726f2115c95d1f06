// IRCv3 capabilities Parlor offers (CAP LS).

export const CAPABILITIES = [
  'away-notify',
  'batch',
  'cap-notify',
  'chghost',
  'echo-message',
  'invite-notify',
  'labeled-response',
  'message-tags',
  'multi-prefix',
  'server-time',
  'setname',
  'userhost-in-names',
] as const;

export type Capability = (typeof CAPABILITIES)[number];

const known = new Set<string>(CAPABILITIES);

export function isCapability(name: string): name is Capability {
  return known.has(name);
}
