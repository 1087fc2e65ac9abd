/**
 * A later execution with a test budget, end to end: the run's execute stage stores the first
 * execution; `POST /runs/:id/execute` with a budget orders the suite from that history (read from
 * the database), runs only the top of the list through the real worker and Jest, and records the
 * rest as skipped.
 */
import { apiRequest, createHarness, waitForRunEnd, type Harness } from '../support/harness';
import { uniqueRepository } from '../support/retrieval';
import { INVENTORY_SPEC, startInventoryApi, type InventoryServer } from '../execution/support/inventory-api';

const SPEC = (() => {
  const spec = JSON.parse(JSON.stringify(INVENTORY_SPEC));
  spec.paths['/items/{itemId}'].get.parameters[0].example = 1;
  return JSON.stringify(spec, null, 2);
})();

describe('a prioritised later execution with a budget (real worker, database and Jest)', () => {
  let harness: Harness;
  let api: InventoryServer;

  beforeAll(async () => {
    api = await startInventoryApi({ strictBodies: true });
    harness = await createHarness({ database: 'pglite', chromaUrl: 'off' });
    await harness.startWorker();
  });
  afterAll(async () => {
    await harness?.close();
    await api?.close();
  });

  it('learns the order from the stored executions and runs only the budget', async () => {
    const repository = uniqueRepository('prioritised');
    const target = { baseUrl: api.baseUrl, allowedMethods: ['POST', 'DELETE'] };
    const started = await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { content: SPEC }, name: 'inventory', repository, target });
    const run = await waitForRunEnd(harness, started.body.runId, 180_000);
    expect(run.status).toBe('completed');
    const delivered = run.result.execution.tests as number;

    const requested = await apiRequest(harness, 'POST', `/api/v1/runs/${run.id}/execute`, { target, budget: 3 });
    expect(requested.status).toBe(202);
    const summary = await harness.client.workflow.getHandle(requested.body.workflowId).result();
    expect(summary).toMatchObject({ status: 'executed' });
    const execution = (await apiRequest(harness, 'GET', `/api/v1/runs/${run.id}/executions/${requested.body.executionId}`)).body;
    expect(execution.report.prioritisation).toMatchObject({ selected: 3, budget: 3, failFast: false, cut: ['budget'], historyExecutions: 1 });
    expect(execution.report.prioritisation.order.length).toBeGreaterThanOrEqual(3);
    const outcomes = (execution.report.tests as { stability: string }[]).map((test) => test.stability);
    expect(outcomes.filter((stability) => stability !== 'skipped')).toHaveLength(3);
    expect(outcomes.length).toBeGreaterThanOrEqual(delivered);
  });
});
