/**
 * The webhook inbox: handles the deliveries the receiver stored as `accepted`, so GitHub's request
 * is answered without waiting on the repository host or Temporal, and a delivery outlives a
 * restart or a Temporal outage. Runs in every API process; deliveries are claimed with a lease
 * (`FOR UPDATE SKIP LOCKED`), so processes sharing a database never take the same one at once.
 * Handling is idempotent (fixed workflow ids), so a delivery claimed again after a crash acts once.
 */
import type { WebhookDeliveryRow } from '../../schema/tables';
import { claimDeliveries, finishDeliveries, purgeDeliveries, releaseDeliveries, retryDeliveryLater, type DeliveryFinish } from '../db/deliveries';
import { WriteGroups } from '../db/write-groups';
import { recordWebhookOutcome } from '../monitoring/metrics';
import { rootLogger } from '../observability/logger';
import type { WebhookDeps } from './delivery';
import { handleDelivery, MalformedPayloadError, type RunsSeen } from './handle-delivery';

export interface InboxOptions {
  /** Deliveries claimed at a time; those of one issue are handled in order, different issues side by side. */
  batchSize?: number;
  /**
   * Deliveries handled at once. Kept low: handling shares the process (and an embedded database)
   * with the receiver, whose answers must stay fast while a burst is worked off.
   */
  concurrency?: number;
  /** How long a claim keeps other processes off a delivery. */
  leaseMs?: number;
  /** How often the database is looked at when nothing woke the inbox (deliveries other processes stored, retries due). */
  pollMs?: number;
  /** Attempts before a delivery is given up as `failed`. */
  maxAttempts?: number;
  /** The wait before attempt `attempt + 1`. */
  retryDelayMs?: (attempt: number) => number;
  /** How long a handled (or ignored, or failed) delivery's record is kept; 0 keeps them all. */
  retentionMs?: number;
  /** How often records past `retentionMs` are deleted. */
  purgeEveryMs?: number;
}

const DEFAULTS: Required<InboxOptions> = {
  batchSize: 32,
  concurrency: 4,
  leaseMs: 60_000,
  pollMs: 2_000,
  // Doubling from 1 s up to 5 minutes: about an hour and a half of a Temporal outage is ridden out.
  maxAttempts: 25,
  retryDelayMs: (attempt) => Math.min(1_000 * 2 ** (attempt - 1), 300_000),
  // GitHub keeps its own delivery log for 3 days (redeliveries included); a month answers "what became of it?" well past that.
  retentionMs: 30 * 24 * 3_600_000,
  purgeEveryMs: 3_600_000,
};

const LEAVES_RUNS_AS_THEY_ARE = new Set<string | undefined>(['started', 'existing', 'ignored', 'refused', 'commented']);

export class WebhookInbox {
  private readonly options: Required<InboxOptions>;
  private readonly log = rootLogger().child({ component: 'webhook-inbox' });
  private running?: Promise<void>;
  /** The batch being handled, if any. */
  private handling?: Promise<void>;
  private stopped = false;
  private woken = false;
  private wakeSleeper?: () => void;
  private lastPurge = 0;
  /** Outcomes of deliveries handled side by side are written in one statement. */
  private readonly finished: WriteGroups<DeliveryFinish, undefined>;

  constructor(private readonly deps: WebhookDeps, options: InboxOptions = {}) {
    this.options = { ...DEFAULTS, ...options };
    this.finished = new WriteGroups(async (finishes) => {
      await finishDeliveries(deps.db, finishes);
      return finishes.map(() => undefined);
    }, (finish) => finish.id);
  }

  start(): void {
    this.running ??= this.loop();
  }

  /** A delivery was just stored: look now instead of at the next poll. */
  wake(): void {
    this.woken = true;
    this.wakeSleeper?.();
  }

