/**
 * The command-line tools test/deploy checks the deployment files with. A missing tool fails the
 * test naming how to get it, never skips it: kubectl is a Debian package on these machines, the
 * others are installed by `npm run setup` (infra/deploy-tools.ts).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../../lib/config/env';
import { installedVersion, type DeployTool } from '../../../infra/deploy-tools';

export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end; a non-zero exit is an outcome, not an exception. */
export function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const execOptions = { cwd: options.cwd ?? PROJECT_ROOT, env: options.env ?? process.env, timeout: options.timeoutMs ?? 60_000, maxBuffer: 2 ** 25 };
    execFile(command, args, execOptions, (err, stdout, stderr) => {
      const code: unknown = err?.code; // the exit code, or an errno name when it did not start
      if (code === 'ENOENT') reject(new Error(`${command} is not installed`));
      else resolve({ code: err ? (typeof code === 'number' ? code : 1) : 0, stdout, stderr });
    });
  });
}

/** kubectl from PATH, or an error saying how to install it. */
export function requireKubectl(): string {
  const found = (process.env.PATH ?? '').split(path.delimiter).map((dir) => path.join(dir, 'kubectl')).find((file) => fs.existsSync(file));
  if (!found) throw new Error('kubectl is not on PATH: test/deploy renders infra/k8s with `kubectl kustomize` (Debian: apt-get install kubectl)');
  return found;
}

/** The pinned binary of a setup-installed tool, or an error saying it is missing. */
export async function requireTool(tool: DeployTool): Promise<string> {
  const version = await installedVersion(tool);
  if (version !== tool.version) {
    throw new Error(`${tool.binary} is ${version ? `version ${version}` : 'missing'}, ${tool.requirement} is needed: run npm run setup (infra/provision-deploy-tools.ts)`);
  }
  return tool.binary;
}

export const projectFile = (...parts: string[]) => path.join(PROJECT_ROOT, ...parts);
