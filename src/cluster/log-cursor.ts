// Where a node stands in the network's ordered log (issue 18; docs/architecture.md). Every
// entry carries the position the log gave it — contiguous integers, so that a missing one can
// be told from a late one — the epoch of the node that wrote it, and the log's time. A node
// applies entries strictly in order: one at or below its position is a duplicate and ignored,
// one beyond the next position means entries were lost and the node must resync (from a
// snapshot and the log after it) rather than diverge; entries written by a node declared dead
// in that epoch are passed over, on every node alike.

export interface LogEntry<E> {
  /** 1 for the first entry ever appended, then each next integer. */
  readonly position: number;
  /** The writer's epoch: a node that was declared dead comes back under a new one. */
  readonly epoch: string;
  /** Milliseconds, from the log: the time people see (server-time, msgids, history). */
  readonly time: number;
  /** The writer's own number for the entry (its pending commit), or 0. */
  readonly ref: number;
  readonly event: E;
}

/** What to do with an entry read from the log. */
export type CursorVerdict = 'apply' | 'duplicate' | 'gap' | 'dead-epoch';

export class LogCursor {
  private applied: number;

  /**
   * `position`: the last position already reflected (0 for an empty log, or a snapshot's).
   * `deadEpochs`: the set of dead epochs to read — a node passes its network state's own, which
   * its reducer keeps (node.down), so that there is one set, not two kept in step.
   */
  constructor(
    position = 0,
    private readonly deadEpochs = new Set<string>(),
  ) {
    if (!Number.isSafeInteger(position) || position < 0) throw new RangeError(`Invalid log position: ${position}`);
    this.applied = position;
  }

  /** The last position applied (or passed over). */
  get position(): number {
    return this.applied;
  }

  /**
   * The verdict on the next entry read. 'apply' and 'dead-epoch' move the cursor past it (a
   * dead epoch's entry is a no-op everywhere, but its position is used up); 'duplicate' and
   * 'gap' leave the cursor where it is.
   */
  check(entry: Pick<LogEntry<unknown>, 'position' | 'epoch'>): CursorVerdict {
    if (entry.position <= this.applied) return 'duplicate';
    if (entry.position !== this.applied + 1) return 'gap';
    this.applied = entry.position;
    return this.deadEpochs.has(entry.epoch) ? 'dead-epoch' : 'apply';
  }

  /** After a `node.down` for this epoch is applied: what it wrote later is passed over. */
  markEpochDead(epoch: string): void {
    this.deadEpochs.add(epoch);
  }

  isEpochDead(epoch: string): boolean {
    return this.deadEpochs.has(epoch);
  }

  /**
   * After loading a snapshot taken at `position`: with `deadEpochs`, the ones it records replace
   * those known; without, the set is left as it is (a shared one the snapshot has refilled).
   */
  resetTo(position: number, deadEpochs?: Iterable<string>): void {
    if (!Number.isSafeInteger(position) || position < 0) throw new RangeError(`Invalid log position: ${position}`);
    this.applied = position;
    if (deadEpochs === undefined) return;
    const given = [...deadEpochs];
    this.deadEpochs.clear();
    for (const epoch of given) this.deadEpochs.add(epoch);
  }
}
