// The row shapes of PostgresStore's accounts, channels and server_bans tables and their
// conversion to Store records (int8 columns come back as strings: parsed here).
import type { AccountRecord, ChannelRecord, StoredBan } from './store.ts';
import { channelListsFromColumns } from './channel-lists.ts';

export interface AccountRow {
  name: string;
  password_hash: string;
  email: string | null;
  created_at: string;
  verified: boolean;
  suspended: boolean;
  scram: string | null;
}

export interface ChannelRow {
  name: string;
  founder: string;
  registered_at: string;
  topic: string;
  topic_set_by: string;
  topic_set_at: string;
  modes: string;
  key: string | null;
  user_limit: string | null;
  bans: string;
  operators: string;
  exceptions: string;
  invites: string;
}

export interface BanRow {
  list: 'ban' | 'mute';
  mask: string;
  kind: 'mask' | 'cidr';
  reason: string;
  set_by: string;
  set_at: string;
  expires_at: string | null;
}

export function byKey<Row extends { name_key: string }>(rows: Row[]): Row[] {
  return rows.sort((a, b) => (a.name_key < b.name_key ? -1 : a.name_key > b.name_key ? 1 : 0));
}

export function toAccount(r: AccountRow): AccountRecord {
  const a: AccountRecord = { name: r.name, passwordHash: r.password_hash, createdAt: Number(r.created_at), verified: r.verified, suspended: r.suspended };
  if (r.email !== null) a.email = r.email;
  if (r.scram !== null) a.scram = r.scram;
  return a;
}

export function toChannel(r: ChannelRow): ChannelRecord {
  const c: ChannelRecord = {
    name: r.name,
    founder: r.founder,
    registeredAt: Number(r.registered_at),
    topic: r.topic,
    topicSetBy: r.topic_set_by,
    topicSetAt: Number(r.topic_set_at),
    modes: r.modes,
    ...channelListsFromColumns(r.bans, r.exceptions, r.invites),
    operators: JSON.parse(r.operators) as string[],
  };
  if (r.key !== null) c.key = r.key;
  if (r.user_limit !== null) c.limit = Number(r.user_limit);
  return c;
}

export function toBan(r: BanRow): StoredBan {
  const b: StoredBan = { list: r.list, kind: r.kind, mask: r.mask, reason: r.reason, setBy: r.set_by, setAt: Number(r.set_at) };
  if (r.expires_at !== null) b.expiresAt = Number(r.expires_at);
  return b;
}
