// The Lua scripts of the network log on Redis (src/cluster/redis-bus.ts). Every step that
// reads one key and writes another runs here, atomically on the server — never as a read
// then a write from Node, which another node could interleave.
//
// The stream entry's id is `${ms}-${position}`: ms is the log's time (Redis TIME, never less
// than the last entry's), position the contiguous counter. Fields: log (the log epoch it was
// written under), epoch (the writer node's incarnation), ref, event (JSON).
import type { Redis } from 'ioredis';
import type { LogEntry } from './log-cursor.ts';

export interface LogKeys {
  /** The stream itself. */
  readonly stream: string;
  /** A random value set once (SET NX): changes only when Redis lost its data. */
  readonly epoch: string;
  /** The last position given (INCR). */
  readonly position: string;
  /** The last entry's ms, so that time never goes backwards. */
  readonly time: string;
  /** nodeId → `${nodeEpoch}|${ms}` of its last heartbeat. */
  readonly heartbeats: string;
  /** Node epochs declared dead: their later heartbeats are refused. */
  readonly reaped: string;
  /** Hash {position, id, data} of the newest snapshot. */
  readonly snapshot: string;
  /** Held (SET NX PX) by the one node writing a snapshot. */
  readonly snapshotLease: string;
}

export function logKeys(namespace: string): LogKeys {
  const prefix = `${namespace}:log`;
  return {
    stream: prefix,
    epoch: `${prefix}:epoch`,
    position: `${prefix}:position`,
    time: `${prefix}:time`,
    heartbeats: `${prefix}:heartbeats`,
    reaped: `${prefix}:reaped`,
    snapshot: `${prefix}:snapshot`,
    snapshotLease: `${prefix}:snapshot-lease`,
  };
}

// KEYS[1..4] = epoch, position, time, stream in every script that appends.
const APPEND_FUNCTION = `
local function append_entry(log_epoch, writer_epoch, ref, event, clock)
  local ms
  if clock ~= '' then
    ms = tonumber(clock)
  else
    local t = redis.call('TIME')
    ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  end
  local last = tonumber(redis.call('GET', KEYS[3]) or '0')
  if ms < last then ms = last end
  local ms_text = string.format('%.0f', ms)
  local position = redis.call('INCR', KEYS[2])
  redis.call('SET', KEYS[3], ms_text)
  local id = ms_text .. '-' .. position
  redis.call('XADD', KEYS[4], id, 'log', log_epoch, 'epoch', writer_epoch, 'ref', ref, 'event', event)
  return id
end
`;

const HEARTBEAT_PARSE_FUNCTION = `
local function parse_beat(value)
  local epoch, ms = string.match(value, '^(.*)|(%d+)$')
  return epoch, tonumber(ms)
end
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
`;

/** ARGV: logEpoch, writerEpoch, ref, eventJson, clock ('' for Redis TIME). Returns the id. */
const APPEND = `${APPEND_FUNCTION}
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return redis.error_reply('LOG_LOST the log epoch changed') end
return append_entry(ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5])
`;

/**
 * KEYS: epoch, heartbeats, reaped. ARGV: logEpoch, nodeId, nodeEpoch, pauseMs, deadAfterMs.
 * Returns {'lost'}, {'dead'}, or {'ok', nodeId, nodeEpoch, …} for every node now stale.
 */
const HEARTBEAT = `${HEARTBEAT_PARSE_FUNCTION}
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {'lost'} end
if redis.call('SISMEMBER', KEYS[3], ARGV[3]) == 1 then return {'dead'} end
local now = now_ms()
local beats = redis.call('HGETALL', KEYS[2])
local newest = 0
for i = 2, #beats, 2 do
  local _, ms = parse_beat(beats[i])
  if ms and ms > newest then newest = ms end
end
-- Nobody beat for a while: Redis (or every node) was stopped. Everyone starts afresh, so that
-- a pause kills nobody.
if newest > 0 and now - newest > tonumber(ARGV[4]) then
  for i = 1, #beats, 2 do
    local epoch = parse_beat(beats[i + 1])
    if epoch then
      redis.call('HSET', KEYS[2], beats[i], epoch .. '|' .. now)
      beats[i + 1] = epoch .. '|' .. now
    end
  end
end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3] .. '|' .. now)
local stale = {'ok'}
for i = 1, #beats, 2 do
  local epoch, ms = parse_beat(beats[i + 1])
  if beats[i] ~= ARGV[2] and epoch and now - ms > tonumber(ARGV[5]) then
    table.insert(stale, beats[i])
    table.insert(stale, epoch)
  end
end
return stale
`;

