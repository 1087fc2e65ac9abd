/**
 * Prioritised execution end to end: real Jest and pytest child processes with testloom's runners,
 * the real recording proxy and the real inventory API. What is asserted is what the runners
 * actually ran, in the order their reports give.
 */
import { executeSuite, type SuiteExecution } from '../../lib/execution/execute-suite';
import type { PrioritisationRequest, RecordedExecutionTests } from '../../lib/execution/prioritised-run';
import type { SuiteFile } from '../../lib/execution';
import type { FrameworkName } from '../../lib/core/frameworks';
import { suiteFiles, SUITE_DIR } from './support/hand-written-suite';
import { INVENTORY_SPEC, startInventoryApi, type InventoryServer } from './support/inventory-api';

const JEST_TESTS = {
  'a.test.ts': `
describe('a', () => {
  test('lists items', async () => { expectStatus(await call('GET', '/items?limit=2'), 200); });
  test('rejects a bad limit', async () => { expectStatus(await call('GET', '/items?limit=0'), 400); });
});
`,
  'b.test.ts': `
describe('b', () => {
  test('misses an unknown item', async () => { expectStatus(await call('GET', '/items/999'), 404); });
  test('reads an item as a teapot', async () => { expectStatus(await call('GET', '/items/1'), 418); });
});
`,
  'c.test.ts': `
describe('c', () => {
  test('reads an item', async () => { expectStatus(await call('GET', '/items/1'), 200); });
});
`,
};

const PY_HELPER = `import os

import requests


def call(method, path):
    return requests.request(method, os.environ["API_BASE_URL"] + path, timeout=10)
`;

const pyTest = (name: string, method: string, path: string, status: number) => `

def test_${name.replace(/\W+/g, '_')}():
    """${name}"""
    assert call("${method}", "${path}").status_code == ${status}
`;

const PY_DIR = 'tests/inventory_py';
const PYTEST_FILES: SuiteFile[] = [
  { path: `${PY_DIR}/testloom_api.py`, content: PY_HELPER },
  { path: `${PY_DIR}/test_a.py`, content: `from testloom_api import call\n${pyTest('lists items', 'GET', '/items?limit=2', 200)}${pyTest('rejects a bad limit', 'GET', '/items?limit=0', 400)}` },
  { path: `${PY_DIR}/test_b.py`, content: `from testloom_api import call\n${pyTest('misses an unknown item', 'GET', '/items/999', 404)}${pyTest('reads an item as a teapot', 'GET', '/items/1', 418)}` },
  { path: `${PY_DIR}/test_c.py`, content: `from testloom_api import call\n${pyTest('reads an item', 'GET', '/items/1', 200)}` },
];

interface Flavour {
  framework: FrameworkName;
  files: SuiteFile[];
  dir: string;
  /** The failing test's name as the runner reports it. */
  failing: string;
  passing: string[];
}

const FLAVOURS: Flavour[] = [
  {
    framework: 'jest', files: suiteFiles(JEST_TESTS), dir: SUITE_DIR, failing: 'b reads an item as a teapot',
    passing: ['a lists items', 'a rejects a bad limit', 'b misses an unknown item', 'c reads an item'],
  },
  {
    framework: 'pytest', files: PYTEST_FILES, dir: PY_DIR, failing: 'reads an item as a teapot',
    passing: ['lists items', 'rejects a bad limit', 'misses an unknown item', 'reads an item'],
  },
];

const fileOf = (flavour: Flavour, name: string) => {
  const letter = flavour.framework === 'jest' ? name[0] : { 'lists items': 'a', 'rejects a bad limit': 'a', 'misses an unknown item': 'b', 'reads an item': 'c', 'reads an item as a teapot': 'b' }[name]!;
  return flavour.framework === 'jest' ? `${flavour.dir}/${letter}.test.ts` : `${flavour.dir}/test_${letter}.py`;
};

