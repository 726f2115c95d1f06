// Read markers (IRCv3 draft/read-marker) for MemoryStore: how far each account has read each
// conversation. Answers as the SQLite and PostgreSQL ones do (test/contracts/store.test.ts).
import type { ReadMarkerSet } from './store.ts';

export class MemoryReadMarkers {
  /** folded account → folded target → time (ms), in the order they were first set. */
  private readonly byAccount = new Map<string, Map<string, number>>();

  get(account: string, target: string): number | undefined {
    return this.byAccount.get(account)?.get(target);
  }

  /** Moves the marker forward only; a new one beyond `maxPerAccount` drops the account's oldest. */
  set(account: string, target: string, time: number, maxPerAccount: number): ReadMarkerSet {
    let markers = this.byAccount.get(account);
    if (!markers) this.byAccount.set(account, (markers = new Map()));
    const current = markers.get(target);
    if (current !== undefined) {
      if (time <= current) return { time: current, moved: false };
      markers.set(target, time);
      return { time, moved: true };
    }
    markers.set(target, time);
    if (markers.size > maxPerAccount) {
      const others = [...markers].filter(([t]) => t !== target).sort(([ta, a], [tb, b]) => b - a || (ta < tb ? -1 : 1));
      for (const [old] of others.slice(Math.max(0, maxPerAccount - 1))) markers.delete(old);
    }
    return { time, moved: true };
  }

  /** The account's own markers, and everyone's about a private conversation with it. */
  forget(account: string): void {
    this.byAccount.delete(account);
    for (const markers of this.byAccount.values()) markers.delete(account);
  }
}
