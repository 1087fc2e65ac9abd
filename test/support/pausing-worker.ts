/**
 * A real worker process that stops dead at a chosen point inside a stage, so a test can SIGKILL it
 * there: PAUSE_AT=generate pauses after the generated files are stored, PAUSE_AT=execute after the
 * execution and the delivery decisions are stored, PAUSE_AT=commit after the branch ref has moved. It prints "PAUSED <point>" when it gets there.
 */
import { NativeConnection } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { loadConfig } from '../../lib/config';
import { openDatabase } from '../../lib/db/open';
import { createRepoHost } from '../../lib/repohost/from-config';
import { runLinks } from '../../lib/runs/links';
import { createModelAccess } from '../../lib/llm/from-config';
import { createRetriever } from '../../lib/retrieval/from-config';
import { installQuietRuntime } from '../../lib/temporal/runtime';
import type { RepoHost } from '../../lib/repohost/types';
import { createWorker } from '../../workers/worker';

const pauseAt = process.env.PAUSE_AT;
const pause = (point: string) => {
  process.stdout.write(`PAUSED ${point}\n`);
  return new Promise<never>(() => undefined);
};

async function main(): Promise<void> {
  installQuietRuntime(); // as a real worker process does (workers/process.ts): the SDK's logs through pino
  const loaded = loadConfig();
  const config = { ...loaded, temporal: { ...loaded.temporal, taskQueues: { io: process.env.TESTLOOM_TEST_TASK_QUEUE!, llm: `${process.env.TESTLOOM_TEST_TASK_QUEUE!}-llm`, execute: `${process.env.TESTLOOM_TEST_TASK_QUEUE!}-execute` } } };
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const realHost = createRepoHost(config, database.db); // GitHub when the test hands it GITHUB_API_URL/GITHUB_TOKEN
  const repoHost: RepoHost = {
    kind: realHost.kind,
    getIssue: (repository, number) => realHost.getIssue(repository, number),
    getPermission: (repository, login) => realHost.getPermission(repository, login),
    commitFiles: async (request) => {
      const result = await realHost.commitFiles(request);
      return pauseAt === 'commit' ? pause('commit') : result;
    },
    openOrUpdateReview: (request) => realHost.openOrUpdateReview(request),
    upsertIssueComment: (request) => realHost.upsertIssueComment(request),
    createIssue: (request) => realHost.createIssue(request),
    readFiles: (repository, dir) => realHost.readFiles(repository, dir),
  };
  const retrieval = await createRetriever(config.retrieval);
  const models = await createModelAccess(config.llm, database.db);
  const activities = createActivities({ db: database.db, repoHost, links: runLinks(config), retrieval, models });
  const generate = activities.generate;
  activities.generate = async (subject, retrievalOutcome) => {
    const result = await generate(subject, retrievalOutcome);
    return pauseAt === 'generate' ? pause('generate') : result;
  };
  const execute = activities.execute;
  activities.execute = async (input) => {
    const result = await execute(input);
    return pauseAt === 'execute' ? pause('execute') : result;
  };
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const worker = await createWorker({
    config,
    connection,
    deps: { db: database.db, repoHost, links: runLinks(config), retrieval, models },
    activities,
    workflowBundle: { codePath: process.env.TESTLOOM_TEST_WORKFLOW_BUNDLE! },
    // This worker is SIGKILLed with the run in its cache: the next workflow task goes to the new worker after 1 s, not the default 10 s.
    stickyQueueScheduleToStartTimeout: '1s',
  });
  process.stdout.write('READY\n');
  await worker.run();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