/** Ten earlier executions: every test passed, except the failing one in the latest three. */
function history(flavour: Flavour): RecordedExecutionTests[] {
  return [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((n) => ({
    tests: [
      ...flavour.passing.map((name) => ({ file: fileOf(flavour, name), fullName: name, stability: 'stable-pass' as const })),
      { file: fileOf(flavour, flavour.failing), fullName: flavour.failing, stability: n > 7 ? 'stable-fail' as const : 'stable-pass' as const },
    ],
  }));
}

describe.each(FLAVOURS)('prioritised execution of a $framework suite', (flavour) => {
  let api: InventoryServer;
  const execute = (prioritisation: Omit<PrioritisationRequest, 'history' | 'seed'>, runs = 1): Promise<SuiteExecution> => executeSuite({
    files: flavour.files,
    framework: flavour.framework,
    api: INVENTORY_SPEC,
    target: { baseUrl: api.baseUrl, env: {} },
    cases: [],
    runs,
    healRounds: 0,
    prioritisation: { ...prioritisation, history: history(flavour), seed: 'execution-1' },
  });
  const ran = (execution: SuiteExecution, run = 0) => execution.report.runs[run].tests.filter((t) => t.outcome !== 'skipped').map((t) => t.fullName);
  const skipped = (execution: SuiteExecution, run = 0) => execution.report.runs[run].tests.filter((t) => t.outcome === 'skipped').map((t) => t.fullName).sort();

  beforeAll(async () => {
    api = await startInventoryApi();
  });
  afterAll(async () => {
    await api?.close();
  });

  test('the test that failed last time runs first (its file first, for Jest), and the order is recorded', async () => {
    const execution = await execute({});
    const order = ran(execution);
    expect(order).toHaveLength(5);
    if (flavour.framework === 'pytest') expect(order[0]).toBe(flavour.failing);
    else expect(execution.report.runs[0].tests[0].file).toBe(fileOf(flavour, flavour.failing));
    expect(execution.report.prioritisation).toMatchObject({
      tests: 5, selected: 5, failFast: false, cut: [], reached: [5], historyExecutions: 10,
      order: expect.arrayContaining([{ file: fileOf(flavour, flavour.failing), fullName: flavour.failing }]),
    });
    expect(execution.report.prioritisation!.order[0]).toEqual({ file: fileOf(flavour, flavour.failing), fullName: flavour.failing });
  }, 120_000);

  test('a budget of 2 runs the top two tests; the others are reported skipped, not passed, not flaky, not removed', async () => {
    const execution = await execute({ budget: 2 }, 2);
    for (const run of [0, 1]) {
      expect(ran(execution, run)).toHaveLength(2);
      expect(ran(execution, run)).toContain(flavour.failing);
      expect(skipped(execution, run)).toHaveLength(3);
    }
    const top = execution.report.prioritisation!.order.slice(0, 2).map((t) => t.fullName).sort();
    expect([...ran(execution)].sort()).toEqual(top);
    expect(execution.summary.tests).toBe(5);
    expect(execution.summary.passed).toBe(1);
    expect(execution.summary.flaky).toEqual([]);
    // Only the test that ran and failed through its own fault is left out; no skipped test is removed from its file.
    expect(execution.summary.dropped.map((t) => t.fullName)).toEqual([flavour.failing]);
    expect(execution.summary.withheldFiles).toEqual([]);
    expect(execution.decisions.map((d) => d.path)).toEqual([fileOf(flavour, flavour.failing)]);
    expect(execution.report.tests.filter((t) => t.stability === 'skipped')).toHaveLength(3);
    expect(execution.report.prioritisation).toMatchObject({ selected: 2, budget: 2, cut: ['budget'], reached: [2, 2] });
  }, 120_000);

  test('fail-fast stops the run at the first failure', async () => {
    const execution = await execute({ failFast: true });
    const order = ran(execution);
    if (flavour.framework === 'pytest') {
      // pytest stops right after the failing test, which runs first.
      expect(order).toEqual([flavour.failing]);
    } else {
      // Jest runs the failing test's file (in source order) and stops there.
      expect(order).toEqual(['b misses an unknown item', flavour.failing]);
    }
    expect(skipped(execution)).toHaveLength(5 - order.length);
    expect(execution.summary.flaky).toEqual([]);
    expect(execution.report.prioritisation).toMatchObject({ failFast: true, cut: ['fail-fast'], reached: [order.length] });
  }, 120_000);
});