/**
 * KEYS: epoch, position, time, stream, heartbeats, reaped. ARGV: logEpoch, reaperEpoch, nodeId,
 * nodeEpoch, downEventJson, deadAfterMs. Checks again that the node is stale (another reaper
 * may have been first), then appends its node.down, forgets its heartbeat and marks the epoch
 * reaped, all at once. Returns 'reaped', 'alive', 'gone' or 'lost'.
 */
const REAP = `${APPEND_FUNCTION}${HEARTBEAT_PARSE_FUNCTION}
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 'lost' end
local beat = redis.call('HGET', KEYS[5], ARGV[3])
if not beat then return 'gone' end
local epoch, ms = parse_beat(beat)
if epoch ~= ARGV[4] then return 'gone' end
local beats = redis.call('HVALS', KEYS[5])
local newest = 0
for _, value in ipairs(beats) do
  local _, other = parse_beat(value)
  if other and other > newest then newest = other end
end
if newest - ms <= tonumber(ARGV[6]) then return 'alive' end
append_entry(ARGV[1], ARGV[2], '0', ARGV[5], '')
redis.call('HDEL', KEYS[5], ARGV[3])
redis.call('SADD', KEYS[6], ARGV[4])
return 'reaped'
`;

/**
 * KEYS: snapshot, stream, position. ARGV: position, streamId, data, historyGroup ('' for none),
 * maxBacklog. Stores the snapshot if newer than the one kept, then trims the stream up to the
 * previous snapshot's position (one interval of slack) — but keeps what the history group has
 * not yet handled, unless that backlog exceeds maxBacklog.
 * Returns {'stale'} or {'saved', trimmed, backlogOverflow (0 when none)}.
 */
const SAVE_SNAPSHOT = `
local function split_id(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  return tonumber(ms), tonumber(seq)
end
local stored = tonumber(redis.call('HGET', KEYS[1], 'position') or '-1')
if tonumber(ARGV[1]) <= stored then return {'stale'} end
local previous_id = redis.call('HGET', KEYS[1], 'id')
redis.call('HSET', KEYS[1], 'position', ARGV[1], 'id', ARGV[2], 'data', ARGV[3])
if stored < 0 or not previous_id or previous_id == '' then return {'saved', 0, 0} end
-- Entries at or below the previous snapshot's position go: ids below ms-(position+1).
local trim_ms, trim_seq = split_id(previous_id)
trim_seq = stored + 1
local overflow = 0
if ARGV[4] ~= '' and redis.call('EXISTS', KEYS[2]) == 1 then
  local bound_ms, bound_seq
  local ok, pending = pcall(redis.call, 'XPENDING', KEYS[2], ARGV[4])
  if ok and pending[1] > 0 then
    bound_ms, bound_seq = split_id(pending[2])
  else
    local found, groups = pcall(redis.call, 'XINFO', 'GROUPS', KEYS[2])
    if found then
      for _, group in ipairs(groups) do
        local fields = {}
        for i = 1, #group, 2 do fields[group[i]] = group[i + 1] end
        if fields['name'] == ARGV[4] then
          bound_ms, bound_seq = split_id(fields['last-delivered-id'])
          bound_seq = bound_seq + 1
        end
      end
    end
  end
  if bound_ms then
    local newest = tonumber(redis.call('GET', KEYS[3]) or '0')
    local backlog = newest - bound_seq + 1
    if backlog > tonumber(ARGV[5]) then
      overflow = backlog
    elseif bound_ms < trim_ms or (bound_ms == trim_ms and bound_seq < trim_seq) then
      trim_ms, trim_seq = bound_ms, bound_seq
    end
  end
end
local trimmed = redis.call('XTRIM', KEYS[2], 'MINID', string.format('%.0f', trim_ms) .. '-' .. trim_seq)
return {'saved', trimmed, overflow}
`;

