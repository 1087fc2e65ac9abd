/**
 * Runs a pytest suite once, like runJest: a child `python -m pytest` in its own process group with a
 * time limit and a clean environment, results read from the JSON report that testloom's plugin
 * (testloom_pytest_plugin.py) writes, never from pytest's text. The plugin also routes every request
 * of the suite through the recording proxy and names the test on it.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { pytestPython } from './python';
import { PYTEST_HELPERS_FILE, PYTEST_REQUIREMENTS_FILE } from './render';
import type { PreparedRuns, RunOptions, RunPlan, SuiteRunner } from '../types';
import type { FileError, SuiteRun, TestOutcome, TestResult } from '../shared/results';
import { DEFAULT_TIME_LIMIT_MS, runSuiteProcess } from '../shared/suite-process';
import { safeRelative, SuiteRunError, type SuiteFile, type SuiteWorkspace } from '../shared/workspace';

export const PYTEST_PLUGIN_MODULE = 'testloom_pytest_plugin';
const PLUGIN_SOURCE = path.join(__dirname, `${PYTEST_PLUGIN_MODULE}.py`);

export interface RunPytestOptions {
  /** The interpreter (see pytestPython in python.ts). */
  python: string;
  /** Every variable the suite sees besides PATH, HOME, TMPDIR and Python's own settings; nothing of testloom's own environment is passed. */
  env: Record<string, string>;
  /** The recording proxy's origin: every request of the suite is sent there. */
  proxyOrigin: string;
  timeLimitMs?: number;
  signal?: AbortSignal;
  /** Names the report file, so runs of one workspace keep their own. */
  label?: string;
  /** Only these test files (relative to the repository root); default every test file of the suite. */
  testFiles?: string[];
  /** Order, budget and fail-fast (`-x`); the plugin reorders and deselects (see pytest_collection_modifyitems). */
  plan?: RunPlan;
}

/** The plugin's report (see pytest_sessionfinish in testloom_pytest_plugin.py). */
interface PluginReport {
  tests: { file: string; fullName: string; outcome: string; durationMs: number; failureMessage?: string }[];
  fileErrors: FileError[];
  exitStatus: number;
}

const OUTCOMES = new Set<TestOutcome>(['passed', 'failed', 'skipped']);

/** The plugin in a folder of its own, the only one PYTHONPATH names; plus an empty ini, so no configuration outside the suite applies. */
async function preparePrivateFiles(workspace: SuiteWorkspace): Promise<{ pluginDir: string; iniFile: string }> {
  const pluginDir = path.join(workspace.privateDir, 'python');
  const iniFile = path.join(workspace.privateDir, 'pytest.ini');
  await fs.mkdir(pluginDir, { recursive: true });
  await fs.copyFile(PLUGIN_SOURCE, path.join(pluginDir, `${PYTEST_PLUGIN_MODULE}.py`));
  await fs.writeFile(iniFile, '[pytest]\n');
  return { pluginDir, iniFile };
}

/** The environment of the suite's process (and of the check that pytest is there). */
export function pytestEnvironment(workspace: SuiteWorkspace, env: Record<string, string>): Record<string, string> {
  const home = path.join(workspace.privateDir, 'home');
  return {
    ...env,
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    TMPDIR: home,
    PYTHONPATH: path.join(workspace.privateDir, 'python'),
    PYTHONDONTWRITEBYTECODE: '1',
    // Only testloom's plugin: an installed one (random order, reruns, xdist…) would change what the runs mean.
    PYTEST_DISABLE_PLUGIN_AUTOLOAD: '1',
  };
}

function readReport(report: PluginReport): { tests: TestResult[]; fileErrors: FileError[] } {
  const tests = report.tests.map((test): TestResult => {
    const result: TestResult = {
      file: test.file,
      fullName: test.fullName,
      outcome: OUTCOMES.has(test.outcome as TestOutcome) ? (test.outcome as TestOutcome) : 'skipped',
      durationMs: test.durationMs,
    };
    if (test.failureMessage) result.failureMessage = test.failureMessage;
    return result;
  });
  return { tests, fileErrors: report.fileErrors.map(({ file, message }) => ({ file, message })) };
}

