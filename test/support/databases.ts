import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

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
