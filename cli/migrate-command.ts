import type { Config } from '../lib/config';
import { migrateToLatest, openDatabase } from '../lib/db/open';

/**
 * `testloom migrate`: applies pending migrations and exits. Run once per release before the API
 * and worker processes (a Kubernetes Job, a compose service they depend on); several at once are
 * safe, they queue on one Postgres advisory lock (lib/db/migrate.ts).
 */
export async function migrateCommand(config: Config, print: (line: string) => void): Promise<void> {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, pool: config.databasePool, migrations: 'none' });
  try {
    const applied = await migrateToLatest(database.db, database.dialect);
    const where = database.dialect === 'postgres' ? 'Postgres' : `PGlite in ${config.dataDir}`;
    if (!applied.length) print(`database schema is up to date (${where})`);
    for (const name of applied) print(`applied migration ${name} (${where})`);
  } finally {
    await database.close();
  }
}
