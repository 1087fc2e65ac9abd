import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../lib/config';
import { checkTarget, startRecordingProxy, type Exchange, type TargetConfig } from '../../lib/execution';
import { ST } from '../../infra/schemathesis';

export { ensureSchemathesis } from '../../infra/schemathesis';

/** Schemathesis (the version setup pins in the project's venv), run against the API through testloom's recording proxy. */

const run = promisify(execFile);

/** Fixed so that runs are comparable: max-examples is Schemathesis's own default, one worker keeps the seed's order. */
export const SCHEMATHESIS_SETTINGS = ['--checks', 'all', '--max-examples', '100', '--seed', '1', '--workers', '1', '--generation-database', 'none'];

export interface SchemathesisFailure {
  /** e.g. `ST201 Schema-violating request accepted`. */
  check: string;
  operation: string;
}

export interface SchemathesisRun {
  failures: SchemathesisFailure[];
  /** Errors of the run itself (not findings), e.g. a phase that could not start. */
  errors: string[];
  testCases: number;
  exitCode: number;
  /** As run (from the project root), with the credential replaced by `<credential>`. */
  command: string;
  exchanges: Exchange[];
  ms: number;
}

interface JsonReport {
  exit_code?: number;
  test_cases?: { generated?: number };
  failures?: { code?: string; title?: string; operations?: string[] }[];
  errors?: unknown[];
}

function errorText(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const { title, message } = error as { title?: unknown; message?: unknown };
    if (typeof title === 'string' || typeof message === 'string') return [title, message].filter(Boolean).join(': ');
  }
  return JSON.stringify(error);
}

/**
 * One `st run` of the spec against the target, through a fresh recording proxy; `auth` is the header
 * every request carries, `configFile` an optional schemathesis.toml.
 */
export async function runSchemathesis(
  specPath: string, target: TargetConfig, auth: { header: string; value: string }, configFile?: string,
): Promise<SchemathesisRun> {
  const proxy = await startRecordingProxy(checkTarget(target));
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'testloom-schemathesis-'));
  const reportPath = path.join(workDir, 'report.json');
  const args = [
    ...(configFile ? ['--config-file', configFile] : []), 'run', specPath, '--url', proxy.baseUrl, ...SCHEMATHESIS_SETTINGS,
    '-H', `${auth.header}: ${auth.value}`, '--report', 'json', '--report-json-path', reportPath, '--no-color',
  ];
  const started = performance.now();
  try {
    let exitCode = 0;
    try {
      await run(ST, args, { cwd: workDir, maxBuffer: 64 * 1024 * 1024, timeout: 10 * 60_000 });
    } catch (err) {
      const failed = err as { code?: unknown; stderr?: string; stdout?: string };
      if (typeof failed.code !== 'number') throw err;
      exitCode = failed.code;
      if (!fs.existsSync(reportPath)) throw new Error(`st exited with ${exitCode} and wrote no report: ${(failed.stderr || failed.stdout || '').slice(-2000)}`, { cause: err });
    }
    const ms = performance.now() - started;
    const report = JSON.parse(fs.readFileSync(reportPath, 'utf8')) as JsonReport;
    const failures = (report.failures ?? []).flatMap((failure) =>
      (failure.operations ?? []).map((operation) => ({ check: `${failure.code ?? '?'} ${failure.title ?? ''}`.trim(), operation })),
    );
    const display = args.map((arg) => arg.replace(auth.value, '<credential>').replace(`${PROJECT_ROOT}/`, '')).map((arg) => (/[\s']/.test(arg) ? `'${arg}'` : arg));
    return {
      failures,
      errors: (report.errors ?? []).map(errorText),
      testCases: report.test_cases?.generated ?? 0,
      exitCode: report.exit_code ?? exitCode,
      command: [path.relative(PROJECT_ROOT, ST), ...display].join(' '),
      exchanges: [...proxy.exchanges],
      ms,
    };
  } finally {
    await proxy.close();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

export const failureKey = (failure: SchemathesisFailure) => `${failure.check} @ ${failure.operation}`;