export async function runPytest(workspace: SuiteWorkspace, options: RunPytestOptions): Promise<SuiteRun> {
  const label = options.label ?? 'run';
  const timeLimit = options.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS;
  const reportFile = path.join(workspace.privateDir, `pytest-report.${label}.json`);
  await fs.rm(reportFile, { force: true });
  const { iniFile } = await preparePrivateFiles(workspace);
  const planArgs: string[] = [];
  if (options.plan) {
    const planFile = path.join(workspace.privateDir, `pytest-plan.${label}.json`);
    const { order, budget } = options.plan;
    await fs.writeFile(planFile, JSON.stringify({ order: order.map((t) => [t.file, t.fullName]), ...(budget !== undefined ? { budget } : {}) }));
    planArgs.push(`--testloom-plan=${planFile}`);
    if (options.plan.failFast) planArgs.push('-x');
  }
  const targets = options.testFiles
    ? options.testFiles.map((file) => safeRelative(file))
    : [path.relative(workspace.repoRoot, workspace.suiteDir) || '.'];
  const args = [
    '-m', 'pytest',
    '-p', 'no:cacheprovider',
    '-p', PYTEST_PLUGIN_MODULE,
    '-c', iniFile,
    '--rootdir', workspace.repoRoot,
    `--testloom-report=${reportFile}`,
    `--testloom-proxy-origin=${options.proxyOrigin}`,
    ...planArgs,
    // Like Jest: a file that cannot be imported is reported, the others still run.
    '--continue-on-collection-errors',
    '--tb=short',
    '-q',
    '--',
    ...targets,
  ];
  const started = Date.now();
  const { code, output, timedOut } = await runSuiteProcess({
    command: options.python, args, cwd: workspace.repoRoot, env: pytestEnvironment(workspace, options.env),
    timeLimitMs: timeLimit, signal: options.signal, withStdout: true,
  });
  const durationMs = Date.now() - started;
  if (timedOut) throw new SuiteRunError(`the suite did not finish within ${timeLimit} ms and was stopped`, 'timeout');
  let report: PluginReport;
  try {
    report = JSON.parse(await fs.readFile(reportFile, 'utf8')) as PluginReport;
  } catch {
    throw new SuiteRunError(`pytest exited with ${code} and wrote no report: ${output.trim()}`, 'no-report');
  }
  return { ...readReport(report), exitCode: code, durationMs };
}

const basename = (file: SuiteFile) => path.posix.basename(file.path);
/** pytest's default test file names. */
const isPytestTestFile = (file: string) => /^(test_.*|.*_test)\.py$/.test(path.posix.basename(file));
const listed = (found: SuiteFile[]) => (found.length ? `: ${found.map((f) => f.path).join(', ')}` : '');

function commonDir(paths: string[]): string {
  const parts = paths.map((p) => path.posix.dirname(p).split('/'));
  const common: string[] = [];
  for (let i = 0; parts.every((p) => i < p.length && p[i] === parts[0][i]); i++) common.push(parts[0][i]);
  return common.join('/') || '.';
}

/** The folder of the suite's testloom_api.py (or requirements.txt), else the test files' common folder. */
function suiteDir(files: SuiteFile[]): string {
  // Two suites in one pytest run would import each other's helper module (same name).
  for (const marker of [PYTEST_HELPERS_FILE, PYTEST_REQUIREMENTS_FILE]) {
    const found = files.filter((file) => basename(file) === marker);
    if (found.length > 1) throw new Error(`a pytest suite has one ${marker}, found ${found.length}${listed(found)}`);
    if (found.length === 1) return path.posix.dirname(safeRelative(found[0].path));
  }
  const tests = files.filter((file) => isPytestTestFile(file.path));
  if (!tests.length) throw new Error('a pytest suite needs test_*.py files, found none');
  return commonDir(tests.map((file) => safeRelative(file.path)));
}

/** Before any run: without pytest and requests the execution ends here, saying what to install. */
async function prepare(workspace: SuiteWorkspace, options: RunOptions): Promise<PreparedRuns> {
  const python = await pytestPython(pytestEnvironment(workspace, options.env));
  return { run: (label) => runPytest(workspace, { ...options, python, label }), close: async () => {} };
}

export const pytestRunner: SuiteRunner = {
  anchorFile: PYTEST_HELPERS_FILE,
  suiteDescription: `a pytest suite ${PYTEST_HELPERS_FILE} or ${PYTEST_REQUIREMENTS_FILE} beside its test_*.py files`,
  recognises: (files) => files.some((file) => basename(file) === PYTEST_HELPERS_FILE || basename(file) === PYTEST_REQUIREMENTS_FILE)
    && files.some((file) => isPytestTestFile(file.path)),
  isTestFile: isPytestTestFile,
  suiteDir,
  prepareWorkspace: async () => {},
  prepare,
};
