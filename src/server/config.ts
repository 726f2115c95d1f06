// Server configuration: defaults < YAML file < command-line flags, validated by one schema.
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { LOCALES } from '../i18n/i18n.ts';
import { parseCidr } from '../protocol/address.ts';
import { CASEMAPPINGS } from '../protocol/casemapping.ts';
import { isValidChannel } from '../protocol/validate.ts';
import { proxySection, tlsSection, webSection } from './config-transport.ts';

const serverName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9.-]*$/, 'a host-like name: letters, digits, dots and dashes')
  .max(63);

const ms = z.number().int().positive();

const cidr = z.string().refine((v) => parseCidr(v) !== undefined, 'an IP address or CIDR range, e.g. 10.0.0.0/8');

export const ConfigSchema = z.strictObject({
  server: z
    .strictObject({
      /** The server's own name, the source of its replies. */
      name: serverName.default('parlor.local'),
      /** Network name announced in ISUPPORT. */
      network: z
        .string()
        .max(64, 'at most 64 characters (the 001 line holds it with the longest nick and mask)')
        .regex(/^[^\s\p{Cc}]+$/u, 'no spaces or control characters (it goes into 001 and ISUPPORT)')
        .default('Parlor'),
      host: z.string().min(1).default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(6666),
      /** Connection password (PASS) every client must give; none by default. */
      password: z.string().min(1).optional(),
      /** Message of the day: a file path; relative paths are read from the working directory. */
      motdFile: z.string().optional(),
      /** Message of the day given inline, used when motdFile is not set. */
      motd: z.string().optional(),
      /** On SIGTERM or shutdown: the longest the server waits for clients and storage before exiting anyway. */
      shutdownTimeoutMs: ms.max(600_000).default(10_000),
      /**
       * Which nicks are taken: `rfc1459` (ASCII letters, digits and the IRC specials, what every
       * client expects) or `precis` (letters of any script as well, 张三 or Zoë; invisible characters,
       * mixed scripts and look-alikes of a nick in use refused). The same on every node.
       */
      casemapping: z.enum(CASEMAPPINGS).default('rfc1459'),
    })
    .prefault({}),
  limits: z
    .strictObject({
      nickLength: z.number().int().min(1).max(64).default(30),
      channelLength: z.number().int().min(2).max(200).default(64),
      topicLength: z.number().int().min(1).max(400).default(390),
      kickLength: z.number().int().min(1).max(400).default(390),
      awayLength: z.number().int().min(1).max(400).default(390),
      realnameLength: z.number().int().min(1).max(400).default(128),
      userLength: z.number().int().min(1).max(64).default(18),
      channelsPerUser: z.number().int().min(1).default(50),
      /** Targets one PRIVMSG/NOTICE may name. */
      targetsPerMessage: z.number().int().min(1).default(4),
      /** Rooms one NAMES may name (ISUPPORT TARGMAX NAMES:); more gets 407. */
      namesTargets: z.number().int().min(1).max(100).default(10),
      /** Name masks (ELIST M and N: `*mask*`, `!*mask*`) in one LIST, each matched against every room; more gets 407. */
      listMasks: z.number().int().min(1).max(100).default(10),
      /** Mode changes with a parameter in one MODE command. */
      modesPerCommand: z.number().int().min(1).default(6),
      bansPerChannel: z.number().int().min(1).default(100),
      /** Ban exceptions (+e) a room may hold (ISUPPORT MAXLIST e:). */
      banExceptionsPerChannel: z.number().int().min(1).default(100),
      /** Invite exceptions (+I) a room may hold (ISUPPORT MAXLIST I:). */
      inviteExceptionsPerChannel: z.number().int().min(1).default(100),
      /** Bytes of one ban mask (+b): its 367 line, with the setter's mask, must fit 512 bytes. */
      banMaskBytes: z.number().int().min(16).max(300).default(200),
      monitorEntries: z.number().int().min(0).default(100),
      /** Nick history kept for WHOWAS. */
      whowasEntries: z.number().int().min(0).default(1000),
      /** Bytes of a line without its tags, CR LF included (Modern IRC: 512). */
      lineBytes: z.number().int().min(512).max(16384).default(512),
      /** Bytes of a line's tag section (IRCv3 message-tags: 8191). */
      tagBytes: z.number().int().min(512).max(65536).default(8191),
      /** Bytes of a client's tag data, between '@' and the space (IRCv3 message-tags: 4094); more gets 417. */
      clientTagBytes: z.number().int().min(510).max(65534).default(4094),
      /** Output that may wait for one slow client before it is disconnected; long replies wait for the client past half of it. */
      sendQueueBytes: z.number().int().min(4096).default(512 * 1024),
      registrationTimeoutMs: ms.default(60_000),
      /** Idle time before the server sends a PING. */
      pingIntervalMs: ms.default(120_000),
      /** Time to answer that PING before the client is dropped. */
      pingTimeoutMs: ms.default(60_000),
      /** How long a closing connection may flush its output. */
      closeTimeoutMs: ms.default(5_000),
      /**
       * IRCv3 multiline (draft/multiline, advertised as its max-bytes): bytes of one multi-line
       * message, each line feed counting one. 4096 holds a screenful of pasted text, or about
       * 1300 Chinese characters, and bounds what one batch costs every recipient.
       */
      multilineMaxBytes: z.number().int().min(512).max(65_536).default(4096),
      /**
       * Lines in one multi-line message (max-lines). Every line is a command for flood control
       * (a batch of 24 and its two BATCH lines pass within the default burst of 20 plus a
       * second or two) and a line relayed to each recipient with the sender's mask.
       */
      multilineMaxLines: z.number().int().min(2).max(1000).default(24),
    })
    .prefault({})
    // The decoder frames lines of lineBytes + tagBytes: client tags must fit in the tag section.
    .refine((l) => l.clientTagBytes + 2 <= l.tagBytes, 'limits.clientTagBytes + 2 (the @ and the space) may not exceed limits.tagBytes'),
  connections: z
    .strictObject({
      /** Connections the server accepts at once; the next is told the server is full. */
      max: z.number().int().min(1).default(10_000),
      /** Connections from one address (one network: see ipv4Prefix/ipv6Prefix). */
      perIp: z.number().int().min(1).default(16),
      /** Addresses counted together for perIp and the throttle: /32 is one IPv4 address. */
      ipv4Prefix: z.number().int().min(8).max(32).default(32),
      /** IPv6 hands out /64s to one machine, so those count as one address. */
      ipv6Prefix: z.number().int().min(16).max(128).default(64),
      /** Larger or smaller allowances for whole networks, e.g. a campus NAT. */
      cidrLimits: z.array(z.strictObject({ cidr: cidr, max: z.number().int().min(0) })).default([]),
      /** New connections one address may open per throttleWindowMs (0 turns it off). */
      throttleConnections: z.number().int().min(0).default(10),
      throttleWindowMs: ms.default(60_000),
      /** Addresses no per-IP limit or throttle applies to (the server's own machine). */
      exempt: z.array(cidr).default(['127.0.0.0/8', '::1/128']),
    })
    .prefault({}),
  flood: z
    .strictObject({
      /** Commands a client may send at once before being slowed (token bucket size). */
      burst: z.number().int().min(1).default(20),
      /** Commands per second after the burst; faster ones wait their turn (fakelag). */
      commandsPerSecond: z.number().positive().default(4),
      /** Input that may wait for its turn; a client that queues more is dropped (Excess Flood). */
      recvQueueBytes: z.number().int().min(1024).default(16_384),
      /** IRC operators are not slowed. */
      exemptOpers: z.boolean().default(true),
    })
    .prefault({}),
  proxy: proxySection,
  web: webSection,
  tls: tlsSection,
  storage: z
    .strictObject({
      /** sqlite: a database in dataDir (the default); memory: nothing survives a restart; postgres: the server at `url` (a cluster's store of record). */
      backend: z.enum(['sqlite', 'memory', 'postgres']).default('sqlite'),
      /** The PostgreSQL server for backend postgres: postgres://user@host:port/database. */
      url: z.string().min(1).optional(),
      /** While the database is down, at most this many messages (PostgreSQL) and as many ban and room saves wait to be written (past it some are dropped, and logged). */
      maxQueued: z.number().int().min(1_000).max(10_000_000).default(100_000),
      /** PostgreSQL: a query (or a connection attempt) that takes longer fails, and the command that needed it says "try again". */
      queryTimeoutMs: ms.min(100).max(600_000).default(5_000),
      /** Holds parlor.db (accounts, rooms, bans, history), audit.log and parlor.lock (one server per directory); relative to the working directory. */
      dataDir: z.string().min(1).default('data'),
      /** Longest a message waits before it is written; the window of loss on a crash. */
      flushIntervalMs: z.number().int().min(1).max(10_000).default(100),
      /** sqlite: who writes message batches: a worker thread with its own connection (the event loop only hands it the batch), or inline on the event loop. */
      writer: z.enum(['worker', 'inline']).default('worker'),
      /** PRAGMA quick_check on parlor.db at start, refusing a damaged file; reads the whole file, so a huge one may skip it. */
      quickCheck: z.boolean().default(true),
    })
    .prefault({})
    .refine((s) => s.backend !== 'postgres' || s.url !== undefined, 'storage.backend postgres needs storage.url (postgres://user@host/database)'),
  history: z
    .strictObject({
      /** Keep room and private messages (in the store) and answer CHATHISTORY. */
      enabled: z.boolean().default(true),
      /** Lines of a room replayed on JOIN to clients without draft/chathistory (0: none). */
      replayOnJoin: z.number().int().min(0).max(1000).default(10),
      /** Most messages one CHATHISTORY request returns (ISUPPORT CHATHISTORY); one answer must fit the send queue. */
      maxQuery: z.number().int().min(1).max(1_000).default(100),
      /** Retention: messages older than this many days are deleted (0: kept for ever). */
      maxAgeDays: z.number().min(0).default(0),
      /** Retention: at most this many messages per room or conversation (0: no limit). */
      maxPerTarget: z.number().int().min(0).default(0),
      /** How long after sending people may delete their own messages (REDACT); room and IRC operators may any time. */
      redactWindowMs: ms.default(900_000),
      /** Keep a deleted message's text in the audit log (the deletion itself is always recorded there). */
      auditRedactedText: z.boolean().default(false),
      /**
       * How long a deleted message's msgid is remembered (a tombstone), so that a copy of it
       * written late is deleted again: in a cluster a message and its deletion may be written by
       * two nodes in either order, a few seconds apart as a rule, longer only while the database
       * was away. A day covers that with room to spare; tombstones are small.
       */
      tombstoneMs: ms.min(60_000).default(86_400_000),
    })
    .prefault({}),
  /** Accounts (SASL PLAIN, REGISTER) and the nicks and rooms they hold. */
  accounts: z
    .strictObject({
      /** Anyone may create an account with REGISTER (IRCv3 draft/account-registration). */
      registration: z.boolean().default(true),
      /** Time a user with someone's registered nick has to log in before being renamed Guest…. */
      nickGraceMs: z.number().int().min(0).default(60_000),
      /** Shortest password REGISTER accepts (characters). */
      minPasswordLength: z.number().int().min(1).max(64).default(8),
      /** scrypt cost of new password hashes as log2(N): 15 takes about 50 ms and 32 MiB. */
      passwordCost: z.number().int().min(1).max(20).default(15),
      /** Rooms one account may register (REGISTER #room); IRC operators too. */
      maxRoomsPerAccount: z.number().int().min(0).default(10),
      /** Registered rooms on the whole server: they never go away, so LIST always shows them. */
      maxRegisteredRooms: z.number().int().min(0).default(1000),
      /** Accounts one address (as connections groups them) may create per registrationWindowMs; 0: no limit. */
      registrationsPerAddress: z.number().int().min(0).default(5),
      registrationWindowMs: ms.default(3_600_000),
      /** Longest SASL response (its base64, all AUTHENTICATE chunks together); longer fails (904). */
      saslMaxResponseBytes: z.number().int().min(400).max(65536).default(1600),
      /** Conversations an account keeps a read marker for (IRCv3 draft/read-marker); a new one past it drops the oldest. */
      maxReadMarkers: z.number().int().min(1).max(100_000).default(1000),
      /**
       * PBKDF2 iterations of new SCRAM-SHA-256 verifiers (RFC 7677: at least 4096). Every login
       * makes the client compute them (a browser too); the server only when it derives one.
       * Raising it renews an account's verifier at its next PLAIN login.
       */
      scramIterations: z.number().int().min(4096).max(1_000_000).default(4096),
      /**
       * Makes the salt an unknown account is answered with in SCRAM, so that it cannot be told
       * from a real one. Unset: a random one made once and kept in the store (the database),
       * which every node shares, so that restarts and other nodes answer the same. Set it (the
       * same on every node) to keep it out of the database. Keep it secret.
       */
      scramSecret: z.string().min(16).optional(),
    })
    .prefault({}),
  /**
   * Password guessing (SASL, OPER, PASS, the admin panel's login and token): failures are
   * counted per address and per account or operator name; too many lock them out for a while.
   * Every password hash and check waits its turn in a small queue.
   */
  auth: z
    .strictObject({
      /** Failed logins one address (one IPv4 address, one IPv6 /64: connections.ipv4Prefix/ipv6Prefix) may make per failureWindowMs. */
      maxFailuresPerAddress: z.number().int().min(1).default(10),
      /** Failed logins to one account or operator name, from any address, per failureWindowMs; then even the right password waits. */
      maxFailuresPerAccount: z.number().int().min(1).default(10),
      failureWindowMs: ms.default(300_000),
      /** The first lockout; each further one in a row doubles, up to maxLockoutMs. */
      lockoutMs: ms.default(60_000),
      maxLockoutMs: ms.default(3_600_000),
      /** Addresses, and names, remembered at once; the least recently failed are forgotten first. */
      trackedEntries: z.number().int().min(1).default(10_000),
      /** Password hashes computed at once (each takes a libuv thread and about 32 MiB at passwordCost 15). */
      hashConcurrency: z.number().int().min(1).max(64).default(2),
      /** Password checks that may wait for their turn; beyond it an attempt is refused at once with "try again". */
      hashQueue: z.number().int().min(0).default(16),
      /** Failures from one address are logged once per kind, then in one summary line per this period. */
      logIntervalMs: ms.default(60_000),
    })
    .prefault({})
    .refine((a) => a.maxLockoutMs >= a.lockoutMs, 'auth.maxLockoutMs must be at least auth.lockoutMs'),
  /** People without an IRC client (nc, telnet): a connection whose first line is not IRC. */
  plainText: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** Silence after connecting before the greeting; IRC clients speak first and never see it. */
      greetAfterMs: ms.default(1_000),
      /**
       * The room a plain-text user is put in once named ('' for none); a name JOIN accepts. The
       * web client joins it too when it has no rooms of its own (GET /client-settings.json).
       */
      defaultRoom: z.string().refine((v) => v === '' || isValidChannel(v, 200), 'a room name like #lobby, or empty').default('#lobby'),
      /**
       * TCP keep-alive probes after this much silence on a plain-text connection (0: none), so
       * that a half-open nc session is dropped; a person cannot answer the PINGs IRC clients get.
       * How often and how many probes the OS decides (Linux: 9, 75 s apart).
       */
      keepAliveMs: z.number().int().min(0).max(7_200_000).default(60_000),
      /** The language plain-text users are greeted and answered in until they type /lang: en or zh-CN. */
      language: z.enum(LOCALES).default('en'),
      /**
       * Longest line a plain-text user may type, in bytes: a person does not count bytes, so a
       * longer line than IRC's 512 is said as several messages. Longer gets 417. IRC clients keep
       * limits.lineBytes. Lines are framed up to this size from the start (a reload cannot raise that).
       */
      maxLineBytes: z.number().int().min(512).max(65536).default(8192),
    })
    .prefault({}),
  /** IRC operators: OPER <name> <password>; the password is a hash from `parlor mkpasswd`. */
  opers: z
    .array(
      z.strictObject({
        name: z.string().regex(/^\S+$/, 'no spaces'),
        password: z.string().regex(/^\$scrypt\$/, 'a hash made by `parlor mkpasswd` (starts with $scrypt$)'),
        /** user@host masks the operator may connect from. */
        hosts: z.array(z.string()).default(['*@*']),
      }),
    )
    .default([]),
  /** The server's own log (stderr of `parlor serve`); --log-level, --log-format and --log-messages override it. */
  logging: z
    .strictObject({
      /** Least severe level written: fatal, error, warn, info, debug, trace or silent. */
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
      /** auto: readable lines on a terminal, JSON lines otherwise. */
      format: z.enum(['auto', 'json', 'pretty']).default('auto'),
      /** Log the text of every PRIVMSG/NOTICE (at debug level). Off: message text is never logged. */
      messages: z.boolean().default(false),
    })
    .prefault({}),
  admin: z
    .strictObject({
      /** The reserved nick through which clients talk to the operator at the console. */
      nick: z.string().regex(/^[A-Za-z[\]\\`_^{|}][A-Za-z0-9[\]\\`_^{|}-]*$/, 'a valid nickname').default('admin'),
      /**
       * Whether that nick is a user on the network (a service: reachable by PRIVMSG, WHOIS and an
       * exact WHO, left out of WHO masks and user counts). false: no such user, the nick is free,
       * messages to it get 401, and the console kicks as the server. Changes at a restart.
       */
      pseudoUser: z.boolean().default(true),
      /** Where admin actions are appended as JSON lines; unset: <dataDir>/audit.log; null: memory and the log only. */
      auditLog: z.string().min(1).nullable().optional(),
      /** Audit entries kept in memory for `audit` and the web panel. */
      auditMemory: z.number().int().min(0).default(1000),
      /** Longest broadcast or `say` from the console or the panel, in UTF-8 bytes: it must fit one line as a PRIVMSG does. */
      textBytes: z.number().int().min(1).max(4096).default(400),
      /** How long an IRC operator's panel login lasts. */
      panelSessionMs: ms.max(7 * 86_400_000).default(12 * 3_600_000),
      /** Panel logins held at once; a new one beyond it ends the oldest. */
      panelSessions: z.number().int().min(1).max(100_000).default(100),
    })
    .prefault({}),
  /** Prometheus metrics at /metrics on the web port (the console's `stats` shows the same figures). */
  metrics: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** Addresses and ranges that may scrape without a token. */
      allowFrom: z.array(cidr).default(['127.0.0.0/8', '::1']),
      /** With it, `Authorization: Bearer <token>` may scrape from anywhere. Keep it secret. */
      token: z.string().min(8, 'at least 8 characters (longer is better)').optional(),
    })
    .prefault({}),
  /** Several nodes on one log (docs/architecture.md). */
  cluster: z
    .strictObject({
      /** A snapshot of the network every this many log entries, from which a starting node catches up. */
      snapshotEvery: z.number().int().min(100).max(10_000_000).default(10_000),
      /** How often a node reads the log back for entries it may have missed (a lost last entry). */
      catchUpMs: ms.min(100).max(3_600_000).default(5_000),
      /** The Redis server whose stream is the network's log (redis://host:port, rediss://…, unix:///path.sock); without it, a network of one node. */
      redis: z.string().min(1).optional(),
      /** This node's name in the cluster (letters, digits, - and _); by default one made from the host name and port, the same at each restart. */
      nodeId: z
        .string()
        .min(1)
        .max(32)
        .refine((v) => /^[A-Za-z0-9_-]+$/.test(v), 'letters, digits, - and _ only')
        .optional(),
      /** How often a node tells Redis it is alive. */
      heartbeatMs: ms.min(50).max(60_000).default(3_000),
      /** A node whose heartbeat is this far behind the newest one is declared dead: its users quit everywhere. */
      deadAfterMs: ms.min(200).max(600_000).default(15_000),
      /** A Redis command that takes longer fails (the command that needed it says "try again"). */
      commandTimeoutMs: ms.min(50).max(60_000).default(2_000),
      /** Log entries kept for the history writer while PostgreSQL is down; past it the log is trimmed anyway (those messages miss history, and it is logged). */
      historyBacklog: z.number().int().min(10_000).max(100_000_000).default(1_000_000),
      /** History a node had read but not written when it died is taken over by another after this long. */
      historyClaimMs: ms.min(1_000).max(3_600_000).default(10_000),
      /** Without Redis for this long, a node closes its sessions (they may go to another node) and rejoins when it is back. */
      unavailableCloseMs: ms.min(100).max(3_600_000).default(30_000),
    })
    .prefault({})
    .refine((c) => c.deadAfterMs >= 4 * c.heartbeatMs, 'cluster.deadAfterMs must be at least 4 heartbeats (cluster.heartbeatMs)'),
});

