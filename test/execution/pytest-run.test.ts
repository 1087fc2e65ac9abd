/**
 * Executing generated pytest suites: real `python -m pytest` child processes with testloom's plugin,
 * the real recording proxy and a real local API (the inventory API, correct or with faults).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { generateSpecSuite, type GeneratedSuite } from '../../lib/generation';
import { SuiteRunError, validateSuite, type SuiteFile, type ValidationReport } from '../../lib/execution';
import type { FrameworkName } from '../../lib/core/frameworks';
import { PytestUnavailableError } from '../../lib/frameworks/pytest';
import { executeSuite, type SuiteExecution } from '../../lib/execution/execute-suite';
import type { RepairRequest } from '../../lib/execution/heal';
import { scriptPython } from '../../lib/frameworks/pytest/python';
import { listPythonTests } from '../../lib/frameworks/pytest/test-source';
import { suiteCases, type SuiteCase } from '../../lib/execution/suite-cases';
import { INVENTORY_SPEC, startInventoryApi, startOtherHost, type InventoryServer } from './support/inventory-api';

const run = promisify(execFile);
const OUT_DIR = 'tests/testloom/inventory';
const TEST_FILE = `${OUT_DIR}/test_untagged.py`;
const TOKEN = 'tok-91bd2e-not-for-logs';
const FLAKY = 'TestGetStatus returns 200 for a valid request';
const AT_FAULT = 'TestShowItem returns 404 for an unknown itemId (999999999)';

/** The inventory spec with an example for showItem's id, so its happy path reads an item the correct API has. */
const SPEC = (() => {
  const spec = JSON.parse(JSON.stringify(INVENTORY_SPEC));
  spec.paths['/items/{itemId}'].get.parameters[0].example = 1;
  return spec as typeof INVENTORY_SPEC;
})();

const ENV_TEST = `import os

# Set by Python (locale coercion, PEP 538) and by pytest itself while a test runs.
OWN = {"LC_CTYPE", "PYTEST_CURRENT_TEST", "PYTEST_VERSION"}
ALLOWED = {"PATH", "HOME", "TMPDIR", "API_BASE_URL", "API_AUTH_TOKEN", "API_TIMEOUT_MS", "PYTHONPATH", "PYTHONDONTWRITEBYTECODE", "PYTEST_DISABLE_PLUGIN_AUTOLOAD"} | OWN


def test_sees_only_the_configured_environment():
    """sees only the configured environment"""
    unexpected = sorted(set(os.environ) - ALLOWED)
    assert not unexpected, f"unexpected variables: {unexpected}"
    assert os.environ["API_AUTH_TOKEN"] == ${JSON.stringify(TOKEN)}, "the configured credential did not arrive"
    assert os.environ["HOME"] == os.environ["TMPDIR"] and os.environ["HOME"].endswith("/.testloom/home")
`;

function generated(framework: FrameworkName = 'pytest'): GeneratedSuite {
  return generateSpecSuite({ api: SPEC, specId: 'inventory', outDir: OUT_DIR, framework });
}

/** The suite's cases as the execute stage computes them (stored files are relative to the output folder). */
function casesOf(suite: GeneratedSuite, framework: FrameworkName): SuiteCase[] {
  const cases = suite.cases.map((c) => ({
    caseId: c.id, kind: c.kind, title: c.title, operationId: c.operationId, file: path.posix.relative(OUT_DIR, c.file),
  }));
  return suiteCases(cases, OUT_DIR, framework);
}

/** Whether the process is gone (or a zombie: killed, waiting for its parent to read its status) within `ms`. */
async function endsWithin(pid: number, ms: number): Promise<boolean> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 50))) {
    const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
    if (stat === undefined || stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return true;
  }
  return false;
}

async function compiles(source: string): Promise<boolean> {
  await run(await scriptPython(), ['-I', '-c', 'import ast, sys; ast.parse(sys.argv[1])', source]);
  return true;
}

