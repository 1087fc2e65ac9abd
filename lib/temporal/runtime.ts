import { Runtime } from '@temporalio/worker';
import { PinoTemporalLogger } from '../observability/temporal-logger';

/**
 * Routes the SDK's logs (and the native core's warnings, forwarded) through the process's pino
 * logger, where routine SDK output (worker state changes, bundling) sits at debug: quiet at the
 * default info level. Must run before the first worker or connection exists. `shutdownSignals`: the
 * signals on which the SDK shuts its workers down (its default: SIGINT, SIGTERM, SIGQUIT, SIGUSR2);
 * [] when the process handles signals itself.
 */
export function installQuietRuntime(shutdownSignals?: NodeJS.Signals[]): void {
  try {
    Runtime.install({
      ...(shutdownSignals ? { shutdownSignals } : {}),
      logger: new PinoTemporalLogger(),
      telemetryOptions: { logging: { forward: {}, filter: { core: 'WARN', other: 'ERROR' } } },
    });
  } catch {
    // A runtime is already installed in this process; keep it.
  }
}
