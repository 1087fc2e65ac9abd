import type { PGlite } from '@electric-sql/pglite';

/** Severities after which a Postgres backend exits; PGlite's single backend does not come back. */
const ENDS_THE_ENGINE = new Set(['PANIC', 'FATAL']);

/**
 * PGlite (0.4) cannot go on after a PANIC — e.g. a WAL write refused because its data directory
 * became read-only: the next query spins forever and freezes the whole process. This stands
 * between the Kysely dialect and PGlite (the dialect calls only `query` and `close`): after a PANIC
 * or FATAL error every query fails at once with the reason, and closing leaves the stopped engine alone.
 */
export function guardAgainstPanics(pglite: PGlite, dataDir: string): PGlite {
  let stopped: Error | undefined;
  const guarded: Pick<PGlite, 'query' | 'close'> = {
    async query(...args: Parameters<PGlite['query']>) {
      if (stopped) throw stopped;
      try {
        return await pglite.query(...args);
      } catch (err) {
        if (ENDS_THE_ENGINE.has(String((err as { severity?: string }).severity))) {
          stopped = new Error(`the embedded database (PGlite) stopped: ${(err as Error).message}. Restart testloom (once ${dataDir} is writable, if a write failed)`);
        }
        throw err;
      }
    },
    async close() {
      if (!stopped) await pglite.close();
    },
  } as Pick<PGlite, 'query' | 'close'>;
  return guarded as PGlite;
}
