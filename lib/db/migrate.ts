import { sql, type Kysely } from 'kysely';
import { Migrator } from 'kysely/migration';
import { migrations } from '../../schema/migrations';

/**
 * Key of the session-level advisory lock every testloom process takes around migrating a Postgres
 * database (any fixed 64-bit number; this one spells "testloom" in ASCII, trimmed to fit a bigint).
 */
export const MIGRATION_LOCK_KEY = 0x746573746c6f6f6dn & 0x7fffffffffffffffn;

/** What a process does with the schema when it opens the database. */
export type MigrationMode =
  /** Apply pending migrations (under the lock on Postgres): the embedded stack, tests, `testloom migrate`. */
  | 'apply'
  /** Apply nothing; refuse to start while migrations are pending (`testloom api`/`worker` without --migrate). */
  | 'verify'
  /** Leave the schema alone: the caller migrates (`testloom migrate`, to report what it applied). */
  | 'none';

function migratorFor<DB>(db: Kysely<DB>): Migrator {
  return new Migrator({ db: db.withoutPlugins(), provider: { getMigrations: () => Promise.resolve(migrations) } });
}

/**
 * Applies pending migrations; returns the names applied now (empty when already up to date).
 * On Postgres, processes starting together queue on one advisory lock, held on a dedicated
 * connection for the whole migration, so exactly one applies each migration and the others find
 * the schema up to date. PGlite is opened by one process only.
 */
export async function migrateToLatest<DB>(db: Kysely<DB>, dialect: 'postgres' | 'pglite' = 'pglite'): Promise<string[]> {
  if (dialect === 'pglite') return applyPending(db);
  return db.connection().execute(async (connection) => {
    // Waiting for the lock, and a long migration, must not hit TESTLOOM_DB_STATEMENT_TIMEOUT.
    await sql`set statement_timeout = 0`.execute(connection);
    await sql`select pg_advisory_lock(${sql.lit(MIGRATION_LOCK_KEY)})`.execute(connection);
    try {
      return await applyPending(connection);
    } finally {
      await sql`select pg_advisory_unlock(${sql.lit(MIGRATION_LOCK_KEY)})`.execute(connection);
      await sql`reset statement_timeout`.execute(connection);
    }
  });
}

async function applyPending<DB>(db: Kysely<DB>): Promise<string[]> {
  const { error, results = [] } = await migratorFor(db).migrateToLatest();
  if (error) {
    const failed = results.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`database migration ${failed ? `"${failed}" ` : ''}failed: ${messageOf(error)}`, { cause: error });
  }
  return results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Names of the migrations this version of testloom has and the database has not applied yet. */
export async function pendingMigrations<DB>(db: Kysely<DB>): Promise<string[]> {
  const known = await migratorFor(db).getMigrations();
  return known.filter((migration) => !migration.executedAt).map((migration) => migration.name);
}

/** Throws, naming the command that fixes it, when the schema is behind this version of testloom. */
export async function verifyMigrated<DB>(db: Kysely<DB>): Promise<void> {
  const pending = await pendingMigrations(db);
  if (pending.length) {
    throw new Error(`the database schema is not up to date (${pending.length} pending migration${pending.length === 1 ? '' : 's'}: ${pending.join(', ')}): `
      + 'run `testloom migrate` first, or start this process with --migrate');
  }
}

/** What a migration threw, for the message: kysely passes on whatever that was, usually an Error. */
function messageOf(thrown: unknown): string {
  return thrown instanceof Error ? thrown.message : String(thrown);
}
