/**
 * Prometheus metrics (prom-client). Two kinds, because the API and the workers may be separate
 * processes and there may be several of each:
 * - run and stage figures are read from the database when Prometheus scrapes (`collect`), so any
 *   API instance reports the whole installation (aggregate across instances with max(), not sum());
 * - what this API process itself sees is counted in-process: HTTP requests by route and status,
 *   webhook deliveries by event and outcome, and Node's process metrics.
 */
import { sql, type Kysely } from 'kysely';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type Metric } from 'prom-client';
import type { Tables } from '../../schema/tables';
import { ACTIVE_RUN_STATUSES, ENDED_RUN_STATUSES, STAGES, TRIGGERS } from '../core/run';
import { rootLogger } from '../observability/logger';

/** Stage attempts take from milliseconds (receive) to minutes (model calls, retries with backoff). */
export const STAGE_DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];
const RUN_DURATION_BUCKETS = [1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200];
const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

// ---------------------------------------------------------------------------------------------
// In-process: this API process's requests and webhook deliveries.

const processRegistry = new Registry();

const httpRequests = new Counter({
  name: 'testloom_http_requests_total',
  help: 'HTTP requests this API process answered, by method, matched route and status',
  labelNames: ['method', 'route', 'status'] as const,
  registers: [processRegistry],
});

const httpDuration = new Histogram({
  name: 'testloom_http_request_duration_seconds',
  help: 'Time from request to response of this API process, by method, matched route and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: HTTP_DURATION_BUCKETS,
  registers: [processRegistry],
});

const webhookDeliveries = new Counter({
  name: 'testloom_webhook_deliveries_total',
  help: 'GitHub webhook deliveries this API process received, by event and outcome',
  labelNames: ['event', 'outcome'] as const,
  registers: [processRegistry],
});

let processMetricsStarted = false;

/** Counts one answered HTTP request (called by the request middleware when the response is done). */
export function recordHttpRequest(method: string, route: string, status: number, seconds: number): void {
  const labels = { method, route, status: String(status) };
  httpRequests.inc(labels);
  httpDuration.observe(labels, seconds);
}

/**
 * Counts one webhook delivery: `event` is the X-GitHub-Event (`issues`, `issue_comment`, `ping`…),
 * `outcome` what became of it (`started`, `existing`, `signalled`, `cancelled`, `ignored`,
 * `refused`, `failed`; `duplicate` for a redelivery of a delivery id that already started or
 * signalled a run, which acts no more; `invalid` for a malformed payload, `unauthorized` for a
 * bad signature under the event `unverified`).
 */
export function recordWebhookOutcome(event: string, outcome: string): void {
  webhookDeliveries.inc({ event: event || 'unknown', outcome: outcome || 'unknown' });
}

// ---------------------------------------------------------------------------------------------
// From the database, at scrape time.

interface Snapshot {
  runs: { trigger: string; status: string; runs: number }[];
  stageDurations: DurationRow[];
  runDurations: DurationRow[];
}

interface DurationRow {
  labels: Record<string, string>;
  count: number;
  sum: number;
  /** Cumulative counts per bucket upper bound, in bucket order. */
  buckets: number[];
}

function bucketColumns(duration: string, buckets: number[]) {
  return sql.join(buckets.map((le, i) => sql`count(*) filter (where ${sql.raw(duration)} <= ${sql.lit(le)})::int as ${sql.ref(`le${i}`)}`));
}

async function durations(db: Kysely<Tables>, table: 'stage_events' | 'runs', labelColumns: [string, string], buckets: number[], where: string): Promise<DurationRow[]> {
  const [a, b] = labelColumns;
  const duration = table === 'stage_events' ? 'extract(epoch from (ended_at - started_at))' : 'extract(epoch from (finished_at - created_at))';
  const { rows } = await sql<Record<string, unknown>>`
    select ${sql.ref(a)} as l1, ${sql.ref(b)} as l2, count(*)::int as n,
           coalesce(sum(greatest(${sql.raw(duration)}, 0)), 0)::float8 as total,
           ${bucketColumns(duration, buckets)}
    from ${sql.table(table)} where ${sql.raw(where)} group by 1, 2`.execute(db);
  return rows.map((row) => ({
    labels: { [a]: String(row.l1), [b]: String(row.l2) },
    count: Number(row.n),
    sum: Number(row.total),
    buckets: buckets.map((_, i) => Number(row[`le${i}`])),
  }));
}

async function readSnapshot(db: Kysely<Tables>): Promise<Snapshot> {
  const [runs, stageDurations, runDurations] = await Promise.all([
    sql<{ trigger: string; status: string; runs: number }>`select trigger, status, count(*)::int as runs from runs group by 1, 2`.execute(db),
    durations(db, 'stage_events', ['stage', 'outcome'], STAGE_DURATION_BUCKETS, `ended_at is not null and outcome <> 'running'`),
    durations(db, 'runs', ['trigger', 'status'], RUN_DURATION_BUCKETS, 'finished_at is not null'),
  ]);
  return { runs: runs.rows.map((r) => ({ ...r, runs: Number(r.runs) })), stageDurations, runDurations };
}

interface HistogramValue {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}

/**
 * A histogram whose buckets, sum and count come from a query instead of observations. prom-client
 * has no way to set a histogram's buckets, so this is a metric of its own: the registry only needs
 * `name`, `help`, `type`, `aggregator`, `get()` and `reset()`.
 */
