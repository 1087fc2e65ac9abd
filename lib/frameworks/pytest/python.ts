/**
 * The Python interpreter that runs generated pytest suites and testloom's own Python helpers
 * (test-source.ts): TESTLOOM_PYTHON when set (the quality gates' setting too, and then the
 * only candidate: an explicit interpreter is never silently replaced), otherwise the project's
 * `.venv/bin/python` (infra/setup.sh installs pytest and requests there), otherwise `python3`.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { FrameworkUnavailableError } from '../shared/errors';

const PROJECT_ROOT = path.resolve(__dirname, '../../..');
export const PROJECT_VENV_PYTHON = path.join(PROJECT_ROOT, '.venv', 'bin', 'python');
/** What a generated pytest suite imports (its requirements.txt). */
export const PYTEST_PACKAGES = ['pytest', 'requests'];
const PROBE_TIMEOUT_MS = 30_000;

/** No interpreter can run a pytest suite: the execution ends with this, naming what to install. */
export class PytestUnavailableError extends FrameworkUnavailableError {
  constructor(message: string) {
    super(message, 'PytestUnavailable');
    this.name = 'PytestUnavailableError';
  }
}

export function pythonCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const explicit = env.TESTLOOM_PYTHON?.trim();
  return explicit ? [explicit] : [PROJECT_VENV_PYTHON, 'python3'];
}

interface Outcome {
  ok: boolean;
  stdout: string;
  detail: string;
}

function probe(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(command, args, { env, timeout: PROBE_TIMEOUT_MS, maxBuffer: 1024 * 1024 }, (err, stdout, stderr) => {
      const lastLine = (text: string) => text.trim().split('\n').pop() ?? '';
      if (!err) resolve({ ok: true, stdout: stdout.trim(), detail: '' });
      else resolve({ ok: false, stdout, detail: lastLine(stderr) || (err as NodeJS.ErrnoException).code?.toString() || err.message });
    });
  });
}

/**
 * The interpreter's own path (sys.executable), found with testloom's environment: a pyenv or asdf
 * shim needs the real HOME, the suite's child process gets a private one.
 */
async function executableOf(candidate: string): Promise<Outcome> {
  const found = await probe(candidate, ['-c', 'import sys; print(sys.executable)'], process.env);
  return found.ok && !found.stdout ? { ok: false, stdout: '', detail: 'it does not know its own path' } : found;
}

const scriptInterpreters = new Map<string, Promise<string>>();

/** An interpreter for testloom's own Python scripts (standard library only, Python 3.8 or later). */
export function scriptPython(): Promise<string> {
  const candidates = pythonCandidates();
  const cacheKey = candidates.join('\u0000');
  let found = scriptInterpreters.get(cacheKey);
  if (!found) {
    found = (async () => {
      const tried: string[] = [];
      for (const candidate of candidates) {
        const outcome = await executableOf(candidate);
        if (outcome.ok) return outcome.stdout;
        tried.push(`${candidate} (${outcome.detail})`);
      }
      throw new Error(`no Python interpreter found: tried ${tried.join(', ')}; install Python 3.8 or later, or set TESTLOOM_PYTHON`);
    })();
    scriptInterpreters.set(cacheKey, found);
    found.catch(() => scriptInterpreters.delete(cacheKey));
  }
  return found;
}

/**
 * The interpreter to run a pytest suite with: the first candidate that imports pytest and
 * requests in `env`, the environment the suite will run in (so a package installed only for the
 * real HOME's user site does not count). Throws PytestUnavailableError naming what to install.
 */
export async function pytestPython(env: Record<string, string>): Promise<string> {
  const tried: string[] = [];
  for (const candidate of pythonCandidates()) {
    const executable = await executableOf(candidate);
    if (!executable.ok) {
      tried.push(`${candidate}: not runnable (${executable.detail})`);
      continue;
    }
    const imports = await probe(executable.stdout, ['-c', `import ${PYTEST_PACKAGES.join(', ')}`], env);
    if (imports.ok) return executable.stdout;
    tried.push(`${executable.stdout}: ${imports.detail}`);
  }
  throw new PytestUnavailableError(
    `pytest suites need Python with ${PYTEST_PACKAGES.join(' and ')}: run \`pip install ${PYTEST_PACKAGES.join(' ')}\` for the interpreter that runs them `
    + `(\`bash infra/setup.sh\` installs them into the project's .venv; TESTLOOM_PYTHON names another interpreter). Tried ${tried.join('; ')}`,
  );
}