  /**
   * Stops claiming; resolves once the deliveries in hand are handled, or after `graceMs` (a
   * database or Temporal that does not answer): what is left in hand is claimed again when its lease ends.
   */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopped = true;
    this.wake();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.handling, new Promise<void>((resolve) => { timer = setTimeout(resolve, graceMs); })]);
    clearTimeout(timer);
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      this.woken = false;
      // Before claiming, so no lease runs out while old records are deleted.
      await this.purgeWhenDue();
      if (this.stopped) break;
      let claimed: WebhookDeliveryRow[] = [];
      try {
        claimed = await claimDeliveries(this.deps.db, this.options.batchSize, this.options.leaseMs);
      } catch (err) {
        if (!this.stopped) this.log.warn({ err }, 'webhook inbox: claiming deliveries failed');
      }
      if (this.stopped) break;
      if (claimed.length) {
        this.handling = this.handleBatch(claimed);
        await this.handling;
        this.handling = undefined;
      } else if (!this.woken) {
        await this.sleep(this.options.pollMs);
      }
    }
  }

  /** Deletes the records of deliveries handled longer ago than the retention, a batch at a time. */
  private async purgeWhenDue(): Promise<void> {
    const { retentionMs, purgeEveryMs } = this.options;
    if (retentionMs <= 0 || Date.now() - this.lastPurge < purgeEveryMs) return;
    this.lastPurge = Date.now();
    try {
      const before = new Date(Date.now() - retentionMs);
      let purged = 0;
      let batch: number;
      do {
        batch = await purgeDeliveries(this.deps.db, before);
        purged += batch;
      } while (batch > 0 && !this.stopped);
      if (purged) this.log.info({ purged, before }, 'webhook inbox: deleted the records of old deliveries');
    } catch (err) {
      if (!this.stopped) this.log.warn({ err }, 'webhook inbox: deleting old delivery records failed (tried again at the next purge)');
    }
  }

  private async sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeSleeper = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wakeSleeper = undefined;
  }

  /** Deliveries about one issue (or one push, one pull request) in the order received; different ones side by side. */
  private async handleBatch(rows: WebhookDeliveryRow[]): Promise<void> {
    const queues = new Map<string, WebhookDeliveryRow[]>();
    for (const row of rows) {
      const key = row.repository && row.issueNumber !== null ? `${row.repository}#${row.issueNumber}` : row.id;
      queues.set(key, [...(queues.get(key) ?? []), row]);
    }
    const pending = [...queues.values()];
    const lanes = Array.from({ length: Math.min(this.options.concurrency, pending.length) }, async () => {
      for (let queue = pending.shift(); queue; queue = pending.shift()) {
        const seen: RunsSeen = new Map();
        for (const [index, row] of queue.entries()) {
          const outcome = await this.handle(row, seen);
          if (outcome === undefined) {
            // To be retried: the later deliveries about this issue wait for it (claimDeliveries keeps them back).
            await releaseDeliveries(this.deps.db, queue.slice(index + 1).map((later) => later.id)).catch((err: unknown) => {
              this.log.warn({ err }, 'webhook inbox: giving deliveries back failed (their lease ends)');
            });
            break;
          }
          // A cancel or regenerate (or a failure) changes what runs: the next start asks Temporal again.
          if (!LEAVES_RUNS_AS_THEY_ARE.has(outcome)) seen.clear();
        }
      }
    });
    await Promise.all(lanes);
  }

  /** Handles one claimed delivery; returns the outcome it recorded (undefined when it will be retried). */
  private async handle(row: WebhookDeliveryRow, seen: RunsSeen): Promise<string | undefined> {
    const { db } = this.deps;
    try {
      if (!row.payload) throw new MalformedPayloadError('the stored delivery has no payload');
      const result = await handleDelivery(this.deps, row.event, row.payload, seen);
      await this.finished.write({ id: row.id, ...result });
      recordWebhookOutcome(row.event, result.outcome);
      return result.outcome;
    } catch (err) {
      const message = (err as Error).message;
      const final = err instanceof MalformedPayloadError || row.attempts >= this.options.maxAttempts;
      this.log.warn({ err, delivery: row.id, event: row.event, attempt: row.attempts, final }, 'webhook inbox: handling a delivery failed');
      try {
        if (final) {
          await this.finished.write({ id: row.id, outcome: 'failed', reason: `attempt ${row.attempts}: ${message}` });
          recordWebhookOutcome(row.event, 'failed');
          return 'failed';
        } else {
          await retryDeliveryLater(db, row.id, this.options.retryDelayMs(row.attempts), `attempt ${row.attempts} failed, will retry: ${message}`);
        }
      } catch (writeErr) {
        // Its lease runs out and the delivery is claimed again.
        this.log.warn({ err: writeErr, delivery: row.id }, 'webhook inbox: recording a failed attempt failed');
      }
      return undefined;
    }
  }
}
