import type { Migration } from 'kysely/migration';
import * as initial from './0001_initial';
import * as testCases from './0002_test_cases';
import * as issuesAndDeliveries from './0003_issues_and_deliveries';
import * as modelCalls from './0004_model_calls';
import * as localIssueComments from './0005_local_issue_comments';
import * as executions from './0006_executions';
import * as healthProbes from './0007_health_probes';
import * as normalizedSpecs from './0008_normalized_specs';
import * as regressions from './0009_regressions';
import * as webhookInbox from './0010_webhook_inbox';

/** All migrations by name, in order. Static so it works under any bundler, tsx or jest; add new ones here. */
export const migrations: Record<string, Migration> = {
  '0001_initial': initial,
  '0002_test_cases': testCases,
  '0003_issues_and_deliveries': issuesAndDeliveries,
  '0004_model_calls': modelCalls,
  '0005_local_issue_comments': localIssueComments,
  '0006_executions': executions,
  '0007_health_probes': healthProbes,
  '0008_normalized_specs': normalizedSpecs,
  '0009_regressions': regressions,
  '0010_webhook_inbox': webhookInbox,
};
