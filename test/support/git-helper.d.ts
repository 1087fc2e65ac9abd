/** Types of git-helper.js (plain JavaScript: Node loads it outside Jest's module registry). */
export interface GitResult {
  /** git's exit status; null when it could not start or was killed. */
  code: number | null;
  /** Why git failed, when it did (exit status, signal, or a start error). */
  error?: string;
  stdout: Buffer;
  stderr: string;
}

export interface GitRunOptions {
  /** Added to the helper's environment. */
  env?: Record<string, string>;
  input?: string | Buffer;
}

export function runGit(cwd: string, args: string[], opts?: GitRunOptions): Promise<GitResult>;