describe('running a generated pytest suite against a correct API', () => {
  let api: InventoryServer;
  let suite: GeneratedSuite;
  let report: ValidationReport;
  let names: string[];
  const planted = { DATABASE_URL: 'postgres://testloom:pw@db/testloom', TESTLOOM_API_KEYS: 'key-abc', GITHUB_TOKEN: 'ghp_planted' };

  beforeAll(async () => {
    Object.assign(process.env, planted);
    api = await startInventoryApi({ strictBodies: true });
    suite = generated();
    names = casesOf(suite, 'pytest').map((c) => c.fullName);
    report = await validateSuite({
      files: [...suite.artifacts, { path: `${OUT_DIR}/test_env.py`, content: ENV_TEST }],
      api: SPEC,
      target: { baseUrl: api.baseUrl, env: { API_AUTH_TOKEN: TOKEN, API_TIMEOUT_MS: '5000' }, allowedMethods: ['POST', 'DELETE'] },
    });
  });
  afterAll(async () => {
    for (const name of Object.keys(planted)) delete process.env[name];
    await api?.close();
  });

  test('every test passes in each of the three runs, read per test from the plugin\'s report', () => {
    expect(report.runs).toHaveLength(3);
    for (const suiteRun of report.runs) {
      expect(suiteRun.fileErrors).toEqual([]);
      expect(suiteRun.exitCode).toBe(0);
      expect(suiteRun.tests.filter((t) => t.outcome !== 'passed').map((t) => `${t.fullName}: ${t.failureMessage}`)).toEqual([]);
      // Named `<class> <docstring>` by the plugin, the names the generated cases have.
      expect(suiteRun.tests.filter((t) => t.file === TEST_FILE).map((t) => t.fullName)).toEqual(names);
      expect(suiteRun.tests.filter((t) => t.file !== TEST_FILE)).toEqual([
        { file: `${OUT_DIR}/test_env.py`, fullName: 'sees only the configured environment', outcome: 'passed', durationMs: expect.any(Number) },
      ]);
      for (const test of suiteRun.tests) expect(test).toEqual({ file: test.file, fullName: test.fullName, outcome: 'passed', durationMs: expect.any(Number) });
    }
    expect(names).toHaveLength(22);
    expect(names).toContain('TestCreateItem returns 201 for a valid request');
    expect(report.stability.stablePasses).toHaveLength(23);
    expect(report.stability.flaky).toEqual([]);
    expect(report.findings).toEqual([]);
  });

  test('records every request, each tagged with the test that sent it, and the clean-ups after them untagged', () => {
    expect(report.exchanges.length).toBeGreaterThan(0);
    // What a test created is deleted after it (DELETE /items/{itemId} is documented), with the clean-up marker.
    const cleanups = report.exchanges.filter((e) => e.cleanup);
    expect(cleanups.length).toBeGreaterThan(0);
    for (const exchange of cleanups) {
      expect(exchange).toMatchObject({ method: 'DELETE', path: expect.stringMatching(/^\/items\/[^/]+$/) });
      expect(exchange.test).toBeUndefined();
      expect(exchange.requestHeaders['x-testloom-cleanup']).toBeUndefined();
    }
    for (const exchange of report.exchanges.filter((e) => !e.cleanup)) {
      expect(exchange.test?.file).toBe(TEST_FILE);
      expect(names).toContain(exchange.test?.fullName);
      expect(exchange.refused).toBeUndefined();
      expect(exchange.status).toBeDefined();
    }
    const perRun = [1, 2, 3].map((n) => report.exchanges.filter((e) => e.run === n).length);
    expect(new Set(perRun).size).toBe(1);
    const created = report.exchanges.find((e) => e.run === 2 && e.test?.fullName === 'TestCreateItem returns 201 for a valid request');
    expect(created).toMatchObject({ method: 'POST', url: `${api.baseUrl}/items`, path: '/items', status: 201 });
    // Text fields an API may keep unique are varied per request, keeping their length.
    expect(JSON.parse(created?.requestBody ?? '')).toEqual({ name: expect.stringMatching(/^[a-z]{4}$/), price: 1, tag: expect.stringMatching(/^[a-z]{3}$/) });
    expect(created?.requestHeaders['content-type']).toBe('application/json');
    // A sequence's four requests all name it.
    const sequence = report.exchanges.filter((e) => e.run === 1 && e.test?.fullName === 'TestCreateItem creates a resource, then reads, deletes, reads again (404) it by itemId');
    expect(sequence.map((e) => [e.method, e.status])).toEqual([['POST', 201], ['GET', 200], ['DELETE', 204], ['GET', 404]]);
    // The API saw each test's request once per run, through the proxy.
    expect(api.received.filter((r) => r === 'GET /v1/status')).toHaveLength(3);
    expect(JSON.stringify(report)).not.toContain(TOKEN);
  });

  test('measures the same coverage as the generated Jest suite for the same spec', async () => {
    // 5 operations; 9 documented statuses; parameters limit and itemId (show, delete), never tag or X-Trace; body properties name, price, tag.
    expect(report.coverage.operations).toEqual({ covered: 5, total: 5, percent: 100 });
    expect(report.coverage.statusCodes).toEqual({ covered: 9, total: 9, percent: 100 });
    expect(report.coverage.parameters).toEqual({ covered: 4, total: 5, percent: 80 });
    expect(report.coverage.requestBodyProperties).toEqual({ covered: 3, total: 3, percent: 100 });
    expect(report.coverage.unmatchedRequests).toEqual([]);

    const jestApi = await startInventoryApi({ strictBodies: true });
    try {
      const jest = await validateSuite({ files: generated('jest').artifacts, api: SPEC, runs: 3, target: { baseUrl: jestApi.baseUrl, allowedMethods: ['POST', 'DELETE'] } });
      expect(jest.stability.stablePasses).toHaveLength(22);
      const { byOperation: jestByOperation, ...jestFigures } = jest.coverage;
      const { byOperation, ...figures } = report.coverage;
      expect(figures).toEqual(jestFigures);
      // The same requests, operation by operation.
      expect(byOperation).toEqual(jestByOperation);
    } finally {
      await jestApi.close();
    }
  });
});

