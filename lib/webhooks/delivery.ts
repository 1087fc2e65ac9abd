/** What handling a webhook delivery needs, gets and answers. */
import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import type { DeliveryOutcome, Tables } from '../../schema/tables';
import type { Config } from '../config';
import type { RepoHost } from '../repohost/types';

export interface WebhookDeps {
  db: Kysely<Tables>;
  client: Client;
  config: Config;
  repoHost: RepoHost;
}

export interface Delivery {
  id: string;
  event: string;
  payload: unknown;
}

export interface DeliveryResult {
  /** 202: a run was started or signalled; 204: nothing to do (see `reason`). */
  status: 202 | 204;
  outcome: DeliveryOutcome;
  reason?: string;
  workflowId?: string;
  runId?: string;
}
