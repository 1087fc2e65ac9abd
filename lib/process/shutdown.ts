import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { killAllServices, stopAllServices } from './child';

interface Step {
  name: string;
  run: () => Promise<unknown>;
  limitMs: number;
}

const seconds = (ms: number) => `${ms / 1000} s`;

/** What start-up has started so far, undone newest first, each step within its own time limit. */
export class Cleanups {
  private readonly steps: Step[] = [];
  private running?: Promise<void>;

  /** Throws once the cleanups have begun (the step is still run): start-up should stop there. */
  add(name: string, run: () => Promise<unknown>, limitMs = 3_000): void {
    this.steps.push({ name, run, limitMs });
    if (this.running) throw new Error(`stopping: start-up ended after ${name}`);
  }

  /** Runs the steps once (a second call gets the same promise); a step over its limit is left behind. */
  run(log: (line: string) => void): Promise<void> {
    this.running ??= (async () => {
      for (let step = this.steps.pop(); step; step = this.steps.pop()) {
        let timer: NodeJS.Timeout | undefined;
        const limit = new Promise<string>((resolve) => {
          timer = setTimeout(() => resolve(`did not finish within ${seconds(step.limitMs)}`), step.limitMs);
        });
        const outcome = await Promise.race([step.run().then(() => undefined, (err: Error) => err.message), limit]);
        clearTimeout(timer);
        if (outcome) log(`shutdown: ${step.name}: ${outcome}`);
      }
    })();
    return this.running;
  }
}

export interface SignalStop {
  /**
   * `work`'s outcome, except that a failure after a signal never settles: it is a consequence of
   * the stop (a server closed under a start-up step), and the signal handler exits the process.
   */
  unlessStopping<T>(work: Promise<T>): Promise<T>;
}

/**
 * From now on SIGINT and SIGTERM stop this process: the cleanups run, any service still up is
 * stopped, and the process exits, all within `limitMs` (else as after a second signal). A second
 * signal exits at once (code 1), after a SIGKILL to every service.
 */
/**
 * The last resort when the main thread itself is stuck in synchronous work (so no timer of its own
 * fires): a thread with its own event loop SIGKILLs the process. The servers it started go too, as
 * their supervisors see their pipe close (service-supervisor.sh).
 */
function killIfStuck(afterMs: number): void {
  const watchdog = new Worker(`setTimeout(() => process.kill(${process.pid}, 'SIGKILL'), ${afterMs});`, { eval: true });
  watchdog.unref();
}

export function exitOnSignals(cleanups: Cleanups, log: (line: string) => void, limitMs = 9_000): SignalStop {
  let stopping = false;
  const forceExit = (why: string) => {
    log(why);
    killAllServices();
    process.exit(1);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) forceExit(`${signal} again: stopping at once`);
    stopping = true;
    log('stopping…');
    setTimeout(() => forceExit(`still stopping after ${seconds(limitMs)}: stopping at once`), limitMs);
    killIfStuck(limitMs + 2_000);
    // 130 after SIGINT, 143 after SIGTERM, as a shell reports a process the signal ended.
    void cleanups.run(log).then(() => stopAllServices(2_000)).then(() => process.exit(128 + os.constants.signals[signal]));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    unlessStopping: (work) =>
      work.catch((err: unknown) => {
        if (stopping) return new Promise<never>(() => undefined);
        throw err;
      }),
  };
}