const OTHER_HOST_TESTS = (other: string) => `import os

import requests

# Outside any test (at import): still sent to the proxy, which refuses it.
try:
    requests.get(${JSON.stringify(`${other}/at-import`)}, timeout=5)
    AT_IMPORT = "sent"
except Exception as error:
    AT_IMPORT = str(error)


def test_calls_another_host():
    """calls another host"""
    response = requests.get(${JSON.stringify(`${other}/collect?data=1`)}, timeout=5)
    assert response.status_code == 200


def test_follows_a_redirect_to_another_host():
    """follows a redirect to another host"""
    response = requests.get(os.environ["API_BASE_URL"] + "/go", timeout=5)
    assert response.status_code == 200


def test_a_session_calls_another_host():
    """a session calls another host"""
    with requests.Session() as session:
        assert session.post(${JSON.stringify(`${other}/upload`)}, json={"x": 1}, timeout=5).status_code == 200


def test_the_import_time_request_was_refused():
    """the import-time request was refused"""
    assert AT_IMPORT.startswith("testloom refused the request: GET ${other} refused"), AT_IMPORT
`;

const NAMING_TESTS = `import pytest


class TestOuter:
    def test_without_docstring(self):
        assert True

    class TestInner:
        def test_nested(self):
            """nested test"""
            assert True


@pytest.mark.parametrize("n", [1, 2])
def test_numbers(n):
    """numbers"""
    assert n


def test_module_level():
    """a module-level test"""
    assert 1 + 1 == 3, "arithmetic"
`;

