// The shape of a snapshot's data (snapshot.ts), checked with zod when a node loads one: a
// snapshot comes from the log's store, written by another node or another version, and a
// node must refuse a damaged one rather than build a wrong network from it.
import { z } from 'zod';
import { CASEMAPPINGS } from '../protocol/casemapping.ts';

const text = z.string();
const time = z.number();

const userSchema = z.strictObject({
  uid: text,
  nodeId: text,
  nick: text,
  username: text,
  hostname: text,
  realname: text,
  signonAt: time,
  secure: z.boolean(),
  address: text,
  account: text.nullable(),
  away: text.nullable(),
  /** Mode letters, sorted. */
  modes: text,
});

const listEntrySchema = z.strictObject({ mask: text, setBy: text, setAt: time });

const channelSchema = z.strictObject({
  name: text,
  createdAt: time,
  flags: z.array(z.enum(['i', 'm', 'n', 's', 't'])),
  key: text.nullable(),
  limit: z.number().int().positive().nullable(),
  topic: text,
  topicSetBy: text,
  topicSetAt: time,
  /** In the room's order: the first match decides, and MODE +b lists them so. */
  bans: z.array(listEntrySchema),
  /** Ban (+e) and invite (+I) exceptions, in the room's order; absent in older snapshots. */
  exceptions: z.array(listEntrySchema).default([]),
  invites: z.array(listEntrySchema).default([]),
  invited: z.array(text),
  registration: z
    .strictObject({
      founder: text,
      registeredAt: time,
      /** [folded account, account as registered]. */
      operators: z.array(z.tuple([text, text])),
    })
    .nullable(),
  /** [uid, status modes in STATUS_MODES order]. */
  members: z.array(z.tuple([text, z.enum(['', 'o', 'v', 'ov'])])),
});


const serverBanSchema = z.strictObject({
  kind: z.enum(['mask', 'cidr']),
  mask: text,
  reason: text,
  setBy: text,
  setAt: time,
  expiresAt: time.nullable(),
});

export const SNAPSHOT_VERSION = 1;

export const snapshotDataSchema = z.strictObject({
  version: z.literal(SNAPSHOT_VERSION),
  position: z.number().int().nonnegative(),
  time,
  users: z.array(userSchema),
  channels: z.array(channelSchema),
  bans: z.array(serverBanSchema),
  mutes: z.array(serverBanSchema),
  /** [node id, epoch]. */
  nodes: z.array(z.tuple([text, text])),
  /** [node id, server name] of the nodes up that announced one. */
  nodeNames: z.array(z.tuple([text, z.string().regex(/^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$/)])).optional(),
  deadEpochs: z.array(text),
  adminNick: z.union([text, z.null()]).optional(),
  casemapping: z.enum(CASEMAPPINGS).optional(),
  unicode: text.optional(),
});

export type SnapshotData = z.infer<typeof snapshotDataSchema>;
export type SnapshotUser = SnapshotData['users'][number];
export type SnapshotChannel = SnapshotData['channels'][number];
export type SnapshotServerBan = SnapshotData['bans'][number];
