import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import type { Config } from '../lib/config';
import type { RepoHost } from '../lib/repohost/types';
import type { CaseRetriever } from '../lib/retrieval/retriever';
import type { WebhookInbox } from '../lib/webhooks/inbox';
import type { Tables } from '../schema/tables';

/** What the HTTP API's routes work with. */
export interface AppDeps {
  db: Kysely<Tables>;
  client: Client;
  config: Config;
  /** Where issues live and who may command testloom on a repository. */
  repoHost: RepoHost;
  /** Similar existing tests (`POST /api/v1/similar-tests`); absent: retrieval is off and that route answers 503. */
  retrieval?: CaseRetriever;
  /** Handles the webhook deliveries the receiver stored; `listen` starts one when the receiver is on. */
  webhookInbox?: Pick<WebhookInbox, 'wake'>;
}
