/**
 * `testloom migrate` started by four processes at once against one fresh Postgres database: they
 * queue on the advisory lock, so each migration is applied exactly once and every process succeeds.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { migrations } from '../../schema/migrations';
import { openDatabase, pendingMigrations } from '../../lib/db/open';
import { createTestPostgres, type TestPostgres } from '../support/databases';

const ROOT = path.resolve(__dirname, '../..');

function migrate(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/testloom', 'migrate'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
}

describe('testloom migrate from several processes at once', () => {
  let postgres: TestPostgres;
  let dataDir: string;

  beforeAll(async () => {
    postgres = await createTestPostgres();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'testloom-migrate-'));
  });

  afterAll(async () => {
    await postgres?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('four processes: all exit 0, each migration is applied once, the schema is usable', async () => {
    const env = { DATABASE_URL: postgres.url, TESTLOOM_DATA_DIR: dataDir, TESTLOOM_DB_STATEMENT_TIMEOUT: '30s' };
    const results = await Promise.all([1, 2, 3, 4].map(() => migrate(env)));

    for (const result of results) expect(result).toMatchObject({ code: 0 });
    // Each migration was applied by exactly one of the four; the others found it done.
    const applied = results.flatMap((r) => [...r.output.matchAll(/applied migration (\S+)/g)].map((m) => m[1]));
    expect(applied.sort()).toEqual(Object.keys(migrations).sort());
    expect(results.filter((r) => r.output.includes('database schema is up to date')).length).toBeGreaterThanOrEqual(3);

    const client = new Client({ connectionString: postgres.url });
    await client.connect();
    try {
      const rows = (await client.query<{ name: string; n: number }>('select name, count(*)::int as n from kysely_migration group by name order by name')).rows;
      expect(rows).toEqual(Object.keys(migrations).map((name) => ({ name, n: 1 })));
    } finally {
      await client.end();
    }

    // A process that only verifies the schema opens it and finds nothing pending.
    const database = await openDatabase({ databaseUrl: postgres.url, dataDir, migrations: 'verify' });
    try {
      expect(await pendingMigrations(database.db)).toEqual([]);
      const runs = await database.db.selectFrom('runs').select(['id']).execute();
      expect(runs).toEqual([]);
    } finally {
      await database.close();
    }
  });

  test('a process that verifies a database nobody migrated refuses to start, naming testloom migrate', async () => {
    const fresh = await createTestPostgres();
    try {
      await expect(openDatabase({ databaseUrl: fresh.url, dataDir, migrations: 'verify' }))
        .rejects.toThrow(`the database schema is not up to date (${Object.keys(migrations).length} pending migrations: 0001_initial`);
      await expect(openDatabase({ databaseUrl: fresh.url, dataDir, migrations: 'verify' })).rejects.toThrow('run `testloom migrate` first');
    } finally {
      await fresh.drop();
    }
  });
});
