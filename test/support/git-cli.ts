/** The git CLI, for tests that check testloom's in-process repositories with git itself. */
import { execFile } from 'node:child_process';

export interface GitOptions {
  env?: Record<string, string>;
  input?: string;
  /** Return stdout exactly as git wrote it (file contents), not trimmed. */
  raw?: boolean;
}

/** Runs git in `cwd` and returns trimmed stdout; git's stderr becomes the error message. */
export function git(cwd: string, args: string[], opts: GitOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      args,
      { cwd, env: { ...process.env, ...opts.env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`git ${args[0]} failed: ${stderr.trim() || error.message}`));
        else resolve(opts.raw ? stdout : stdout.trim());
      },
    );
    if (opts.input !== undefined) child.stdin!.end(opts.input);
  });
}
