import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { openDatabase } from '../../lib/db/open';

/** Server used by tests; override with TEST_POSTGRES_URL (any database on the server; it is only used to create and drop). */
const ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestPostgres {
  /** Connection string of a fresh, empty database. */
  url: string;
  /** Drops the database, disconnecting anyone still connected. Safe to call twice. */
  drop(): Promise<void>;
}

/** Creates a throw-away database `testloom_test_<random>` on the test Postgres server. */
export async function createTestPostgres(): Promise<TestPostgres> {
  const name = `testloom_test_${randomBytes(6).toString('hex')}`;
  await withAdmin((client) => client.query(`create database ${name}`));
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  let dropped: Promise<void> | undefined;
  return {
    url: url.toString(),
    drop: () => (dropped ??= withAdmin((client) => client.query(`drop database if exists ${name} with (force)`)).then(() => undefined)),
  };
}

async function withAdmin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates a PGlite database in `<dataDir>/pglite` and applies every migration (the ~5 s a fresh
 * directory costs), then closes it: global setup does this once for the whole run.
 */
export async function createPgliteTemplate(dataDir: string): Promise<string> {
  const database = await openDatabase({ dataDir });
  await database.close();
  return path.join(dataDir, 'pglite');
}

/**
 * Gives `dataDir` the migrated PGlite database global setup made (a copy, ~0.3 s), so opening it
 * finds every migration applied; without a template (outside Jest) openDatabase creates one.
 * Tests of creating and migrating a database itself (test/db/storage.test.ts) start empty instead.
 */
export function seedPglite(dataDir: string): void {
  const template = process.env.TESTLOOM_TEST_PGLITE_TEMPLATE;
  if (!template) return;
  fs.mkdirSync(dataDir, { recursive: true });
  fs.cpSync(template, path.join(dataDir, 'pglite'), { recursive: true });
}

/**
 * Gives `dataDir` the workflow bundle cache global setup built (workers/workflow-bundle.ts), as a
 * data directory has it after a first start.
 */
export function seedWorkflowBundle(dataDir: string): void {
  const bundle = process.env.TESTLOOM_TEST_WORKFLOW_BUNDLE;
  if (!bundle) return;
  fs.cpSync(path.dirname(bundle), path.join(dataDir, 'cache'), { recursive: true });
}
