// Persistence seam: one interface, an in-memory implementation for tests and a SQLite one
// (better-sqlite3, WAL) by default. Every implementation passes test/contracts/store.test.ts.
//
// Writes must never block message delivery: appendMessage() only queues; implementations
// write queued messages in batches (SQLite: one transaction every `flushIntervalMs`), and
// flush() resolves once everything queued so far is durable (against a crash of the process;
// see sqlite-store.ts). Queries see queued messages too.
//
// Order within a conversation is by time, then by insertion order for messages of the same
// millisecond. A ref by msgid names one message of that conversation (a msgid unknown there
// gives no messages); a ref by time covers every message of that millisecond. Records come
// back as copies with optional fields absent when unset (never present as undefined).

export interface StoredMessage {
  msgid: string;
  /**
   * The conversation: a folded channel name (`#room`), or for private messages the folded
   * names of both ACCOUNTS in order, `alice\u0000bob` (see conversationKey), so each side
   * finds the same one. Private history belongs to accounts, never to nicks: whoever takes a
   * nick later must not read what its previous holder said (src/server/private-history.ts).
   */
  target: string;
  time: number;
  /** nick!user@host of the sender. */
  source: string;
  /** The sender's account, when logged in. */
  account?: string | undefined;
  command: 'PRIVMSG' | 'NOTICE';
  text: string;
  /** Client-only tags (+typing is not stored; +reply, +react… are). */
  tags?: Record<string, string> | undefined;
}

/** The conversation key of a private message between two (folded) account names. */
export function conversationKey(a: string, b: string): string {
  return a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
}

/** A point in a conversation: a message id or a time (ms). IRCv3 chathistory's msgid= / timestamp=. */
export type HistoryRef = { msgid: string } | { time: number };

export interface HistoryTarget {
  /** The conversation key (see StoredMessage.target). */
  target: string;
  /** Time of its newest message. */
  latest: number;
}

export interface AccountRecord {
  /** As registered (case kept); looked up case-insensitively by its folded form. */
  name: string;
  /** scrypt hash from src/server/passwords.ts. */
  passwordHash: string;
  email?: string | undefined;
  createdAt: number;
  verified: boolean;
  suspended: boolean;
  /** SASL SCRAM-SHA-256 verifier (src/server/scram-verifier.ts), once derived; never the password. */
  scram?: string | undefined;
}

/** A registered room: what survives restarts and the room being empty. */
export interface ChannelRecord {
  /** As first created (case kept). */
  name: string;
  founder: string;
  registeredAt: number;
  topic: string;
  topicSetBy: string;
  topicSetAt: number;
  /** Flag modes as letters, e.g. "nt". */
  modes: string;
  key?: string | undefined;
  limit?: number | undefined;
  bans: { mask: string; setBy: string; setAt: number }[];
  /** Ban exceptions (+e); absent: none. Stored with the bans (channel-lists.ts). */
  exceptions?: { mask: string; setBy: string; setAt: number }[] | undefined;
  /** Invite exceptions (+I); absent: none. */
  invites?: { mask: string; setBy: string; setAt: number }[] | undefined;
  /** Accounts that get +o on join. */
  operators: string[];
}

/** What setReadMarker did: the time stored now, and whether this call moved it there. */
export interface ReadMarkerSet {
  time: number;
  moved: boolean;
}

export interface StoredBan {
  list: 'ban' | 'mute';
  kind: 'mask' | 'cidr';
  mask: string;
  reason: string;
  setBy: string;
  setAt: number;
  expiresAt?: number | undefined;
}

export interface Store {
  // ---- history ----
  /** Queue a message; never blocks. A msgid already stored is ignored. Empty tags are not kept. */
  appendMessage(message: StoredMessage): void;
  /** The newest `limit` messages, oldest first; only those strictly after `after` when given. */
  latest(target: string, limit: number, after?: HistoryRef): Promise<StoredMessage[]>;
  /** Up to `limit` messages just before `ref` (exclusive), oldest first. */
  before(target: string, ref: HistoryRef, limit: number): Promise<StoredMessage[]>;
  /** Up to `limit` messages just after `ref` (exclusive), oldest first. */
  after(target: string, ref: HistoryRef, limit: number): Promise<StoredMessage[]>;
  /**
   * Up to `limit` messages around `ref`, oldest first: about half from before it and the rest
   * from the ref on (a msgid's own message is included; for a time, messages of that ms are
   * on the "from" side). Near either end of the history the other side fills the limit.
   */
  around(target: string, ref: HistoryRef, limit: number): Promise<StoredMessage[]>;
  /**
   * Up to `limit` messages strictly between two refs, oldest first. When more than `limit`
   * lie between, the ones nearest `a` are returned (as IRCv3 BETWEEN counts from the first).
   */
  between(target: string, a: HistoryRef, b: HistoryRef, limit: number): Promise<StoredMessage[]>;
  /**
   * chathistory TARGETS: the private conversations `account` (folded) takes part in and the
   * given channels (folded) whose newest message lies strictly between `from` and `to`; one
   * with a message after the window is left out (its newest is not in it). At most `limit`,
   * counted from `from` as BETWEEN counts: the oldest when `from` < `to`, the newest when
   * `from` > `to`. Returned oldest first either way (ties by target). `account` undefined:
   * the channels only.
   */
  targets(account: string | undefined, channels: string[], from: number, to: number, limit: number): Promise<HistoryTarget[]>;
  /** Delete a conversation's history (admin purge); returns how many messages went. */
  purge(target: string): Promise<number>;
  /**
   * Delete every private conversation the (folded) account takes part in, both sides of it:
   * the account is being deleted, and whoever registers its name later must not read them.
   * Returns how many messages went. Works in chunks, like purge.
   */
  forgetAccount(account: string): Promise<number>;
  /**
   * Retention: drop messages older than `before` (time < before), and beyond the newest
   * `keepPerTarget` of each conversation (Infinity keeps any number); returns how many went.
   * Works in chunks, so a large prune does not hold up message delivery.
   */
  prune(before: number, keepPerTarget: number): Promise<number>;
  /** The message with this msgid, in whichever conversation (msgids are unique on the network); undefined when none is kept. */
  findMessage(msgid: string): Promise<StoredMessage | undefined>;
  /**
   * Deletes the message with this msgid (IRCv3 message-redaction), a queued one too; false when
   * none was kept. It first records a tombstone (msgid, `time`: when the deletion happened), so
   * that the message written later — appended after this, or in a cluster written from the log
   * by another node — is deleted again at once and never comes back.
   */
  deleteMessage(msgid: string, time: number): Promise<boolean>;
  /**
   * Forgets the tombstones recorded before `before` (ms); returns how many went. They are needed
   * only while a late copy of their message may still be written (history.tombstoneMs).
   */
  pruneRedactions(before: number): Promise<number>;

