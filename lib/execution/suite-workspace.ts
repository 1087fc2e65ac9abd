/**
 * A generated suite written to a private temporary directory, and the child process that runs it:
 * the parts the Jest and the pytest runner share.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** testloom's own node_modules: a Jest suite is compiled by this project's jest and @swc/jest, nothing is installed. */
export const NODE_MODULES = path.resolve(__dirname, '../../node_modules');
export const JEST_CONFIG_FILE = 'jest.config.json';
/** The files that make a folder a generated pytest suite (see lib/generation/frameworks/pytest.ts). */
export const PYTEST_HELPERS_FILE = 'testloom_api.py';
export const PYTEST_REQUIREMENTS_FILE = 'requirements.txt';

export type SuiteFramework = 'jest' | 'pytest';

export interface SuiteFile {
  /** Relative to the target repository root, e.g. `tests/testloom/petstore/pets.test.ts`. */
  path: string;
  content: string;
}

/** A suite written to a private temporary directory, ready to be run any number of times. */
export interface SuiteWorkspace {
  framework: SuiteFramework;
  repoRoot: string;
  /** The suite's folder: that of its jest.config.json, or of a pytest suite's testloom_api.py. */
  suiteDir: string;
  /** testloom's own files for the runs (configs, reports, the private HOME): `<repoRoot>/.testloom`. */
  privateDir: string;
  remove(): Promise<void>;
}

export class SuiteRunError extends Error {
  constructor(message: string, readonly reason: 'timeout' | 'no-report') {
    super(message);
    this.name = 'SuiteRunError';
  }
}

export function safeRelative(file: string): string {
  const normalized = path.posix.normalize(file.replace(/\\/g, '/'));
  if (!normalized || normalized.startsWith('../') || normalized === '..' || path.posix.isAbsolute(normalized)) {
    throw new Error(`suite file path "${file}" must be relative and stay inside the repository`);
  }
  return normalized;
}

const basename = (file: SuiteFile) => path.posix.basename(file.path);
/** pytest's default test file names. */
export const isPytestTestFile = (file: string) => /^(test_.*|.*_test)\.py$/.test(path.posix.basename(file));

/**
 * The suite's framework from its files: a Jest suite has a jest.config.json, a pytest suite its
 * testloom_api.py or requirements.txt beside test_*.py files.
 */
export function suiteFramework(files: SuiteFile[]): SuiteFramework {
  if (files.some((file) => basename(file) === JEST_CONFIG_FILE)) return 'jest';
  const pytestMarkers = files.some((file) => basename(file) === PYTEST_HELPERS_FILE || basename(file) === PYTEST_REQUIREMENTS_FILE);
  if (pytestMarkers && files.some((file) => isPytestTestFile(file.path))) return 'pytest';
  throw new Error(`cannot tell the suite's framework: a Jest suite has one ${JEST_CONFIG_FILE}, a pytest suite ${PYTEST_HELPERS_FILE} or ${PYTEST_REQUIREMENTS_FILE} beside its test_*.py files`);
}

function commonDir(paths: string[]): string {
  const parts = paths.map((p) => path.posix.dirname(p).split('/'));
  const common: string[] = [];
  for (let i = 0; parts.every((p) => i < p.length && p[i] === parts[0][i]); i++) common.push(parts[0][i]);
  return common.join('/') || '.';
}

/** The folder of the suite, relative to the repository root. */
function suiteDirOf(files: SuiteFile[], framework: SuiteFramework): string {
  const named = (name: string) => files.filter((file) => basename(file) === name);
  const listed = (found: SuiteFile[]) => (found.length ? `: ${found.map((f) => f.path).join(', ')}` : '');
  if (framework === 'jest') {
    const configs = named(JEST_CONFIG_FILE);
    if (configs.length !== 1) throw new Error(`a Jest suite needs exactly one ${JEST_CONFIG_FILE}, found ${configs.length}${listed(configs)}`);
    return path.posix.dirname(safeRelative(configs[0].path));
  }
  // Two suites in one pytest run would import each other's helper module (same name).
  for (const marker of [PYTEST_HELPERS_FILE, PYTEST_REQUIREMENTS_FILE]) {
    const found = named(marker);
    if (found.length > 1) throw new Error(`a pytest suite has one ${marker}, found ${found.length}${listed(found)}`);
    if (found.length === 1) return path.posix.dirname(safeRelative(found[0].path));
  }
  const tests = files.filter((file) => isPytestTestFile(file.path));
  if (!tests.length) throw new Error('a pytest suite needs test_*.py files, found none');
  return commonDir(tests.map((file) => safeRelative(file.path)));
}

/** Writes the suite's files; `framework` defaults to what the files say (see suiteFramework). */
export async function writeSuiteWorkspace(files: SuiteFile[], framework: SuiteFramework = suiteFramework(files)): Promise<SuiteWorkspace> {
  const suiteDir = suiteDirOf(files, framework);
  const repoRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'testloom-validate-'));
  const privateDir = path.join(repoRoot, '.testloom');
  try {
    for (const file of files) {
      const target = path.join(repoRoot, safeRelative(file.path));
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.writeFile(target, file.content);
    }
    if (framework === 'jest') {
      // Jest needs a package.json to anchor the project; the suite resolves jest/@swc/jest through node_modules.
      await fs.writeFile(path.join(repoRoot, 'package.json'), '{ "name": "testloom-validation", "private": true }\n');
      await fs.symlink(NODE_MODULES, path.join(repoRoot, 'node_modules'), 'dir');
    }
    await fs.mkdir(path.join(privateDir, 'home'), { recursive: true });
  } catch (err) {
    await fs.rm(repoRoot, { recursive: true, force: true });
    throw err;
  }
  return {
    framework,
    repoRoot,
    suiteDir: path.join(repoRoot, suiteDir),
    privateDir,
    remove: () => fs.rm(repoRoot, { recursive: true, force: true }),
  };
}

export interface SuiteProcessOptions {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  timeLimitMs: number;
  signal?: AbortSignal;
  /** Keep this much of the process's output, for error messages: stderr, and stdout too when `withStdout`. */
  outputTail?: number;
  withStdout?: boolean;
}

const SUPERVISOR = path.join(__dirname, 'suite-supervisor.js');

/**
 * Runs the suite's test runner in its own process group: when the time limit expires (or `signal`
 * aborts, or this process dies) the whole group is killed, with whatever workers or API clients it started.
 */
export function runSuiteProcess(options: SuiteProcessOptions): Promise<{ code: number | null; output: string; timedOut: boolean }> {
  const tail = options.outputTail ?? 4000;
  return new Promise((resolve, reject) => {
    // Through the supervisor, which leads the process group and kills it if this process dies.
    const child = spawn(process.execPath, [SUPERVISOR, options.command, ...options.args], {
      cwd: options.cwd, env: options.env, stdio: ['pipe', options.withStdout ? 'pipe' : 'ignore', 'pipe'], detached: true,
    });
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
    }, options.timeLimitMs);
    options.signal?.addEventListener('abort', kill, { once: true });
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-tail);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('error', (err) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', kill);
      reject(err);
    });
    child.on('close', (code) => {
      child.stdin?.destroy();
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', kill);
      resolve({ code, output, timedOut: expired });
    });
  });
}
