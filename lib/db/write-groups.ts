/**
 * Group commit for small writes that arrive together. Writes asked for while the database is busy
 * wait and go in the next statement, all at once: under load one statement (and one commit) serves
 * many callers, and a write asked for alone goes at the next turn of the event loop. Each caller
 * is answered when the statement that carried its write has committed, as if it had written alone.
 *
 * One statement never carries two writes with the same key (an `INSERT … ON CONFLICT DO UPDATE`
 * cannot touch a row twice): the second waits for the next group, and writes of one key keep their
 * order. Nor more than `maxWeight` (bytes, say), unless one write alone weighs more: a statement
 * stays far below Postgres' 1 GB message limit. When a group's statement fails, each of its writes
 * is tried alone, so one bad write (text the database cannot store) fails only its own caller.
 */
export class WriteGroups<Item, Result> {
  private waiting: { item: Item; weight: number; resolve: (result: Result) => void; reject: (err: unknown) => void }[] = [];
  private busy = false;

  /**
   * @param writeAll one statement for the whole group; its results in the order of `items`.
   * @param keyOf what makes two writes touch the same row.
   */
  constructor(
    private readonly writeAll: (items: Item[]) => Promise<Result[]>,
    private readonly keyOf: (item: Item) => string,
    private readonly limits: { maxGroup: number; maxWeight: number } = { maxGroup: 200, maxWeight: 4 * 1024 * 1024 },
  ) {}

  /** `weight`: what the write adds to its statement, in the unit of `maxWeight`. */
  write(item: Item, weight = 0): Promise<Result> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, weight, resolve, reject });
      if (this.busy) return;
      this.busy = true;
      // After the I/O callbacks of this turn: requests parsed in the same turn join the group.
      setImmediate(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.waiting.length) await this.writeGroup(this.takeGroup());
    } finally {
      this.busy = false;
    }
  }

  private takeGroup(): typeof this.waiting {
    const group: typeof this.waiting = [];
    const keys = new Set<string>();
    const later: typeof this.waiting = [];
    let weight = 0;
    for (const entry of this.waiting) {
      const key = this.keyOf(entry.item);
      const fits = group.length === 0 || (group.length < this.limits.maxGroup && weight + entry.weight <= this.limits.maxWeight);
      if (fits && !keys.has(key)) {
        weight += entry.weight;
        group.push(entry);
      } else later.push(entry);
      // A key passed over now is passed over for the rest of this group too: its writes keep their order.
      keys.add(key);
    }
    this.waiting = later;
    return group;
  }

  private async writeGroup(group: typeof this.waiting): Promise<void> {
    try {
      const results = await this.writeAll(group.map((entry) => entry.item));
      group.forEach((entry, i) => entry.resolve(results[i]));
    } catch (err) {
      if (group.length === 1) return group[0].reject(err);
      for (const entry of group) {
        try {
          entry.resolve((await this.writeAll([entry.item]))[0]);
        } catch (alone) {
          entry.reject(alone);
        }
      }
    }
  }
}
