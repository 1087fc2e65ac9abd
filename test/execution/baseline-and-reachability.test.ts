/**
 * What an execution may conclude: cases derived from an operation's baseline (its happy path) are
 * withheld when that baseline fails — their outcome proves nothing — and an API that answers none
 * of the baseline requests ends the execution instead of delivering unverified tests.
 */
import net from 'node:net';
import path from 'node:path';
import { generateSpecSuite, type GeneratedSuite } from '../../lib/generation';
import { executeSuite } from '../../lib/execution/execute-suite';
import { ApiUnreachableError } from '../../lib/execution/reachability';
import { suiteCases } from '../../lib/execution/suite-cases';
import { INVENTORY_SPEC, startInventoryApi } from './support/inventory-api';

const OUT_DIR = 'tests/testloom/inventory';
const FILE = `${OUT_DIR}/untagged.test.ts`;

function generated(): GeneratedSuite {
  return generateSpecSuite({ api: INVENTORY_SPEC, specId: 'inventory', outDir: OUT_DIR });
}

function execute(suite: GeneratedSuite, baseUrl: string) {
  const cases = suiteCases(suite.cases.map((c) => ({ caseId: c.id, kind: c.kind, title: c.title, operationId: c.operationId, file: path.posix.relative(OUT_DIR, c.file) })), OUT_DIR, 'jest');
  return executeSuite({ files: suite.artifacts, api: INVENTORY_SPEC, target: { baseUrl, allowedMethods: ['POST', 'DELETE'] }, cases, runs: 1, healRounds: 0 });
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('judging a suite by its baselines', () => {
  it('withholds what derives from a failing baseline, passed or failed, and tests whose setup step failed', async () => {
    const api = await startInventoryApi({ readOnlyStore: true });
    try {
      const suite = generated();
      const { summary, decisions } = await execute(suite, api.baseUrl);
      const createItem = suite.cases.filter((c) => c.operationId === 'createItem' && ['missing-required', 'wrong-type', 'boundary', 'at-boundary'].includes(c.kind));
      const withheld = new Map((summary.baselineFailed ?? []).map((b) => [b.fullName, b]));
      // Every case that changes one thing in createItem's request: the 4xx ones "passed" (every create gets 400), the at-limit ones failed.
      for (const testCase of createItem) {
        expect(withheld.get(`createItem ${testCase.title}`)).toMatchObject({
          file: FILE,
          operationId: 'createItem',
          outcome: testCase.kind === 'at-boundary' ? 'failed' : 'passed',
          reason: `baseline failed: POST ${api.baseUrl}/items returned 400, expected 201`,
          baseline: { file: FILE, fullName: 'createItem returns 201 for a valid request' },
        });
      }
      // showItem's happy path creates the item it reads first: its setup step failed.
      expect(withheld.get('showItem returns 200 for a valid request')).toMatchObject({
        operationId: 'showItem', outcome: 'failed', reason: `baseline failed: setup failed: POST ${api.baseUrl}/items returned 400, expected 201`,
      });
      // Nothing withheld is counted as passed, as dropped or as an API defect; the rest is judged as usual.
      const judged = [...summary.flaky, ...summary.dropped, ...summary.apiDefects, ...summary.blocked].map((t) => t.fullName);
      expect(judged.filter((name) => withheld.has(name))).toEqual([]);
      expect(summary.passed + withheld.size + summary.dropped.length + summary.apiDefects.filter((d) => !d.testPasses).length).toBe(summary.tests);
      // What is delivered lacks every withheld test; listItems's tests stay.
      const delivered = decisions.find((d) => d.path === FILE)?.deliveredContent ?? '';
      expect(delivered).toContain("describe('listItems'");
      const caseIdOf = new Map(suite.cases.map((c) => [`${c.operationId} ${c.title}`, c.id]));
      for (const name of withheld.keys()) {
        expect(caseIdOf.get(name)).toBeDefined();
        expect(delivered).not.toContain(`// ${caseIdOf.get(name)}\n`);
      }
      expect(delivered).toContain('// listItems/happy-path\n');
    } finally {
      await api.close();
    }
  });

  it('ends the execution when the API answers none of the baseline requests', async () => {
    const port = await closedPort();
    const baseUrl = `http://127.0.0.1:${port}/v1`;
    const outcome = execute(generated(), baseUrl);
    await expect(outcome).rejects.toThrow(ApiUnreachableError);
    await expect(outcome).rejects.toThrow(new RegExp(`^the API at ${baseUrl} answered none of the 5 baseline requests \\(connection refused\\)$`));
  });
});