describe('pytest suites and the safety policy', () => {
  let api: InventoryServer;
  let other: Awaited<ReturnType<typeof startOtherHost>>;
  let report: ValidationReport;
  const files = (otherOrigin: string): SuiteFile[] => [
    { path: 'tests/py/requirements.txt', content: 'pytest\nrequests\n' },
    { path: 'tests/py/test_risky.py', content: OTHER_HOST_TESTS(otherOrigin) },
    { path: 'tests/py/test_naming.py', content: NAMING_TESTS },
    { path: 'tests/py/test_broken.py', content: 'import not_a_module_anywhere\n\n\ndef test_never_runs():\n    pass\n' },
  ];

  beforeAll(async () => {
    other = await startOtherHost();
    api = await startInventoryApi({ redirectTo: `${other.origin}/landing` });
    report = await validateSuite({ files: files(other.origin), framework: 'pytest', api: INVENTORY_SPEC, runs: 1, target: { baseUrl: api.baseUrl } });
  });
  afterAll(async () => {
    await api?.close();
    await other?.close();
  });

  test('refuses requests to another host, directly, by redirect, from a session or at import; the other host receives nothing', () => {
    const risky = report.runs[0].tests.filter((t) => t.file === 'tests/py/test_risky.py');
    expect(risky.map((t) => [t.fullName, t.outcome])).toEqual([
      ['calls another host', 'failed'],
      ['follows a redirect to another host', 'failed'],
      ['a session calls another host', 'failed'],
      ['the import-time request was refused', 'passed'],
    ]);
    expect(other.received).toEqual([]);
    expect(api.received).toEqual(['GET /v1/go']);
    const failures = Object.fromEntries(risky.map((t) => [t.fullName, t.failureMessage ?? '']));
    const origin = new URL(api.baseUrl).origin;
    // The exception first, then pytest's traceback.
    expect(failures['calls another host'].split('\n')[0]).toBe(`testloom_pytest_plugin.RefusedRequest: testloom refused the request: GET ${other.origin} refused: only ${origin} may be called`);
    expect(failures['calls another host']).toContain('test_risky.py');
    expect(failures['follows a redirect to another host']).toContain(`testloom refused the request: GET ${other.origin} refused`);
    expect(failures['a session calls another host']).toContain(`testloom refused the request: POST ${other.origin} refused`);

    const tagged = (name: string) => ({ file: 'tests/py/test_risky.py', fullName: name });
    expect(report.exchanges.map((e) => [e.test, e.method, e.url, e.refused?.reason, e.status])).toEqual([
      [undefined, 'GET', `${other.origin}/at-import`, 'other-host', undefined],
      [tagged('calls another host'), 'GET', `${other.origin}/collect?data=1`, 'other-host', undefined],
      [tagged('follows a redirect to another host'), 'GET', `${api.baseUrl}/go`, undefined, 302],
      [tagged('follows a redirect to another host'), 'GET', `${other.origin}/landing`, 'other-host', undefined],
      [tagged('a session calls another host'), 'POST', `${other.origin}/upload`, 'other-host', undefined],
    ]);
    expect(report.findings.filter((f) => f.file === 'tests/py/test_risky.py').map((f) => [f.fullName, f.classification])).toEqual([
      ['calls another host', 'blocked'], ['follows a redirect to another host', 'blocked'], ['a session calls another host', 'blocked'],
    ]);
  });

  test('names tests as python-test-source does, and reports a file that cannot be imported while the others still run', async () => {
    const naming = report.runs[0].tests.filter((t) => t.file === 'tests/py/test_naming.py');
    expect(naming.map((t) => [t.fullName, t.outcome])).toEqual([
      ['TestOuter::test_without_docstring', 'passed'],
      ['TestOuter TestInner nested test', 'passed'],
      ['test_numbers[1]', 'passed'],
      ['test_numbers[2]', 'passed'],
      ['a module-level test', 'failed'],
    ]);
    expect(naming[4].failureMessage?.split('\n')[0]).toBe('AssertionError: arithmetic');
    const listed = (await listPythonTests(NAMING_TESTS)).map((t) => t.fullName);
    expect(listed).toEqual(['TestOuter::test_without_docstring', 'TestOuter TestInner nested test', 'test_numbers', 'a module-level test']);
    expect(report.runs[0].fileErrors).toEqual([{ file: 'tests/py/test_broken.py', message: expect.stringContaining("ModuleNotFoundError: No module named 'not_a_module_anywhere'") }]);
    expect(report.runs[0].tests.some((t) => t.file === 'tests/py/test_broken.py')).toBe(false);
  });
});

