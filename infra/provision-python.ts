/**
 * Makes sure the project venv (.venv/, where lib/validation/python.ts looks first) has what a
 * generated pytest suite needs to be executed: pytest and requests. Quick when they are there
 * (one import check); otherwise creates the venv if needed and installs them from PyPI, every step
 * with a time limit so an unreachable index fails instead of hanging. When that fails but another
 * interpreter execution would use already has them, setup warns and goes on. Then Schemathesis, at
 * the version infra/schemathesis.ts pins and in a venv of its own, for the API's conformance test
 * and the effectiveness bench.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../lib/config/env';
import { PROJECT_VENV_PYTHON, PYTEST_PACKAGES, pytestPython, PytestUnavailableError } from '../lib/frameworks/pytest/python';
import { ensureSchemathesis, SCHEMATHESIS_REQUIREMENT, SCHEMATHESIS_VENV } from './schemathesis';

const run = promisify(execFile);
const log = (line: string) => console.log(`setup: ${line}`);
/** The same lower bounds as a generated suite's requirements.txt (templates/pytest/requirements.txt.hbs). */
const REQUIREMENTS = ['pytest>=7', 'requests>=2.28'];
const VERSIONS = `import pytest, requests; print("pytest " + pytest.__version__ + ", requests " + requests.__version__)`;

async function venvVersions(): Promise<string | undefined> {
  try {
    return (await run(PROJECT_VENV_PYTHON, ['-c', VERSIONS], { timeout: 60_000 })).stdout.trim();
  } catch {
    return undefined;
  }
}

async function install(): Promise<void> {
  const venv = path.join(PROJECT_ROOT, '.venv');
  const pip = path.join(venv, 'bin', 'pip');
  if (!fs.existsSync(pip)) {
    log(`creating Python venv ${venv}`);
    await run('python3', ['-m', 'venv', venv], { timeout: 120_000 });
  }
  log(`installing ${PYTEST_PACKAGES.join(' and ')} from PyPI into the venv (to execute pytest suites)`);
  await run(pip, ['install', '--quiet', '--disable-pip-version-check', '--timeout', '20', '--retries', '1', ...REQUIREMENTS], { timeout: 300_000 });
}

/** Only the tests and a bench need it: a failed install is a warning (the Schemathesis test then says what is missing). */
async function provisionSchemathesis(): Promise<void> {
  try {
    const { version, installedNow } = await ensureSchemathesis();
    log(`schemathesis ${version} ${installedNow ? 'installed into' : 'found in'} ${SCHEMATHESIS_VENV}`);
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    log(`warning: installing ${SCHEMATHESIS_REQUIREMENT} into ${SCHEMATHESIS_VENV} failed (${(e.stderr || e.message).trim().split('\n').slice(-3).join(' ')}); test/api/schemathesis.test.ts needs it`);
  }
}

async function provisionPytest(): Promise<void> {
  const present = await venvVersions();
  if (present) {
    log(`pytest suites run with ${present} (project venv: ${PROJECT_VENV_PYTHON})`);
    return;
  }
  try {
    await install();
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    const why = (e.stderr || e.message).trim().split('\n').slice(-3).join(' ');
    try {
      const fallback = await pytestPython({ PATH: process.env.PATH ?? '' });
      log(`warning: installing ${PYTEST_PACKAGES.join(' and ')} into .venv failed (${why}); pytest suites run with ${fallback}, which has them`);
      return;
    } catch (fallbackErr) {
      if (!(fallbackErr instanceof PytestUnavailableError)) throw fallbackErr;
      throw new Error(`installing ${PYTEST_PACKAGES.join(' and ')} into .venv failed: ${why}. ${fallbackErr.message}`, { cause: fallbackErr });
    }
  }
  const installed = await venvVersions();
  if (!installed) throw new Error(`${PYTEST_PACKAGES.join(' and ')} were installed, but ${PROJECT_VENV_PYTHON} cannot import them`);
  log(`pytest suites run with ${installed} (project venv: ${PROJECT_VENV_PYTHON})`);
}

async function main(): Promise<void> {
  await provisionPytest();
  await provisionSchemathesis();
}

main().catch((err) => {
  console.error(`setup: ${(err as Error).message}`);
  process.exit(1);
});
