/**
 * Runs a Jest suite: testloom's own jest and @swc/jest in a child process (its own process group,
 * a time limit, a clean environment) that runs it as many times as asked (session.js), results read
 * from Jest's `--json` report, every fetch of a test routed through the recording proxy by a setup
 * file (test-tagging.ts).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { readJestReport, type JestJsonReport } from './report';
import { JEST_CONFIG_FILE } from './render';
import { testTaggingSetup } from './test-tagging';
import type { PreparedRuns, RunOptions, RunPlan, SuiteRunner } from '../types';
import type { SuiteRun } from '../shared/results';
import { DEFAULT_TIME_LIMIT_MS } from '../shared/suite-process';
import { SuiteSession } from '../shared/suite-session';
import { safeRelative, SuiteRunError, type SuiteFile, type SuiteWorkspace } from '../shared/workspace';

/** testloom's own node_modules: a Jest suite is compiled by this project's jest and @swc/jest, nothing is installed. */
export const NODE_MODULES = path.resolve(__dirname, '../../../node_modules');
const JEST_SESSION = path.join(__dirname, 'session.js');

export interface RunJestOptions {
  /** Every variable the suite sees besides PATH, HOME and TMPDIR; nothing of testloom's own environment is passed. */
  env: Record<string, string>;
  /** Extra setup files (absolute paths) appended to the suite's setupFilesAfterEnv. */
  setupFiles?: string[];
  timeLimitMs?: number;
  signal?: AbortSignal;
  /** Only these test files (relative to the repository root); default every test file of the suite. */
  testFiles?: string[];
  /** Files in the order of their best-placed test, one at a time; a budget runs only the selected tests' names; fail-fast is `--bail`. */
  plan?: RunPlan;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/**
 * A test sequencer (Jest's `testSequencer`) running the files in the order of `ranked` (relative
 * paths, best first); files it does not name run after them.
 */
export function plannedSequencer(repoRoot: string, ranked: string[]): string {
  return `'use strict';
const fs = require('node:fs');
const path = require('node:path');
const Sequencer = require(${JSON.stringify(path.join(NODE_MODULES, '@jest/test-sequencer'))}).default;
const RANK = new Map(${JSON.stringify(ranked.map((file, index) => [file, index]))});
const ROOT = fs.realpathSync(${JSON.stringify(repoRoot)});
const rankOf = (test) => {
  const file = path.relative(ROOT, fs.realpathSync(test.path)).split(path.sep).join('/');
  return RANK.has(file) ? RANK.get(file) : Number.MAX_SAFE_INTEGER;
};
module.exports = class PlannedSequencer extends Sequencer {
  sort(tests) {
    return [...tests].sort((a, b) => rankOf(a) - rankOf(b) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }
};
`;
}

/**
 * A reporter writing the `--json` report when the run completes: with `bail` Jest exits right after
 * telling its reporters, before it writes the `--outputFile` itself.
 */
export function jsonReporter(outputFile: string): string {
  return `'use strict';
const fs = require('node:fs');
const { formatTestResults } = require(${JSON.stringify(path.join(NODE_MODULES, '@jest/test-result'))});
module.exports = class TestloomJsonReporter {
  onRunComplete(contexts, results) {
    fs.writeFileSync(${JSON.stringify(outputFile)}, JSON.stringify(formatTestResults(results)));
  }
};
`;
}

/** What a plan changes in the run's Jest configuration and arguments. */
async function planned(workspace: SuiteWorkspace, plan: RunPlan, label: string, testFiles: string[] | undefined, outputFile: string) {
  const selected = plan.budget === undefined ? plan.order : plan.order.slice(0, plan.budget);
  const ranked = [...new Set(plan.order.map((t) => t.file))];
  const sequencer = path.join(workspace.privateDir, `sequencer.${label}.js`);
  await fs.writeFile(sequencer, plannedSequencer(workspace.repoRoot, ranked));
  const config: Record<string, unknown> = { testSequencer: sequencer };
  if (plan.failFast) {
    const reporter = path.join(workspace.privateDir, `json-reporter.${label}.js`);
    await fs.writeFile(reporter, jsonReporter(outputFile));
    Object.assign(config, { bail: 1, reporters: ['default', reporter] });
  }
  let files = testFiles;
  if (plan.budget !== undefined) {
    // Tests outside the budget are skipped by name (reported `pending`); files without a selected test do not run at all.
    config.testNamePattern = selected.length ? `^(?:${selected.map((t) => escapeRegExp(t.fullName)).join('|')})$` : '^(?!)$';
    const chosen = new Set(selected.map((t) => t.file));
    files = [...chosen].filter((file) => !testFiles || testFiles.includes(file));
  }
  const args = ['--runInBand'];
  return { config, args, files };
}

async function runnerConfig(workspace: SuiteWorkspace, setupFiles: string[], label: string, extra: Record<string, unknown> = {}): Promise<string> {
  const own = JSON.parse(await fs.readFile(path.join(workspace.suiteDir, JEST_CONFIG_FILE), 'utf8')) as Record<string, unknown>;
  const existing = Array.isArray(own.setupFilesAfterEnv) ? (own.setupFilesAfterEnv as string[]) : [];
  const config = { ...own, ...extra, rootDir: workspace.suiteDir, setupFilesAfterEnv: [...existing, ...setupFiles] };
  const file = path.join(workspace.privateDir, `jest.config.${label}.json`);
  await fs.writeFile(file, JSON.stringify(config, null, 2));
  return file;
}

/** What the Jest session answers when a run has ended (lib/frameworks/jest/session.js). */
interface SessionAnswer {
  code?: number;
  error?: string;
}

/**
 * Runs of one suite in one Jest process (session.js), each reading its own `--json` report: runs
 * after the first skip Jest's start-up. A run that ends the process (a time limit, `--bail`) leaves
 * the next run to start another.
 */
export class JestRuns {
  private session?: SuiteSession<SessionAnswer>;