/** KEYS: lease. ARGV: token. Lets the lease go if it is still ours. */
const RELEASE_LEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

type Arg = string | number;

export interface LogScripts {
  parlorAppend(epochKey: string, positionKey: string, timeKey: string, stream: string, ...argv: Arg[]): Promise<string>;
  parlorHeartbeat(epochKey: string, heartbeats: string, reaped: string, ...argv: Arg[]): Promise<string[]>;
  parlorReap(
    epochKey: string,
    positionKey: string,
    timeKey: string,
    stream: string,
    heartbeats: string,
    reaped: string,
    ...argv: Arg[]
  ): Promise<string>;
  parlorSaveSnapshot(snapshot: string, stream: string, positionKey: string, ...argv: Arg[]): Promise<[string, number?, number?]>;
  parlorReleaseLease(lease: string, token: string): Promise<number>;
  parlorDiscardLog(epochKey: string, stream: string, positionKey: string, timeKey: string, snapshot: string, reaped: string, logEpoch: string): Promise<number>;
}

// KEYS: epoch, stream, position, time, snapshot, reaped; ARGV[1]: the log epoch being let go.
// Only while it is still the current one: a node that reset first has begun the new log.
const DISCARD_LOG = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6])
end
return 0`;

/** Defines the scripts on a connection (EVALSHA, loading a script again after a restart). */
export function defineLogScripts(redis: Redis): LogScripts {
  const scripts: [keyof LogScripts, number, string][] = [
    ['parlorAppend', 4, APPEND],
    ['parlorHeartbeat', 3, HEARTBEAT],
    ['parlorReap', 6, REAP],
    ['parlorSaveSnapshot', 3, SAVE_SNAPSHOT],
    ['parlorReleaseLease', 1, RELEASE_LEASE],
    ['parlorDiscardLog', 6, DISCARD_LOG],
  ];
  for (const [name, numberOfKeys, lua] of scripts) redis.defineCommand(name, { numberOfKeys, lua });
  return redis as unknown as LogScripts;
}

/** One stream entry as XREAD/XRANGE return it: id and flat fields (null once deleted). */
export type RawStreamEntry = [string, string[] | null];

/** A stream entry as a LogEntry, with the log epoch it was written under; undefined if unreadable. */
export function parseStreamEntry<E>(raw: RawStreamEntry): { entry: LogEntry<E>; id: string; logEpoch: string } | undefined {
  const [id, fields] = raw;
  if (!fields) return undefined;
  const dash = id.indexOf('-');
  const values = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) values.set(fields[i]!, fields[i + 1]!);
  const text = values.get('event');
  if (text === undefined) return undefined;
  // Only Parlor writes the stream; anything else there is not an event, and must not stop the reader.
  let event: E;
  try {
    event = JSON.parse(text) as E;
  } catch {
    return undefined;
  }
  const entry: LogEntry<E> = {
    position: Number(id.slice(dash + 1)),
    epoch: values.get('epoch') ?? '',
    time: Number(id.slice(0, dash)),
    ref: Number(values.get('ref') ?? 0),
    event,
  };
  return { entry, id, logEpoch: values.get('log') ?? '' };
}

/** Creates a consumer group that sees the stream from its first entry (one existing is kept). */
export async function createGroup(redis: Redis, stream: string, group: string): Promise<void> {
  try {
    await redis.call('XGROUP', 'CREATE', stream, group, '0', 'MKSTREAM');
  } catch (err) {
    if (!(err instanceof Error && err.message.startsWith('BUSYGROUP'))) throw err;
  }
}
