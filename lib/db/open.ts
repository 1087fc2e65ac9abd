import { existsSync } from 'node:fs';
import { readdir, rename, rm, rmdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { PGlite } from '@electric-sql/pglite';
import { CamelCasePlugin, Kysely, PostgresDialect, type Dialect } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import { runHelperProcess } from '../process/child';
import { migrateToLatest, verifyMigrated, type MigrationMode } from './migrate';
import { guardAgainstPanics } from './pglite-guard';
import type { Tables } from '../../schema/tables';

export interface Database {
  db: Kysely<Tables>;
  dialect: 'postgres' | 'pglite';
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** Postgres connection string; when absent, an embedded PGlite database in `<dataDir>/pglite` is used. */
  databaseUrl?: string;
  dataDir: string;
  /** Default `apply`: pending migrations are applied before the database is returned (see ./migrate.ts). */
  migrations?: MigrationMode;
  /** Postgres only: the pg pool's size and timeouts; absent: pg's defaults (10 connections, no timeouts). */
  pool?: PoolSettings;
}

export interface PoolSettings {
  max?: number;
  /** How long taking a connection (opening one, or waiting for a free one) may take. */
  connectionTimeoutMs?: number;
  /** Postgres's statement_timeout for every connection: a statement running longer is cancelled. */
  statementTimeoutMs?: number;
}

export { migrateToLatest, pendingMigrations, MIGRATION_LOCK_KEY, type MigrationMode } from './migrate';

const INT8_OID = 20;

/** Opens Postgres (pg pool) or PGlite and applies all migrations (or checks they are applied) before returning. */
export async function openDatabase(opts: OpenDatabaseOptions): Promise<Database> {
  const kind = opts.databaseUrl ? 'postgres' : 'pglite';
  const dialect = opts.databaseUrl ? postgresDialect(opts.databaseUrl, opts.pool) : await pgliteDialect(opts.dataDir);
  const db = new Kysely<Tables>({
    dialect,
    // Nested keys must stay as written: they are JSON documents, not columns.
    plugins: [new CamelCasePlugin({ maintainNestedObjectKeys: true })],
  });

  let closing: Promise<void> | undefined;
  const close = () => (closing ??= db.destroy());
  try {
    if (opts.migrations === 'verify') await verifyMigrated(db);
    else if (opts.migrations !== 'none') await migrateToLatest(db, kind);
  } catch (err) {
    await close();
    throw err;
  }
  return { db, dialect: kind, close };
}

function postgresDialect(connectionString: string, settings: PoolSettings = {}): Dialect {
  const pool = new pg.Pool({
    connectionString,
    ...(settings.max ? { max: settings.max } : {}),
    ...(settings.connectionTimeoutMs ? { connectionTimeoutMillis: settings.connectionTimeoutMs } : {}),
    ...(settings.statementTimeoutMs ? { statement_timeout: settings.statementTimeoutMs } : {}),
    // Identity ids and counts are int8; return them as numbers like PGlite does (ids stay far below 2^53).
    types: { getTypeParser: int8AsNumber as typeof pg.types.getTypeParser },
  });
  // An idle client losing its connection emits 'error' on the pool; unhandled, that would crash
  // the process. The pool discards the client and the next query opens a new connection.
  pool.on('error', () => {});
  return new PostgresDialect({ pool });
}

/** pg's parser for each type (untyped in @types/pg), except that int8 becomes a number. */
function int8AsNumber(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
  return oid === INT8_OID ? (value: string) => Number(value) : (pg.types.getTypeParser(oid, format) as (value: string) => unknown);
}

/**
 * Postgres's default 128 MB of shared buffers are all touched in PGlite's WebAssembly memory, so
 * they count in full towards the process's resident memory; testloom's tables are small and the
 * operating system caches their files anyway. 16 MB: 120 MB less resident; 8 MB: 10 MB less again,
 * with no difference in the time 2,500 small queries take (measured).
 */
const PGLITE_START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=8MB'];

/**
 * PGlite's Postgres is 10 MB of WebAssembly. V8 compiles it with its baseline compiler (Liftoff) and
 * then recompiles the functions that run often with TurboFan; the optimized code and what the
 * compiler threads allocated stay resident, 30–40 MB of an idle `testloom up`. Testloom's queries
 * are small and few: baseline code ran 2,500 of them faster (0.8 s against 1.1 s, measured), as it
 * spends no CPU on recompiling. The flag is the process's; PGlite is the WebAssembly that counts in
 * it (the others are tiny: source-map's parser for workflow stack traces, long's 64-bit arithmetic).
 * V8 reads it when it compiles a module, so it is set before the first PGlite starts.
 */
function compileWebAssemblyBaselineOnly(): void {
  setFlagsFromString('--liftoff-only');
}

async function pgliteDialect(dataDir: string): Promise<Dialect> {
  const dir = join(dataDir, 'pglite');
  if (!existsSync(join(dir, 'PG_VERSION'))) await createPglite(dir);
  compileWebAssemblyBaselineOnly();
  return new PGliteDialect(guardAgainstPanics(await PGlite.create(dir, { startParams: PGLITE_START_PARAMS }), dir));
}

/**
 * A new PGlite database, made by a child process (create-pglite.js) in a directory beside `dir`
 * named after that process, and renamed into place when complete: a stop or crash while creating
 * leaves no half-made database. A process rather than a worker thread: initdb's WebAssembly memory
 * and the allocator arenas it grows stay resident after a thread has ended (some 120 MB of a new
 * `testloom up`).
 */
async function createPglite(dir: string): Promise<void> {
  if (existsSync(dir) && (await readdir(dir)).length) {
    throw new Error(`${dir} is not a PGlite database (it has no PG_VERSION): move it away, or set TESTLOOM_DATA_DIR to another directory`);
  }
  await removeAbandonedCreations(dir);
  // The child gives up when this process dies, and is killed when it exits (lib/process/child.ts).
  const { pid } = await runHelperProcess(join(__dirname, 'create-pglite.js'), [dir], `creating the embedded database (PGlite) beside ${dir}`);
  const creating = creationDir(dir, pid);
  await rmdir(dir).catch(() => undefined); // empty, as checked above (a full one is never removed)
  try {
    await rename(creating, dir);
  } catch (err) {
    // Another process made it meanwhile: theirs stays.
    await rm(creating, { recursive: true, force: true });
    if (!existsSync(join(dir, 'PG_VERSION'))) throw err;
  }
}

/** Where the creating child `pid` makes the database (create-pglite.js names it the same way). */
const creationDir = (dir: string, pid: number) => `${dir}.creating-${pid}`;

/** What a creation stopped by a signal or a crash left behind (its process is gone). */
async function removeAbandonedCreations(dir: string): Promise<void> {
  const prefix = basename(creationDir(dir, 0)).slice(0, -1);
  for (const name of await readdir(dirname(dir)).catch(() => [])) {
    const pid = Number(name.slice(prefix.length));
    if (name.startsWith(prefix) && !isRunning(pid)) await rm(join(dirname(dir), name), { recursive: true, force: true, maxRetries: 5 });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
