import { Writable } from 'node:stream';
import { createLogger, setRootLogger, type Logger } from '../../lib/observability/logger';
import { apiRequest, createHarness, PETSTORE, waitForRunEnd, type Harness } from '../support/harness';
import { uniqueRepository } from '../support/retrieval';

const REPO = uniqueRepository('logged');
const TOKEN = 'tl-secret-token-0123456789abcdef';

type Line = Record<string, any>;

/** Every JSON line the process logs while this file runs, parsed. */
class Capture extends Writable {
  readonly raw: string[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.raw.push(chunk.toString('utf8'));
    done();
  }
  lines(): Line[] {
    return this.raw.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Line);
  }
}

describe('structured JSON logs', () => {
  const capture = new Capture();
  let previous: Logger | undefined;
  let harness: Harness;

  beforeAll(async () => {
    // Before the harness: the API's request logger binds to the root logger when the app is built.
    previous = setRootLogger(createLogger({ level: 'debug', destination: capture }));
    harness = await createHarness({ database: 'pglite', chromaUrl: 'off' });
    await harness.startWorker();
  });
  afterAll(async () => {
    await harness?.close();
    if (previous) setRootLogger(previous);
  });

  it('logs each stage attempt with run id, workflow id and stage, and each request with its id, secrets redacted', async () => {
    const started = await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { path: PETSTORE }, repository: REPO }, {
      authorization: `Bearer ${TOKEN}`,
      'x-request-id': 'req-logs-test-1',
    });
    expect(started.status).toBe(202);
    expect(started.headers.get('x-request-id')).toBe('req-logs-test-1');
    const run = await waitForRunEnd(harness, started.body.runId);
    expect(run.status).toBe('completed');
    const lines = capture.lines();

    const stageLines = lines.filter((l) => l.runId === run.id && typeof l.stage === 'string');
    for (const stage of ['receive', 'retrieve', 'generate', 'commit', 'createPr', 'finalize']) {
      const [begin, end] = ['stage started', 'stage succeeded'].map((msg) => stageLines.find((l) => l.stage === stage && l.msg === msg));
      expect(begin).toMatchObject({ level: 'info', runId: run.id, workflowId: started.body.workflowId, stage, attempt: 1, activityType: stage });
      expect(end).toMatchObject({ level: 'info', runId: run.id, workflowId: started.body.workflowId, stage, outcome: 'succeeded' });
      expect(typeof end!.durationMs).toBe('number');
    }

    const request = lines.find((l) => l.reqId === 'req-logs-test-1' || l.req?.id === 'req-logs-test-1');
    expect(request).toMatchObject({
      level: 'info',
      route: '/api/v1/runs',
      req: { id: 'req-logs-test-1', method: 'POST', headers: { authorization: '[redacted]' } },
      res: { statusCode: 202 },
    });
    expect(typeof request!.responseTime).toBe('number');
    expect(capture.raw.join('')).not.toContain(TOKEN);

    // The Temporal SDK logs through the same logger; its routine output (worker state changes)
    // sits at debug, so an info log stays quiet.
    expect(lines.filter((l) => l.component === 'temporal' && l.msg === 'Worker state changed')).toContainEqual(
      expect.objectContaining({ level: 'debug', sdkComponent: 'worker', state: 'RUNNING', taskQueue: harness.config.temporal.taskQueues.io }),
    );
    expect(lines.filter((l) => l.component === 'temporal' && l.level === 'info')).toEqual([]);
    // Its llm and execute workers run activities only, by design: the SDK's warning about that is debug too.
    const noWorkflows = lines.filter((l) => l.component === 'temporal' && l.msg === 'No workflows registered, not polling for workflow tasks');
    expect(noWorkflows.map((l) => [l.level, l.taskQueue]).sort()).toEqual(
      [['debug', harness.config.temporal.taskQueues.execute], ['debug', harness.config.temporal.taskQueues.llm]].sort(),
    );
    expect(lines.filter((l) => l.component === 'temporal' && l.level === 'warn')).toEqual([]);
  });

  it('gives a request without an id a fresh one, and binds a GitHub delivery id to the request logger', async () => {
    const plain = await apiRequest(harness, 'GET', '/api/v1/runs?limit=1');
    const generated = plain.headers.get('x-request-id');
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    const delivered = await apiRequest(harness, 'GET', '/api/v1/runs?limit=2', undefined, { 'x-github-delivery': 'd3a1c0de-0000-4000-8000-000000000001' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const lines = capture.lines();
    expect(lines.find((l) => l.req?.id === generated)).toMatchObject({ route: '/api/v1/runs', res: { statusCode: 200 } });
    const line = lines.find((l) => l.req?.id === delivered.headers.get('x-request-id'));
    expect(line).toMatchObject({ deliveryId: 'd3a1c0de-0000-4000-8000-000000000001', route: '/api/v1/runs' });
  });
});
