/**
 * A generated suite written to a private temporary directory, ready to be run any number of times
 * by its framework's runner. Where the suite's folder is, and what else the runner needs beside the
 * files, the framework says (SuiteRunner.suiteDir, prepareWorkspace).
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FrameworkName } from '../../core/frameworks';

export interface SuiteFile {
  /** Relative to the target repository root, e.g. `tests/testloom/petstore/pets.test.ts`. */
  path: string;
  content: string;
}

/** A suite written to a private temporary directory, ready to be run any number of times. */
export interface SuiteWorkspace {
  framework: FrameworkName;
  repoRoot: string;
  /** The suite's folder: that of its jest.config.json, or of a pytest suite's testloom_api.py. */
  suiteDir: string;
  /** testloom's own files for the runs (configs, reports, the private HOME): `<repoRoot>/.testloom`. */
  privateDir: string;
  remove(): Promise<void>;
}

/** The part of a framework that lays out its workspace (see SuiteRunner in ../types.ts). */
export interface WorkspaceLayout {
  name: FrameworkName;
  runner: {
    suiteDir(files: SuiteFile[]): string;
    prepareWorkspace(repoRoot: string): Promise<void>;
  };
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

/** Writes the suite's files for `framework`'s runner. */
export async function writeSuiteWorkspace(files: SuiteFile[], framework: WorkspaceLayout): Promise<SuiteWorkspace> {
  const suiteDir = framework.runner.suiteDir(files);
  const repoRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'testloom-validate-'));
  const privateDir = path.join(repoRoot, '.testloom');
  try {
    for (const file of files) {
      const target = path.join(repoRoot, safeRelative(file.path));
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.writeFile(target, file.content);
    }
    await framework.runner.prepareWorkspace(repoRoot);
    await fs.mkdir(path.join(privateDir, 'home'), { recursive: true });
  } catch (err) {
    await fs.rm(repoRoot, { recursive: true, force: true });
    throw err;
  }
  return {
    framework: framework.name,
    repoRoot,
    suiteDir: path.join(repoRoot, suiteDir),
    privateDir,
    remove: () => fs.rm(repoRoot, { recursive: true, force: true }),
  };
}
