import { execFile } from 'node:child_process';
import type { Artifact } from '../../core/run';
import type { QualityGate } from '../types';
import type { GateFailure, GateOptions } from '../shared/gate';

/**
 * Compiles (never runs) Python sources and counts assertions with `ast`: `assert` statements and
 * calls of functions named `assert…` / `expect…` (e.g. `api.expect_status`, `self.assertEqual`).
 */
const CHECKER = String.raw`
import ast, json, re, sys
ASSERTION = re.compile(r"^(assert|expect)")
results = {}
for path, source in json.load(sys.stdin).items():
    try:
        tree = compile(source, path, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
        compile(tree, path, "exec", dont_inherit=True)
    except SyntaxError as error:
        results[path] = {"error": f"{path}:{error.lineno or 0}:{error.offset or 0}: {type(error).__name__}: {error.msg}" + (f"\n    {error.text.rstrip()}" if error.text else "")}
        continue
    except (ValueError, OverflowError, RecursionError) as error:
        results[path] = {"error": f"{path}: {type(error).__name__}: {error}"}
        continue
    count = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.Assert):
            count += 1
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if ASSERTION.match(name):
                count += 1
    results[path] = {"assertions": count}
json.dump(results, sys.stdout)
`;

export interface PythonCheck {
  error?: string;
  assertions?: number;
}

/** One child process for all files; `-I` isolates it from the environment and user site-packages. */
export function checkPythonSources(sources: Record<string, string>, options: GateOptions = {}): Promise<Record<string, PythonCheck>> {
  const python = options.python ?? process.env.TESTLOOM_PYTHON ?? 'python3';
  return new Promise((resolve, reject) => {
    const child = execFile(
      python,
      ['-I', '-c', CHECKER],
      { timeout: options.timeoutMs ?? 30_000, maxBuffer: 16 * 1024 * 1024, env: { PATH: process.env.PATH ?? '', PYTHONDONTWRITEBYTECODE: '1' } },
      (err, stdout, stderr) => {
        if (err) {
          const why = (err as { killed?: boolean }).killed ? `timed out after ${options.timeoutMs ?? 30_000} ms` : err.message;
          reject(new Error(`python compile check (${python}) failed: ${why}${stderr ? `\n${stderr}` : ''}`));
          return;
        }
        try {
          resolve(JSON.parse(stdout) as Record<string, PythonCheck>);
        } catch {
          reject(new Error(`python compile check (${python}) printed no result: ${stdout.slice(0, 500)}${stderr}`));
        }
      },
    );
    child.stdin?.end(JSON.stringify(sources));
  });
}

const isPython = (file: string) => file.endsWith('.py');

/** Python compiles (in a child process, nothing executed); assertions are counted in the same pass. */
export const pythonGate: QualityGate = {
  name: 'python-compile',
  language: 'Python',
  checks: isPython,
  async check(artifacts, options) {
    const python = artifacts.filter((a) => isPython(a.path));
    const results = python.length ? await checkPythonSources(Object.fromEntries(python.map((a) => [a.path, a.content])), options) : {};
    const failed: GateFailure[] = [];
    for (const artifact of python) {
      const error = results[artifact.path]?.error;
      if (error) failed.push({ path: artifact.path, gate: 'python-compile', reason: `does not compile: ${error.split('\n')[0]}`, diagnostics: [error] });
    }
    const counted = (a: Artifact) => a.kind === 'test' && results[a.path]?.assertions !== undefined;
    return { failed, assertions: new Map(python.filter(counted).map((a) => [a.path, results[a.path].assertions!])) };
  },
};
