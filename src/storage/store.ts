// Persistence seam. The in-memory implementation serves tests and the first releases;
// a SQLite implementation comes with accounts and history.

export interface StoredMessage {
  msgid: string;
  /** Folded channel name, or the folded nick of the recipient for private messages. */
  target: string;
  time: number;
  /** nick!user@host of the sender. */
  source: string;
  command: 'PRIVMSG' | 'NOTICE';
  text: string;
}

export interface Store {
  /** Record a message. Must not block the caller: implementations batch or defer writes. */
  appendMessage(message: StoredMessage): void;
  /** The newest messages for a target, oldest first. */
  recentMessages(target: string, limit: number): Promise<StoredMessage[]>;
  close(): Promise<void>;
}