  // ---- accounts ----
  /** Names are unique case-insensitively (rfc1459 folding); false when taken. Lookups fold too. */
  createAccount(account: AccountRecord): Promise<boolean>;
  getAccount(name: string): Promise<AccountRecord | undefined>;
  /** Applies the fields present in `change` (email: undefined clears it); false when unknown. */
  updateAccount(name: string, change: Partial<Omit<AccountRecord, 'name'>>): Promise<boolean>;
  deleteAccount(name: string): Promise<boolean>;
  /** In order of folded name. */
  listAccounts(): Promise<AccountRecord[]>;
  /**
   * The accounts whose names look like `nick`: the same TR39 skeleton (nick-skeleton.ts), the
   * account named `nick` itself included, ASCII names too (`boss` for `ВОЅЅ`). In order of
   * folded name. Which of them count as look-alikes (never two ASCII names) is the caller's rule.
   */
  accountsLike(nick: string): Promise<AccountRecord[]>;
  /**
   * At once, without a query: whether an account may be named `nick` (folded) or look like it
   * (the same skeleton as accountsLike). False only when the store knows that none is — it
   * alone writes the accounts and holds every name and skeleton in memory — so that the nick
   * guard of a registration, whose nick is almost never an account's, needs no query and no
   * await. True when one may be: getAccount and accountsLike tell. A store shared by several
   * nodes (PostgreSQL), which cannot know without a query, always says true.
   */
  mayHaveAccountLike(nick: string): boolean;

  // ---- registered rooms ----
  /** Creates or replaces the whole record, keyed by the folded name. */
  saveChannel(channel: ChannelRecord): Promise<void>;
  getChannel(name: string): Promise<ChannelRecord | undefined>;
  deleteChannel(name: string): Promise<boolean>;
  /** In order of folded name. */
  listChannels(): Promise<ChannelRecord[]>;

  // ---- server bans and mutes ----
  /** Creates or replaces the entry of that list whose mask matches case-insensitively. */
  saveBan(ban: StoredBan): Promise<void>;
  deleteBan(list: 'ban' | 'mute', mask: string): Promise<void>;
  /** Every entry, expired ones included (the server drops those), oldest setAt first. */
  listBans(): Promise<StoredBan[]>;

  // ---- read markers (IRCv3 draft/read-marker) ----
  /**
   * How far (ms) the account has read a conversation: a room, or for a private one the other
   * side's account (src/server/commands/markread.ts keys it as private history does); undefined:
   * never marked. Names fold.
   */
  readMarker(account: string, target: string): Promise<number | undefined>;
  /**
   * Moves the account's marker of `target` forward to `time`, never back, and returns the time
   * stored now and whether it moved (a new marker, or a later time: an equal or older one does
   * not, and the spec has the server ignore it). A new marker past `maxPerAccount` of the
   * account's drops its oldest others. deleteAccount forgets the account's markers and
   * everyone's markers whose target is it.
   */
  setReadMarker(account: string, target: string, time: number, maxPerAccount: number): Promise<ReadMarkerSet>;

  // ---- server secrets ----
  /**
   * The secret kept under `name` (case matters), storing `candidate` first when there is none:
   * every node on one database gets the same value, whichever asked first. Never changed or
   * deleted afterwards (the key of SCRAM's made-up salts: src/server/scram-secret.ts).
   */
  serverSecret(name: string, candidate: string): Promise<string>;

  /** Resolves once everything appended so far is written. */
  flush(): Promise<void>;
  /** Flushes, then releases the store; later appends are dropped. */
  close(): Promise<void>;
}