class QueriedHistogram {
  readonly type = 'histogram' as const;
  readonly aggregator = 'sum' as const;

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly upperBounds: number[],
    private readonly rows: () => Promise<DurationRow[] | undefined>,
  ) {}

  async get(): Promise<{ name: string; help: string; type: 'histogram'; aggregator: 'sum'; values: HistogramValue[] }> {
    const rows = (await this.rows()) ?? [];
    const values = rows.flatMap((row): HistogramValue[] => [
      ...this.upperBounds.map((le, i) => ({ metricName: `${this.name}_bucket`, labels: { ...row.labels, le }, value: row.buckets[i] ?? 0 })),
      { metricName: `${this.name}_bucket`, labels: { ...row.labels, le: '+Inf' }, value: row.count },
      { metricName: `${this.name}_sum`, labels: row.labels, value: row.sum },
      { metricName: `${this.name}_count`, labels: row.labels, value: row.count },
    ]);
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {}

  asMetric(): Metric {
    return this as unknown as Metric;
  }
}

/** The run and stage metrics of one database, read when scraped; `refresh()` makes the next collection read anew. */
function databaseMetrics(db: Kysely<Tables>): Registry & { refresh(): void } {
  const registry = new Registry() as Registry & { refresh(): void };
  // Every collector of one scrape shares one read of the database.
  let cached: { at: number; snapshot: Promise<Snapshot | undefined> } | undefined;
  registry.refresh = () => {
    cached = undefined;
  };
  const snapshot = (): Promise<Snapshot | undefined> => {
    if (!cached || Date.now() - cached.at > 1_000) {
      cached = {
        at: Date.now(),
        snapshot: readSnapshot(db).catch((err) => {
          rootLogger().warn({ component: 'metrics', err }, 'metrics: reading runs from the database failed');
          return undefined;
        }),
      };
    }
    return cached.snapshot;
  };

  const runsWith = (statuses: readonly string[] | undefined) =>
    async function collect(this: Counter<'trigger'>) {
      const data = await snapshot();
      this.reset();
      if (!data) return;
      for (const trigger of TRIGGERS) this.inc({ trigger }, 0);
      for (const row of data.runs) if (!statuses || statuses.includes(row.status)) this.inc({ trigger: row.trigger }, row.runs);
    };

  const counters: [string, string, readonly string[] | undefined][] = [
    ['testloom_runs_started_total', 'Runs started (every run recorded in the database), by trigger', undefined],
    ['testloom_runs_completed_total', 'Runs that completed, by trigger (from the database)', ['completed']],
    ['testloom_runs_failed_total', 'Runs that failed, by trigger (from the database)', ['failed']],
    ['testloom_runs_cancelled_total', 'Runs that were cancelled, by trigger (from the database)', ['cancelled']],
  ];
  for (const [name, help, statuses] of counters) {
    registry.registerMetric(new Counter({ name, help, labelNames: ['trigger'] as const, registers: [], collect: runsWith(statuses) }));
  }

  registry.registerMetric(new Gauge({
    name: 'testloom_runs_active',
    help: 'Runs queued or running now, by trigger and status (from the database)',
    labelNames: ['trigger', 'status'] as const,
    registers: [],
    async collect() {
      const data = await snapshot();
      this.reset();
      if (!data) return;
      for (const trigger of TRIGGERS) for (const status of ACTIVE_RUN_STATUSES) this.set({ trigger, status }, 0);
      for (const row of data.runs) if (row.status === 'queued' || row.status === 'running') this.set({ trigger: row.trigger, status: row.status }, row.runs);
    },
  }));

  registry.registerMetric(new QueriedHistogram(
    'testloom_stage_duration_seconds',
    `Duration of each finished stage attempt, by stage (${STAGES.join(', ')}) and outcome (from the database)`,
    STAGE_DURATION_BUCKETS,
    async () => (await snapshot())?.stageDurations,
  ).asMetric());

  registry.registerMetric(new QueriedHistogram(
    'testloom_run_duration_seconds',
    `Time from start to end of finished runs, by trigger and status (${ENDED_RUN_STATUSES.join(', ')}) (from the database)`,
    RUN_DURATION_BUCKETS,
    async () => (await snapshot())?.runDurations,
  ).asMetric());

  registry.registerMetric(new Gauge({
    name: 'testloom_metrics_database_up',
    help: '1 when the run and stage metrics could be read from the database at this scrape, 0 when not (they are left out then)',
    registers: [],
    async collect() {
      this.set((await snapshot()) ? 1 : 0);
    },
  }));
  return registry;
}

export interface ApiMetrics {
  contentType: string;
  /** The Prometheus text of one scrape: this process's counters plus the database's figures, read now. */
  scrape(): Promise<string>;
}

/** Everything /metrics shows for an API serving `db`. */
export function apiMetrics(db: Kysely<Tables>): ApiMetrics {
  if (!processMetricsStarted) {
    processMetricsStarted = true;
    collectDefaultMetrics({ register: processRegistry });
  }
  const database = databaseMetrics(db);
  const merged = Registry.merge([processRegistry, database]);
  return {
    contentType: merged.contentType,
    scrape: () => {
      database.refresh();
      return merged.metrics();
    },
  };
}
