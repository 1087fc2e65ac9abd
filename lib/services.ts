/**
 * The composition root: every process (a worker, the embedded stack, the test harness) builds what
 * the stages and the API work with from a validated config, here and only here.
 */
import type { Kysely } from 'kysely';
import type { Tables } from '../schema/tables';
import type { Config } from './config';
import type { GenerationLimits } from './core/limits';
import { openDatabase, type Database, type MigrationMode } from './db/open';
import { holdCheckerProcess, type SuiteChecker } from './generation/gates/check-process';
import { createModelAccess, type ModelAccess } from './llm/from-config';
import { unloadLlamaModels } from './llm/llama-cpp';
import { createRepoHost } from './repohost/from-config';
import type { RepoHost } from './repohost/types';
import { createRetriever } from './retrieval/from-config';
import type { CaseRetriever } from './retrieval/retriever';
import { runLinks, type RunLinks } from './runs/links';
import { suiteSchedules, type SuiteSchedules } from './runs/schedules';

/** What the stage activities touch; tests may wrap or fault any part. */
export interface StageServices {
  db: Kysely<Tables>;
  repoHost: RepoHost;
  /** Similar past tests (embeddings + Chroma); absent when retrieval is switched off. */
  retrieval?: CaseRetriever;
  /** Links to a run (API, Temporal Web UI) for what is posted to repositories; absent: the run id only. */
  links?: RunLinks;
  /** Language models behind the gateway; absent when no provider is configured. */
  models?: ModelAccess;
  /** How much one run may generate; absent: the defaults. */
  limits?: GenerationLimits;
  /** TESTLOOM_REGRESSION_ISSUES: a regression also opens an issue; absent: it does not. */
  regressionIssues?: boolean;
  /** The operator's execution policy, which a repository's `.testloom.yml` target is checked against; absent: it may name none. */
  executionPolicy?: { hosts: string[]; variables: string[] };
  /** Schedules re-executing delivered suites, which finalize hands to a spec's newest run; absent: untouched. */
  schedules?: SuiteSchedules;
  /** Where suites are type-checked and compiled; absent: this process's own checker child. */
  gates?: SuiteChecker;
}

export interface Services extends StageServices {
  database: Database;
  /** Closes the database, frees an in-process model and stops the quality gates' checker; the caller closes its Temporal connections. */
  close(): Promise<void>;
}

export interface ServiceOptions {
  /**
   * A retriever the caller already made (the embedded stack loads the model before it starts any
   * server); otherwise one is made from the config first, so missing weights stop a process before
   * it opens anything.
   */
  retrieval?: CaseRetriever;
  /** `verify`: the schema must already be migrated (`testloom migrate`); default `apply`. */
  migrations?: MigrationMode;
  /** A checker the caller owns and keeps running after these services close; default this process's child. */
  gates?: SuiteChecker;
}

export async function createServices(config: Config, options: ServiceOptions = {}): Promise<Services> {
  const retrieval = options.retrieval ?? (await createRetriever(config.retrieval));
  const database = await openDatabase({
    databaseUrl: config.databaseUrl, dataDir: config.dataDir, pool: config.databasePool, migrations: options.migrations ?? 'apply',
  });
  const releaseChecker = options.gates ? () => undefined : holdCheckerProcess();
  try {
    return {
      database,
      db: database.db,
      repoHost: createRepoHost(config, database.db),
      retrieval,
      links: runLinks(config),
      models: await createModelAccess(config.llm, database.db),
      limits: config.generation.limits,
      executionPolicy: { hosts: config.execution.hosts, variables: config.execution.variables },
      regressionIssues: config.execution.regressionIssues,
      schedules: suiteSchedules(database.db, config),
      gates: options.gates,
      async close() {
        releaseChecker();
        await database.close();
        await unloadLlamaModels();
      },
    };
  } catch (err) {
    releaseChecker();
    await database.close();
    throw err;
  }
}
