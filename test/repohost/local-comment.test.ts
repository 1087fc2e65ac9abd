/** The local git host keeps one comment per (issue, marker), like the GitHub host: updated in place, never duplicated. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { listLocalIssueComments } from '../../lib/db/local-issues';
import { openDatabase, type Database } from '../../lib/db/open';
import { seedPglite } from '../support/databases';
import { LocalGitHost } from '../../lib/repohost/local-git';
import { workflowMarker } from '../../lib/repohost/types';

let dataDir: string;
let database: Database;
let host: LocalGitHost;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'testloom-local-comment-'));
  seedPglite(dataDir);
  database = await openDatabase({ dataDir });
  host = new LocalGitHost(path.join(dataDir, 'repos'), database.db);
});

afterAll(async () => {
  await database?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('created once, then updated; another marker is another comment', async () => {
  const marker = workflowMarker('issue:acme/shop#3');
  const first = await host.upsertIssueComment({ repository: 'acme/shop', issueNumber: 3, marker, body: `one\n${marker}` });
  const second = await host.upsertIssueComment({ repository: 'acme/shop', issueNumber: 3, marker, body: `two\n${marker}` });
  expect(first).toEqual({ id: first.id, url: `local://acme/shop/issues/3#comment-${first.id}`, created: true });
  expect(second).toEqual({ ...first, created: false });
  const other = await host.upsertIssueComment({ repository: 'acme/shop', issueNumber: 3, marker: workflowMarker('x'), body: workflowMarker('x') });
  expect(other.created).toBe(true);
  const stored = await listLocalIssueComments(database.db, 'acme/shop', 3);
  expect(stored.map((c) => [Number(c.id), c.body])).toEqual([[first.id, `two\n${marker}`], [other.id, workflowMarker('x')]]);
  await expect(host.upsertIssueComment({ repository: 'acme/shop', issueNumber: 3, marker, body: 'no marker' })).rejects.toThrow('must contain its marker');
});
