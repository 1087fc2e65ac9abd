import { DefaultLogger, Runtime } from '@temporalio/worker';

/**
 * The SDK logs every worker state change and the bundler's output at INFO; keep warnings and
 * errors (TESTLOOM_LOG_LEVEL overrides). Must run before the first worker or connection exists.
 */
export function installQuietRuntime(): void {
  const level = (process.env.TESTLOOM_LOG_LEVEL ?? 'WARN') as 'WARN';
  try {
    Runtime.install({ logger: new DefaultLogger(level) });
  } catch {
    // A runtime is already installed in this process; keep it.
  }
}
