import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readJestReport, type JestJsonReport } from './jest-report';
import type { SuiteRun } from './types';

/** testloom's own node_modules: the suite is compiled by this project's jest and @swc/jest, nothing is installed. */
const NODE_MODULES = path.resolve(__dirname, '../../node_modules');
const JEST_BIN = path.join(NODE_MODULES, 'jest/bin/jest.js');
const DEFAULT_TIME_LIMIT_MS = 10 * 60_000;
const STDERR_TAIL = 4000;

export interface SuiteFile {
  /** Relative to the target repository root, e.g. `tests/testloom/petstore/pets.test.ts`. */
  path: string;
  content: string;
}

/** A suite written to a private temporary directory, ready to be run any number of times. */
export interface SuiteWorkspace {
  repoRoot: string;
  /** The folder holding the suite's jest.config.json. */
  suiteDir: string;
  remove(): Promise<void>;
}

export class SuiteRunError extends Error {
  constructor(message: string, readonly reason: 'timeout' | 'no-report') {
    super(message);
    this.name = 'SuiteRunError';
  }
}

function safeRelative(file: string): string {
  const normalized = path.posix.normalize(file.replace(/\\/g, '/'));
  if (!normalized || normalized.startsWith('../') || normalized === '..' || path.posix.isAbsolute(normalized)) {
    throw new Error(`suite file path "${file}" must be relative and stay inside the repository`);
  }
  return normalized;
}

/** Writes the suite's files; the suite is the folder of its (single) jest.config.json. */
export async function writeSuiteWorkspace(files: SuiteFile[]): Promise<SuiteWorkspace> {
  const configs = files.filter((file) => path.posix.basename(file.path) === 'jest.config.json');
  if (configs.length !== 1) throw new Error(`a Jest suite needs exactly one jest.config.json, found ${configs.length}${configs.length ? `: ${configs.map((c) => c.path).join(', ')}` : ''}`);
  const repoRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'testloom-validate-'));
  try {
    for (const file of files) {
      const target = path.join(repoRoot, safeRelative(file.path));
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.writeFile(target, file.content);
    }
    // Jest needs a package.json to anchor the project; the suite resolves jest/@swc/jest through node_modules.
    await fs.writeFile(path.join(repoRoot, 'package.json'), '{ "name": "testloom-validation", "private": true }\n');
    await fs.symlink(NODE_MODULES, path.join(repoRoot, 'node_modules'), 'dir');
    await fs.mkdir(path.join(repoRoot, '.testloom', 'home'), { recursive: true });
  } catch (err) {
    await fs.rm(repoRoot, { recursive: true, force: true });
    throw err;
  }
  return {
    repoRoot,
    suiteDir: path.join(repoRoot, path.posix.dirname(safeRelative(configs[0].path))),
    remove: () => fs.rm(repoRoot, { recursive: true, force: true }),
  };
}

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
  const own = JSON.parse(await fs.readFile(path.join(workspace.suiteDir, 'jest.config.json'), 'utf8')) as Record<string, unknown>;
  const existing = Array.isArray(own.setupFilesAfterEnv) ? (own.setupFilesAfterEnv as string[]) : [];
  const config = { ...own, rootDir: workspace.suiteDir, setupFilesAfterEnv: [...existing, ...setupFiles] };
  const file = path.join(workspace.repoRoot, '.testloom', `jest.config.${label}.json`);
  await fs.writeFile(file, JSON.stringify(config, null, 2));
  return file;
}

/** Runs the suite once in a child Jest and reads its `--json` report. */
export async function runJest(workspace: SuiteWorkspace, options: RunJestOptions): Promise<SuiteRun> {
  const label = options.label ?? 'run';
  const timeLimit = options.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS;
  const outputFile = path.join(workspace.repoRoot, '.testloom', `report.${label}.json`);
  await fs.rm(outputFile, { force: true });
  const config = await runnerConfig(workspace, options.setupFiles ?? [], label);
  const home = path.join(workspace.repoRoot, '.testloom', 'home');
  const env = { ...options.env, PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, TMPDIR: home };
  const args = [JEST_BIN, '--config', config, '--json', '--outputFile', outputFile, '--ci', '--no-watchman', '--cacheDirectory', path.join(workspace.repoRoot, '.testloom', 'jest-cache')];
  if (options.testFiles) args.push('--runTestsByPath', ...options.testFiles.map((file) => path.join(workspace.repoRoot, safeRelative(file))));
  const started = Date.now();
  const { code, stderr, timedOut } = await new Promise<{ code: number | null; stderr: string; timedOut: boolean }>((resolve, reject) => {
    // Own process group: the time limit ends Jest and any worker it started.
    const child = spawn(process.execPath, args, { cwd: workspace.repoRoot, env, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    let output = '';
    let expired = false;
    const kill = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      expired = true;
      kill();
    }, timeLimit);
    options.signal?.addEventListener('abort', kill, { once: true });
    child.stderr.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-STDERR_TAIL);
    });
    child.on('error', reject);
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', kill);
      resolve({ code: exitCode, stderr: output, timedOut: expired });
    });
  });
  const durationMs = Date.now() - started;
  if (timedOut) throw new SuiteRunError(`the suite did not finish within ${timeLimit} ms and was stopped`, 'timeout');
  let report: JestJsonReport;
  try {
    report = JSON.parse(await fs.readFile(outputFile, 'utf8')) as JestJsonReport;
  } catch {
    throw new SuiteRunError(`jest exited with ${code} and wrote no report: ${stderr.trim()}`, 'no-report');
  }
  return { ...readJestReport(report, workspace.repoRoot), exitCode: code, durationMs };
}