export type Config = z.infer<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function formatIssues(error: z.ZodError): string {
  return error.issues.map((i) => `  ${i.path.join('.') || '(top)'}: ${i.message}`).join('\n');
}

export function parseConfig(input: unknown, source = 'config'): Config {
  const result = ConfigSchema.safeParse(input ?? {});
  if (!result.success) throw new ConfigError(`Invalid ${source}:\n${formatIssues(result.error)}`);
  return result.data;
}

/** Merge two partial inputs, the second winning, one level deep per section. */
export function mergeConfigInput(base: ConfigInput, override: ConfigInput): ConfigInput {
  return {
    ...base,
    ...override,
    server: { ...base.server, ...override.server },
    limits: { ...base.limits, ...override.limits },
    connections: { ...base.connections, ...override.connections },
    flood: { ...base.flood, ...override.flood },
    plainText: { ...base.plainText, ...override.plainText },
    history: { ...base.history, ...override.history },
    storage: { ...base.storage, ...override.storage },
    web: { ...base.web, ...override.web },
    proxy: { ...base.proxy, ...override.proxy },
    tls: { ...base.tls, ...override.tls },
    accounts: { ...base.accounts, ...override.accounts },
    auth: { ...base.auth, ...override.auth },
    admin: { ...base.admin, ...override.admin },
    logging: { ...base.logging, ...override.logging },
    metrics: { ...base.metrics, ...override.metrics },
    cluster: { ...base.cluster, ...override.cluster },
  };
}

export async function readConfigFile(path: string): Promise<ConfigInput> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`Cannot read config file ${path}: ${(err as Error).message}`);
  }
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`Config file ${path} is not valid YAML: ${(err as Error).message}`);
  }
  if (data !== null && data !== undefined && (typeof data !== 'object' || Array.isArray(data))) {
    throw new ConfigError(`Config file ${path} must hold a mapping (key: value)`);
  }
  // Validate the file alone first so its errors name the file.
  parseConfig(data ?? {}, `config file ${path}`);
  return (data ?? {}) as ConfigInput;
}
