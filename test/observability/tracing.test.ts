import path from 'node:path';
import { SpanKind } from '@opentelemetry/api';
import { Worker } from '@temporalio/worker';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startTracing, type Tracing } from '../../lib/observability/tracing';
import { apiRequest, createHarness, PETSTORE, waitForRunEnd, type Harness } from '../support/harness';
import { uniqueRepository } from '../support/retrieval';

const REPO = uniqueRepository('traced');

/** Spans the workflow sandbox hands to the sink arrive shortly after the workflow task that ended them. */
async function waitForSpans(exporter: InMemorySpanExporter, done: (spans: ReadableSpan[]) => boolean, timeoutMs = 15_000): Promise<ReadableSpan[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const spans = exporter.getFinishedSpans();
    if (done(spans)) return spans;
    if (Date.now() > deadline) throw new Error(`spans did not arrive; have: ${spans.map((s) => s.name).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('OpenTelemetry traces: HTTP request → workflow → every activity', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  let harness: Harness;

  beforeAll(async () => {
    tracing = startTracing({ serviceName: 'testloom-test', exporter });
    harness = await createHarness({ database: 'pglite' });
    await harness.startWorker();
  });
  afterAll(async () => {
    await harness?.close();
    await tracing?.shutdown();
  });

  it('puts the HTTP server span, the workflow and each stage activity of a run under one trace id', async () => {
    const started = await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { path: PETSTORE }, repository: REPO });
    expect(started.status).toBe(202);
    const run = await waitForRunEnd(harness, started.body.runId);
    expect(run.status).toBe('completed');

    const spans = await waitForSpans(exporter, (all) => all.some((s) => s.name === 'RunWorkflow:generateTests' && s.attributes.runId === run.id));
    const server = spans.find((s) => s.kind === SpanKind.SERVER && s.attributes['http.method'] === 'POST' && s.attributes['http.route'] === '/api/v1/runs');
    expect(server).toBeDefined();
    expect(server!.name).toBe('POST /api/v1/runs');
    expect(server!.attributes['http.status_code']).toBe(202);
    expect(server!.parentSpanId).toBeUndefined(); // the request started the trace
    const traceId = server!.spanContext().traceId;

    const inTrace = spans.filter((s) => s.spanContext().traceId === traceId);
    const names = inTrace.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining([
      'POST /api/v1/runs',
      'StartWorkflow:generateTests',
      'RunWorkflow:generateTests',
      ...['receive', 'retrieve', 'generate', 'commit', 'createPr', 'indexRunCases', 'finalize'].flatMap((stage) => [`StartActivity:${stage}`, `RunActivity:${stage}`]),
    ]));

    // Parent links: request → start → workflow run → scheduled activity → activity attempt.
    const byId = new Map(inTrace.map((s) => [s.spanContext().spanId, s]));
    const parentName = (s: ReadableSpan) => (s.parentSpanId ? byId.get(s.parentSpanId)?.name : undefined);
    const named = (name: string) => inTrace.find((s) => s.name === name)!;
    expect(parentName(named('StartWorkflow:generateTests'))).toBe('POST /api/v1/runs');
    expect(parentName(named('RunWorkflow:generateTests'))).toBe('StartWorkflow:generateTests');
    expect(parentName(named('StartActivity:receive'))).toBe('RunWorkflow:generateTests');
    expect(parentName(named('RunActivity:receive'))).toBe('StartActivity:receive');

    // Every activity span of the run is in this trace, and carries the run's ids.
    const activitySpans = spans.filter((s) => s.name.startsWith('RunActivity:') && s.attributes.run_id === run.id);
    expect(activitySpans.length).toBeGreaterThanOrEqual(7);
    for (const span of activitySpans) {
      expect(span.spanContext().traceId).toBe(traceId);
      expect(span.attributes.temporalWorkflowId).toBe(started.body.workflowId);
    }
    expect(server!.resource.attributes['service.name']).toBe('testloom-test');
  });

  it('leaves workflows replayable without the tracing interceptors (a worker with tracing off)', async () => {
    // The run above was recorded by a worker whose bundle has the interceptors (the test bundle).
    const { body: runs } = await apiRequest(harness, 'GET', `/api/v1/runs?repository=${encodeURIComponent(REPO)}`);
    const run = runs.runs[0];
    const history = await harness.client.workflow.getHandle(run.workflowId, run.id).fetchHistory();
    const bundleWithout = { workflowsPath: path.resolve(__dirname, '../../workflows/index.ts') };
    await expect(Worker.runReplayHistory(bundleWithout, history, run.workflowId)).resolves.toBeUndefined();
  });

  it('does not trace health checks and metric scrapes', async () => {
    exporter.reset();
    await apiRequest(harness, 'GET', '/api/health');
    expect((await fetch(`${harness.api.url}/metrics`)).status).toBe(200);
    await apiRequest(harness, 'GET', '/api/v1/runs');
    const servers = exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.SERVER);
    expect(servers.map((s) => s.name)).toEqual(['GET /api/v1/runs']);
  });
});
