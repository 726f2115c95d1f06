import type { Store, StoredMessage } from './store.ts';

/** Keeps the last `perTarget` messages of each target in memory. */
export class MemoryStore implements Store {
  private readonly byTarget = new Map<string, StoredMessage[]>();

  constructor(private readonly perTarget = 200) {}

  appendMessage(message: StoredMessage): void {
    let list = this.byTarget.get(message.target);
    if (!list) this.byTarget.set(message.target, (list = []));
    list.push(message);
    if (list.length > this.perTarget * 2) list.splice(0, list.length - this.perTarget);
  }

  async recentMessages(target: string, limit: number): Promise<StoredMessage[]> {
    const list = this.byTarget.get(target) ?? [];
    return list.slice(Math.max(0, list.length - Math.min(limit, this.perTarget)));
  }

  async close(): Promise<void> {
    this.byTarget.clear();
  }
}