describe('a generated pytest suite against a faulty API', () => {
  test('a test whose outcome changes between the three runs is flaky', async () => {
    const api = await startInventoryApi({ strictBodies: true, alternatingStatus: true });
    try {
      const report = await validateSuite({ files: generated().artifacts, framework: 'pytest', api: SPEC, target: { baseUrl: api.baseUrl, allowedMethods: ['POST', 'DELETE'] } });
      expect(report.stability.flaky.map((t) => [t.file, t.fullName, t.outcomes])).toEqual([[TEST_FILE, FLAKY, ['passed', 'failed', 'passed']]]);
      expect(report.stability.flaky[0].failureMessage).toMatch(/^AssertionError: GET http:\/\/127\.0\.0\.1:\d+\/v1\/status returned 503, expected 200\nresponse body: /);
      expect(report.stability.stablePasses).toHaveLength(21);
      expect(report.stability.stableFailures).toEqual([]);
    } finally {
      await api.close();
    }
  });

  describe('executed end to end', () => {
    let api: InventoryServer;
    let suite: GeneratedSuite;
    let execution: SuiteExecution;
    const repairs: RepairRequest[] = [];

    beforeAll(async () => {
      api = await startInventoryApi({ strictBodies: true, alternatingStatus: true, sampleItemId: 999999999 });
      suite = generated();
      execution = await executeSuite({
        files: suite.artifacts,
        framework: 'pytest',
        api: SPEC,
        target: { baseUrl: api.baseUrl, allowedMethods: ['POST', 'DELETE'] },
        cases: casesOf(suite, 'pytest'),
        runs: 3,
        healRounds: 2,
        // A model is configured: pytest tests must still not be sent to it.
        repair: async (request) => {
          repairs.push(request);
          return { code: 'test("x", () => {})', explanation: 'should not be asked' };
        },
      });
    });
    afterAll(async () => {
      await api?.close();
    });

    test('removes the flaky test and the test at fault, without asking the model', () => {
      expect(repairs).toEqual([]);
      const { summary } = execution;
      expect(summary).toMatchObject({ status: 'executed', runs: 3, tests: 22, passed: 20, healed: [], apiDefects: [], blocked: [], withheldFiles: [] });
      expect(summary.flaky).toEqual([{
        file: TEST_FILE, fullName: FLAKY, outcomes: ['passed', 'failed', 'passed'], failure: `GET ${api.baseUrl}/status returned 503, expected 200`,
      }]);
      expect(summary.dropped).toEqual([{
        file: TEST_FILE,
        fullName: AT_FAULT,
        reason: 'the test fails through its own fault (every response agrees with the spec; the last, GET /items/999999999 → 200, is documented for showItem: the test\'s expectation is wrong); model repairs are Jest-only so far',
        failure: `GET ${api.baseUrl}/items/999999999 returned 200, expected 404`,
      }]);
      // Coverage of what is delivered: getStatus is no longer tested; showItem's 404 still is, by the CRUD sequence.
      expect(summary.coverage).toEqual({
        operations: { covered: 4, total: 5, percent: 80 },
        statusCodes: { covered: 8, total: 9, percent: 88.9 },
        parameters: { covered: 4, total: 5, percent: 80 },
        requestBodyProperties: { covered: 3, total: 3, percent: 100 },
      });
    });

    test('delivers the test file without the two tests, still compiling, and it passes against a correct API', async () => {
      expect(execution.decisions.map((d) => d.path)).toEqual([TEST_FILE]);
      const delivered = execution.decisions[0].deliveredContent!;
      const original = suite.artifacts.find((a) => a.path === TEST_FILE)!.content;
      expect(await compiles(delivered)).toBe(true);
      expect((await listPythonTests(delivered)).map((t) => t.fullName)).toEqual(
        (await listPythonTests(original)).map((t) => t.fullName).filter((name) => name !== FLAKY && name !== AT_FAULT),
      );
      // getStatus had one test: its class went, with its comment.
      expect(delivered).not.toContain('class TestGetStatus');
      expect(delivered).not.toContain('# GET /status');
      expect(delivered).not.toContain('# showItem/not-found/path.itemId');

      const correct = await startInventoryApi({ strictBodies: true });
      try {
        const files = suite.artifacts.map((a) => (a.path === TEST_FILE ? { ...a, content: delivered } : a));
        const rerun = await validateSuite({ files, api: SPEC, runs: 1, target: { baseUrl: correct.baseUrl, allowedMethods: ['POST', 'DELETE'] } });
        expect(rerun.runs[0].tests.map((t) => t.outcome)).toEqual(Array(20).fill('passed'));
      } finally {
        await correct.close();
      }
    });
  });
});

