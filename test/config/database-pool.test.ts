/** TESTLOOM_DB_* reach the pg pool of every process, and bad values are refused naming the variable. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { ConfigError, loadConfig } from '../../lib/config';
import { openDatabase } from '../../lib/db/open';
import { createTestPostgres } from '../support/databases';

describe('database pool settings', () => {
  test('durations and plain milliseconds are read; unset means pg\'s defaults', () => {
    expect(loadConfig({ TESTLOOM_DB_POOL_MAX: '25', TESTLOOM_DB_CONNECTION_TIMEOUT: '5s', TESTLOOM_DB_STATEMENT_TIMEOUT: '1500' }).databasePool)
      .toEqual({ max: 25, connectionTimeoutMs: 5_000, statementTimeoutMs: 1_500 });
    expect(loadConfig({}).databasePool).toEqual({});
  });

  test.each([
    ['TESTLOOM_DB_POOL_MAX', '0', 'TESTLOOM_DB_POOL_MAX=0: must be a positive whole number'],
    ['TESTLOOM_DB_CONNECTION_TIMEOUT', 'soon', 'TESTLOOM_DB_CONNECTION_TIMEOUT=soon: must be milliseconds or a duration such as 500ms, 5s or 2m'],
    ['TESTLOOM_DB_STATEMENT_TIMEOUT', '-3s', 'TESTLOOM_DB_STATEMENT_TIMEOUT=-3s: must be milliseconds or a duration'],
  ])('%s=%s is refused', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  test('Postgres connections carry the statement timeout and the pool its size', async () => {
    const postgres = await createTestPostgres();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'testloom-pool-'));
    const config = loadConfig({ TESTLOOM_DB_POOL_MAX: '2', TESTLOOM_DB_STATEMENT_TIMEOUT: '200ms', TESTLOOM_DB_CONNECTION_TIMEOUT: '300ms' });
    const database = await openDatabase({ databaseUrl: postgres.url, dataDir, pool: config.databasePool });
    try {
      const shown = await sql<{ statement_timeout: string }>`show statement_timeout`.execute(database.db.withoutPlugins());
      expect(shown.rows[0].statement_timeout).toBe('200ms');
      await expect(sql`select pg_sleep(1)`.execute(database.db)).rejects.toThrow('canceling statement due to statement timeout');
      // Both connections held: a third request waits for the connection timeout and fails.
      const held = [1, 2].map(() => database.db.connection().execute(() => new Promise((resolve) => setTimeout(resolve, 1_000))));
      await new Promise((resolve) => setTimeout(resolve, 100));
      await expect(sql`select 1`.execute(database.db)).rejects.toThrow(/timeout exceeded when trying to connect/i);
      await Promise.all(held);
    } finally {
      await database.close();
      await postgres.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
