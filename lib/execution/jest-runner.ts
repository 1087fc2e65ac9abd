import fs from 'node:fs/promises';
import path from 'node:path';
import { readJestReport, type JestJsonReport } from './jest-report';
import { JEST_CONFIG_FILE, NODE_MODULES, runSuiteProcess, safeRelative, SuiteRunError, type SuiteWorkspace } from './suite-workspace';
import type { SuiteRun } from './types';

export { SuiteRunError, writeSuiteWorkspace, type SuiteFile, type SuiteWorkspace } from './suite-workspace';

const JEST_BIN = path.join(NODE_MODULES, 'jest/bin/jest.js');
export const DEFAULT_TIME_LIMIT_MS = 10 * 60_000;

export interface RunJestOptions {
  /** Every variable the suite sees besides PATH, HOME and TMPDIR; nothing of testloom's own environment is passed. */
  env: Record<string, string>;
  /** Extra setup files (absolute paths) appended to the suite's setupFilesAfterEnv. */
  setupFiles?: string[];
  timeLimitMs?: number;
  signal?: AbortSignal;
  /** Names the report and config files, so runs of one workspace keep their own. */
  label?: string;
  /** Only these test files (relative to the repository root); default every test file of the suite. */
  testFiles?: string[];
}

async function runnerConfig(workspace: SuiteWorkspace, setupFiles: string[], label: string): Promise<string> {
  const own = JSON.parse(await fs.readFile(path.join(workspace.suiteDir, JEST_CONFIG_FILE), 'utf8')) as Record<string, unknown>;
  const existing = Array.isArray(own.setupFilesAfterEnv) ? (own.setupFilesAfterEnv as string[]) : [];
  const config = { ...own, rootDir: workspace.suiteDir, setupFilesAfterEnv: [...existing, ...setupFiles] };
  const file = path.join(workspace.privateDir, `jest.config.${label}.json`);
  await fs.writeFile(file, JSON.stringify(config, null, 2));
  return file;
}

/** Runs the suite once in a child Jest and reads its `--json` report. */
export async function runJest(workspace: SuiteWorkspace, options: RunJestOptions): Promise<SuiteRun> {
  const label = options.label ?? 'run';
  const timeLimit = options.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS;
  const outputFile = path.join(workspace.privateDir, `report.${label}.json`);
  await fs.rm(outputFile, { force: true });
  const config = await runnerConfig(workspace, options.setupFiles ?? [], label);
  const home = path.join(workspace.privateDir, 'home');
  const env = { ...options.env, PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, TMPDIR: home };
  const args = [JEST_BIN, '--config', config, '--json', '--outputFile', outputFile, '--ci', '--no-watchman', '--cacheDirectory', path.join(workspace.privateDir, 'jest-cache')];
  if (options.testFiles) args.push('--runTestsByPath', ...options.testFiles.map((file) => path.join(workspace.repoRoot, safeRelative(file))));
  const started = Date.now();
  // Own process group: the time limit ends Jest and any worker it started.
  const { code, output, timedOut } = await runSuiteProcess({ command: process.execPath, args, cwd: workspace.repoRoot, env, timeLimitMs: timeLimit, signal: options.signal });
  const durationMs = Date.now() - started;
  if (timedOut) throw new SuiteRunError(`the suite did not finish within ${timeLimit} ms and was stopped`, 'timeout');
  let report: JestJsonReport;
  try {
    report = JSON.parse(await fs.readFile(outputFile, 'utf8')) as JestJsonReport;
  } catch {
    throw new SuiteRunError(`jest exited with ${code} and wrote no report: ${output.trim()}`, 'no-report');
  }
  return { ...readJestReport(report, workspace.repoRoot), exitCode: code, durationMs };
}