describe('running pytest suites: limits and prerequisites', () => {
  test('stops a suite that does not finish, killing its processes, and says so', async () => {
    const api = await startInventoryApi();
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'testloom-pytest-hang-'));
    try {
      const pidFile = path.join(dir, 'pid');
      const hanging = `import os, subprocess, time


def test_never_ends():
    """never ends"""
    child = subprocess.Popen(["sleep", "600"])
    with open(${JSON.stringify(pidFile)}, "w") as out:
        out.write(f"{os.getpid()} {child.pid}")
    time.sleep(600)
`;
      await expect(validateSuite({
        files: [{ path: 'tests/py/requirements.txt', content: 'pytest\n' }, { path: 'tests/py/test_hang.py', content: hanging }],
        api: INVENTORY_SPEC, runs: 1, timeLimitMs: 4000, target: { baseUrl: api.baseUrl },
      })).rejects.toThrow(new SuiteRunError('the suite did not finish within 4000 ms and was stopped', 'timeout'));
      const pids = (await fs.readFile(pidFile, 'utf8')).split(' ').map(Number);
      expect(pids).toHaveLength(2);
      // pytest and the process its test started are both gone (the process group was killed).
      for (const pid of pids) expect(await endsWithin(pid, 5000)).toBe(true);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
      await api.close();
    }
  });

  test('without pytest and requests, validation ends before any request with an error naming what to install', async () => {
    const api = await startInventoryApi();
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'testloom-bare-venv-'));
    const saved = process.env.TESTLOOM_PYTHON;
    try {
      // A venv of its own, without pip or any package.
      await run(await scriptPython(), ['-m', 'venv', '--without-pip', dir]);
      process.env.TESTLOOM_PYTHON = path.join(dir, 'bin', 'python');
      const attempt = validateSuite({ files: generated().artifacts, api: SPEC, runs: 1, target: { baseUrl: api.baseUrl } });
      await expect(attempt).rejects.toThrow(PytestUnavailableError);
      await expect(attempt).rejects.toThrow(/^pytest suites need Python with pytest and requests: run `pip install pytest requests` for the interpreter that runs them .*Tried .*testloom-bare-venv-.*\/bin\/python: ModuleNotFoundError: No module named 'pytest'$/);
      expect(api.received).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.TESTLOOM_PYTHON;
      else process.env.TESTLOOM_PYTHON = saved;
      await fs.rm(dir, { recursive: true, force: true });
      await api.close();
    }
  });
});
