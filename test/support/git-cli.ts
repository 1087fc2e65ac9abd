/** The git CLI, for tests that check testloom's in-process repositories with git itself. */
import { execGit } from './git-exec';

export interface GitOptions {
  env?: Record<string, string>;
  input?: string;
  /** Return stdout exactly as git wrote it (file contents), not trimmed. */
  raw?: boolean;
}

/** Runs git in `cwd` and returns trimmed stdout; git's stderr becomes the error message. */
export async function git(cwd: string, args: string[], opts: GitOptions = {}): Promise<string> {
  const result = await execGit(cwd, args, { env: opts.env, input: opts.input });
  if (result.code !== 0) throw new Error(`git ${args[0]} failed: ${result.stderr.trim() || result.error}`);
  const stdout = result.stdout.toString('utf8');
  return opts.raw ? stdout : stdout.trim();
}
