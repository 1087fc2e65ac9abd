/**
 * Schemathesis (PyPI): `npm test` runs it against the API's own description
 * (test/api/schemathesis.test.ts) and the effectiveness bench against its sample API. One pinned
 * version, so a run finds the same things on every machine; setup installs it.
 *
 * It has a venv of its own, not .venv: its pytest plugin would load into every generated pytest
 * suite that .venv runs (about a second more per pytest start, and a foreign plugin in the suite).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../lib/config/env';

const run = promisify(execFile);

export const SCHEMATHESIS_VERSION = '4.32.5';
export const SCHEMATHESIS_REQUIREMENT = `schemathesis==${SCHEMATHESIS_VERSION}`;
export const SCHEMATHESIS_VENV = path.join(PROJECT_ROOT, '.venv-schemathesis');
/** Schemathesis' command line. */
export const ST = path.join(SCHEMATHESIS_VENV, 'bin', 'st');

/** The installed version, or undefined when `st` is not there. */
export async function schemathesisVersion(): Promise<string | undefined> {
  try {
    const { stdout } = await run(ST, ['--version'], { timeout: 60_000 });
    return /version\s+(\S+)/.exec(stdout)?.[1];
  } catch {
    return undefined;
  }
}

/** Installs the pinned version (creating its venv) unless it is there; returns whether it installed now. */
export async function ensureSchemathesis(): Promise<{ version: string; installedNow: boolean }> {
  if ((await schemathesisVersion()) === SCHEMATHESIS_VERSION) return { version: SCHEMATHESIS_VERSION, installedNow: false };
  const pip = path.join(SCHEMATHESIS_VENV, 'bin', 'pip');
  if (!fs.existsSync(pip)) await run('python3', ['-m', 'venv', SCHEMATHESIS_VENV], { timeout: 120_000 });
  await run(pip, ['install', '--quiet', '--disable-pip-version-check', '--timeout', '20', '--retries', '1', SCHEMATHESIS_REQUIREMENT], { timeout: 600_000, maxBuffer: 16 * 1024 * 1024 });
  const version = await schemathesisVersion();
  if (version !== SCHEMATHESIS_VERSION) throw new Error(`${ST} is ${version ?? 'missing'} after pip install ${SCHEMATHESIS_REQUIREMENT}`);
  return { version, installedNow: true };
}
