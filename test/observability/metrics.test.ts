import path from 'node:path';
import { recordWebhookOutcome, STAGE_DURATION_BUCKETS } from '../../lib/monitoring/metrics';
import { apiRequest, createHarness, PETSTORE, waitForRunEnd, type Harness } from '../support/harness';
import { uniqueRepository } from '../support/retrieval';

const REPO = uniqueRepository('metered');
const BROKEN = path.resolve(__dirname, '../fixtures/specs/broken-ref.yaml');

/** The samples of a Prometheus text exposition: `name{labels}` → value. */
function parse(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

async function scrape(harness: Harness) {
  const response = await fetch(`${harness.api.url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await response.text();
  return { text, samples: parse(text) };
}

describe('GET /metrics', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await createHarness({ database: 'pglite', chromaUrl: 'off' });
    await harness.startWorker();
  });
  afterAll(() => harness?.close());

  it('shows runs by trigger and outcome, and stage durations, read from the database', async () => {
    const before = (await scrape(harness)).samples;
    expect(before.get('testloom_runs_started_total{trigger="spec"}')).toBe(0);
    expect(before.get('testloom_metrics_database_up')).toBe(1);

    const good = await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { path: PETSTORE }, repository: REPO });
    const bad = await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { path: BROKEN }, repository: REPO });
    expect((await waitForRunEnd(harness, good.body.runId)).status).toBe('completed');
    expect((await waitForRunEnd(harness, bad.body.runId)).status).toBe('failed');

    const { text, samples } = await scrape(harness);
    expect(samples.get('testloom_runs_started_total{trigger="spec"}')).toBe(2);
    expect(samples.get('testloom_runs_completed_total{trigger="spec"}')).toBe(1);
    expect(samples.get('testloom_runs_failed_total{trigger="spec"}')).toBe(1);
    expect(samples.get('testloom_runs_cancelled_total{trigger="spec"}')).toBe(0);
    expect(samples.get('testloom_runs_started_total{trigger="issue"}')).toBe(0);
    expect(samples.get('testloom_runs_active{trigger="spec",status="running"}')).toBe(0);
    expect(text).toContain('# TYPE testloom_runs_completed_total counter');
    expect(text).toContain('# TYPE testloom_stage_duration_seconds histogram');

    // One successful attempt of every stage, one failed receive.
    for (const stage of ['receive', 'retrieve', 'generate', 'commit', 'createPr', 'finalize']) {
      const labels = `stage="${stage}",outcome="succeeded"`;
      expect(samples.get(`testloom_stage_duration_seconds_count{${labels}}`)).toBe(1);
      expect(samples.get(`testloom_stage_duration_seconds_bucket{${labels},le="+Inf"}`)).toBe(1);
      const sum = samples.get(`testloom_stage_duration_seconds_sum{${labels}}`)!;
      expect(sum).toBeGreaterThanOrEqual(0);
      expect(sum).toBeLessThan(120);
      // Buckets are cumulative and end at the count.
      const buckets = STAGE_DURATION_BUCKETS.map((le) => samples.get(`testloom_stage_duration_seconds_bucket{${labels},le="${le}"}`)!);
      expect(buckets.every((n, i) => n >= (buckets[i - 1] ?? 0) && n <= 1)).toBe(true);
      expect(buckets[buckets.length - 1]).toBe(1);
    }
    expect(samples.get('testloom_stage_duration_seconds_count{stage="receive",outcome="failed"}')).toBe(1);
    expect(samples.get('testloom_run_duration_seconds_count{trigger="spec",status="completed"}')).toBe(1);
    expect(samples.get('testloom_run_duration_seconds_count{trigger="spec",status="failed"}')).toBe(1);

    // What this API process saw itself: requests by matched route (ids stay out of the labels).
    expect(samples.get('testloom_http_requests_total{method="POST",route="/api/v1/runs",status="202"}')).toBe(2);
    expect(samples.get('testloom_http_requests_total{method="GET",route="/api/v1/runs/:id",status="200"}')).toBeGreaterThanOrEqual(2);
    expect(text).not.toContain(good.body.runId);
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('counts webhook deliveries by event and outcome, and unmatched routes under one label', async () => {
    recordWebhookOutcome('issues', 'started');
    recordWebhookOutcome('issues', 'started');
    recordWebhookOutcome('ping', 'ignored');
    await apiRequest(harness, 'GET', '/api/v1/nowhere/42');
    const { samples } = await scrape(harness);
    expect(samples.get('testloom_webhook_deliveries_total{event="issues",outcome="started"}')).toBe(2);
    expect(samples.get('testloom_webhook_deliveries_total{event="ping",outcome="ignored"}')).toBe(1);
    expect(samples.get('testloom_http_requests_total{method="GET",route="unmatched",status="404"}')).toBe(1);
  });
});