  constructor(private readonly workspace: SuiteWorkspace, private readonly options: RunJestOptions) {}

  async run(label: string): Promise<SuiteRun> {
    const { workspace, options } = this;
    const timeLimit = options.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS;
    const outputFile = path.join(workspace.privateDir, `report.${label}.json`);
    await fs.rm(outputFile, { force: true });
    const plan = options.plan ? await planned(workspace, options.plan, label, options.testFiles, outputFile) : undefined;
    const testFiles = plan ? plan.files : options.testFiles;
    const config = await runnerConfig(workspace, options.setupFiles ?? [], label, plan?.config);
    const args = ['--config', config, '--json', '--outputFile', outputFile, '--ci', '--no-watchman', '--cacheDirectory', path.join(workspace.privateDir, 'jest-cache')];
    if (plan) args.push(...plan.args);
    if (testFiles) {
      // A budget that selects no test runs no file; Jest would otherwise run them all.
      if (plan && !testFiles.length) return { tests: [], fileErrors: [], exitCode: 0, durationMs: 0 };
      args.push('--runTestsByPath', ...testFiles.map((file) => path.join(workspace.repoRoot, safeRelative(file))));
    }
    const started = Date.now();
    if (!this.session?.alive) this.session = this.start();
    const { reply, code, output, timedOut } = await this.session.request({ args }, { timeLimitMs: timeLimit, signal: options.signal });
    const durationMs = Date.now() - started;
    if (timedOut) throw new SuiteRunError(`the suite did not finish within ${timeLimit} ms and was stopped`, 'timeout');
    const exitCode = reply?.code ?? code;
    let report: JestJsonReport;
    try {
      report = JSON.parse(await fs.readFile(outputFile, 'utf8')) as JestJsonReport;
    } catch {
      const ended = reply?.error ? `failed (${reply.error})` : `exited with ${exitCode}`;
      throw new SuiteRunError(`jest ${ended} and wrote no report: ${output.trim()}`, 'no-report');
    }
    return { ...readJestReport(report, workspace.repoRoot), exitCode, durationMs };
  }

  async close(): Promise<void> {
    await this.session?.close();
  }

  /** Own process group: a time limit ends Jest and any worker it started. */
  private start(): SuiteSession<SessionAnswer> {
    const home = path.join(this.workspace.privateDir, 'home');
    const env = { ...this.options.env, PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, TMPDIR: home };
    return new SuiteSession({ command: process.execPath, args: [JEST_SESSION], cwd: this.workspace.repoRoot, env });
  }
}

const basename = (file: SuiteFile) => path.posix.basename(file.path);
const listed = (found: SuiteFile[]) => (found.length ? `: ${found.map((f) => f.path).join(', ')}` : '');

/** The folder of the suite's one jest.config.json, relative to the repository root. */
function suiteDir(files: SuiteFile[]): string {
  const configs = files.filter((file) => basename(file) === JEST_CONFIG_FILE);
  if (configs.length !== 1) throw new Error(`a Jest suite needs exactly one ${JEST_CONFIG_FILE}, found ${configs.length}${listed(configs)}`);
  return path.posix.dirname(safeRelative(configs[0].path));
}

/** Jest needs a package.json to anchor the project; the suite resolves jest/@swc/jest through node_modules. */
async function prepareWorkspace(repoRoot: string): Promise<void> {
  await fs.writeFile(path.join(repoRoot, 'package.json'), '{ "name": "testloom-validation", "private": true }\n');
  await fs.symlink(NODE_MODULES, path.join(repoRoot, 'node_modules'), 'dir');
}

/** Every run gets the setup file that routes the tests' fetch calls through the proxy and names the test on each request. */
async function prepare(workspace: SuiteWorkspace, options: RunOptions): Promise<PreparedRuns> {
  const setupFile = path.join(workspace.privateDir, 'tag-tests.js');
  await fs.writeFile(setupFile, testTaggingSetup(options.proxyOrigin, workspace.repoRoot));
  return new JestRuns(workspace, { ...options, setupFiles: [setupFile] });
}

export const jestRunner: SuiteRunner = {
  anchorFile: JEST_CONFIG_FILE,
  suiteDescription: `a Jest suite has one ${JEST_CONFIG_FILE}`,
  recognises: (files) => files.some((file) => basename(file) === JEST_CONFIG_FILE),
  isTestFile: (file) => file.endsWith('.test.ts'),
  suiteDir,
  prepareWorkspace,
  prepare,
};
