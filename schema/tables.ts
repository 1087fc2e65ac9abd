/**
 * Table types for Kysely. Property names are camelCase: the Kysely instance from
 * lib/db/open.ts uses CamelCasePlugin, which maps them to the snake_case columns
 * created in schema/migrations.
 */
import type { ColumnType, Selectable } from 'kysely';
import type { ArtifactKind, ExecutionKind, ExecutionStatus, RunStatus, SpecSourceKind, StageName, TriggerKind } from '../lib/core/run';
import type { ExecutionSummary, RunResult, Subject } from '../lib/core/contract';
import type { JsonObject, JsonValue } from '../lib/core/json';
import type { RunDetails } from '../lib/core/run-details';
import type { TargetConfig } from '../lib/core/target';

declare const jsonbBrand: unique symbol;
/**
 * A value serialized for a jsonb column. Only `jsonb()` in lib/db/json.ts makes one, so a raw JS
 * array can never reach `pg` (which would send it as a Postgres array).
 */
export interface JsonbInput {
  readonly [jsonbBrand]: true;
}

type Jsonb<T> = ColumnType<T, JsonbInput, JsonbInput>;
type NullableJsonb<T> = ColumnType<T | null, JsonbInput | null | undefined, JsonbInput | null>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type UpdatedAt = ColumnType<Date, Date | string | undefined, Date | string>;
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** bigint identity; both drivers are configured to return it as a JS number. */
type Identity = ColumnType<number, never, never>;

export type SpecFormat = 'json' | 'yaml';
export type StageOutcome = 'running' | 'succeeded' | 'failed' | 'abandoned' | 'cancelled';
export type ReviewStatus = 'open' | 'closed' | 'merged';

export interface SpecsTable {
  id: string;
  content: string;
  format: SpecFormat;
  sourceKind: SpecSourceKind;
  sourceLocation: string | null;
  title: string | null;
  openapiVersion: string | null;
  /** The validated, dereferenced spec as JSON (cycles as internal $refs); null until a receive stage wrote it. */
  normalized: string | null;
  createdAt: CreatedAt;
}

export interface RunsTable {
  id: string;
  workflowId: string;
  trigger: TriggerKind;
  repository: string;
  specId: string | null;
  subject: NullableJsonb<Subject>;
  status: ColumnType<RunStatus, RunStatus | undefined, RunStatus>;
  stage: StageName | null;
  error: string | null;
  errorStage: StageName | null;
  details: ColumnType<RunDetails, JsonbInput | undefined, JsonbInput>;
  /** The workflow's result, once it ended. */
  result: NullableJsonb<RunResult>;
  createdAt: CreatedAt;
  updatedAt: UpdatedAt;
  finishedAt: NullableTimestamp;
}

export interface StageEventsTable {
  id: Identity;
  runId: string;
  stage: StageName;
  attempt: number;
  startedAt: Timestamp;
  endedAt: NullableTimestamp;
  outcome: StageOutcome;
  error: string | null;
  details: NullableJsonb<JsonObject>;
}

export interface ArtifactsTable {
  id: Identity;
  runId: string;
  path: string;
  kind: ArtifactKind;
  /** As generated; `sha256` is its hash. */
  content: string;
  sha256: string;
  /** What the execute stage decided to deliver instead (flaky or unrepairable tests removed, repaired ones in); null: as generated. */
  deliveredContent: ColumnType<string | null, string | null | undefined, string | null>;
  /** Why the execute stage kept the file out of the commit; null: delivered. */
  withheldReason: ColumnType<string | null, string | null | undefined, string | null>;
  createdAt: CreatedAt;
}

/** One execution of a run's generated suite against a live API. */
export interface ExecutionsTable {
  /** The Temporal run id of the workflow that executed (the run itself for the pipeline's execute stage). */
  id: string;
  runId: string;
  workflowId: string;
  kind: ExecutionKind;
  /** As requested: credentials only as `${NAME}` references. */
  target: Jsonb<TargetConfig>;
  status: ExecutionStatus;
  summary: NullableJsonb<ExecutionSummary>;
  /** An ExecutionReport (lib/execution): its types sit above this layer, so the column knows it only as a JSON object. */
  report: NullableJsonb<JsonObject>;
  error: string | null;
  createdAt: CreatedAt;
  updatedAt: UpdatedAt;
  finishedAt: NullableTimestamp;
}

/** A test that passed in the previous completed execution against the same API and fails in this one. */
export interface RegressionsTable {
  executionId: string;
  runId: string;
  file: string;
  fullName: string;
  previousExecutionId: string;
  /** What the failing test saw (its last failure message). */
  failure: string | null;
  /** Where it was reported: the comment on the run's issue, the issue opened for it. */
  commentUrl: ColumnType<string | null, string | null | undefined, string | null>;
  issueUrl: ColumnType<string | null, string | null | undefined, string | null>;
  createdAt: CreatedAt;
}

export interface TestCasesTable {
  id: Identity;
  runId: string;
  caseId: string;
  kind: string;
  title: string;
  operationId: string | null;
  method: string | null;
  path: string | null;
  expectedStatus: string | null;
  file: string;
  createdAt: CreatedAt;
}

export interface LocalIssuesTable {
  repository: string;
  number: number;
  title: string;
  body: ColumnType<string, string | undefined, string>;
  labels: Jsonb<string[]>;
  author: string;
  state: 'open' | 'closed';
  updatedAt: UpdatedAt;
}

export interface LocalIssueCommentsTable {
  id: Identity;
  repository: string;
  issueNumber: number;
  marker: string;
  body: string;
  createdAt: CreatedAt;
  updatedAt: UpdatedAt;
}

export type Permission = 'admin' | 'maintain' | 'write' | 'triage' | 'read';

export interface LocalCollaboratorsTable {
  repository: string;
  login: string;
  permission: Permission;
}

/** `accepted`: stored and acknowledged, not handled yet (the inbox); every other outcome is final. */
export type DeliveryOutcome = 'accepted' | 'started' | 'existing' | 'signalled' | 'cancelled' | 'commented' | 'ignored' | 'refused' | 'failed';

export interface WebhookDeliveriesTable {
  id: string;
  event: string;
  action: string | null;
  repository: string | null;
  issueNumber: number | null;
  sender: string | null;
  outcome: DeliveryOutcome;
  reason: string | null;
  workflowId: string | null;
  runId: string | null;
  deliveries: ColumnType<number, number | undefined, number>;
  /** An accepted delivery's payload, until it is handled. */
  payload: NullableJsonb<Record<string, unknown>>;
  attempts: ColumnType<number, number | undefined, number>;
  /** When an accepted delivery may be claimed next; null once handled. */
  nextAttemptAt: Date | null;
  receivedAt: CreatedAt;
  updatedAt: UpdatedAt;
}

/** Rewritten by each health check (lib/monitoring/health.ts) to prove the database takes writes. */
export interface HealthProbesTable {
  name: string;
  checkedAt: UpdatedAt;
}

export interface ReviewsTable {
  id: Identity;
  repository: string;
  headBranch: string;
  baseBranch: string;
  title: string;
  body: string;
  diff: string;
  headSha: string;
  status: ColumnType<ReviewStatus, ReviewStatus | undefined, ReviewStatus>;
  runId: string | null;
  createdAt: CreatedAt;
  updatedAt: UpdatedAt;
}

export type ModelCallOutcome = 'ok' | 'invalid' | 'unavailable' | 'error' | 'cancelled' | 'budget_exceeded';

/** One model call made (or answered from cache, or refused by a budget) by the LLM gateway. */
export interface ModelCallsTable {
  id: Identity;
  runId: string | null;
  repository: string | null;
  task: string;
  provider: string;
  model: string;
  /** 0 for the first answer, n for the n-th repair. */
  attempt: ColumnType<number, number | undefined, number>;
  tokensIn: ColumnType<number, number | undefined, number>;
  tokensOut: ColumnType<number, number | undefined, number>;
  latencyMs: ColumnType<number, number | undefined, number>;
  /** Estimated USD; 0 for local models, null when the price of a hosted model is unknown. */
  costUsd: number | null;
  cacheHit: ColumnType<boolean, boolean | undefined, boolean>;
  outcome: ModelCallOutcome;
  error: string | null;
  createdAt: CreatedAt;
}

/** The LLM gateway's response cache. */
export interface ModelResponsesTable {
  key: string;
  provider: string;
  model: string;
  text: string;
  /** The parsed answer of a call that asked for JSON. */
  json: NullableJsonb<JsonValue>;
  tokensIn: number;
  tokensOut: number;
  createdAt: CreatedAt;
}

export interface Tables {
  specs: SpecsTable;
  runs: RunsTable;
  stageEvents: StageEventsTable;
  artifacts: ArtifactsTable;
  reviews: ReviewsTable;
  testCases: TestCasesTable;
  localIssues: LocalIssuesTable;
  localCollaborators: LocalCollaboratorsTable;
  localIssueComments: LocalIssueCommentsTable;
  webhookDeliveries: WebhookDeliveriesTable;
  modelCalls: ModelCallsTable;
  modelResponses: ModelResponsesTable;
  executions: ExecutionsTable;
  regressions: RegressionsTable;
  healthProbes: HealthProbesTable;
}

export type SpecRow = Selectable<SpecsTable>;
export type RunRow = Selectable<RunsTable>;
export type StageEventRow = Selectable<StageEventsTable>;
export type ArtifactRow = Selectable<ArtifactsTable>;
export type ReviewRow = Selectable<ReviewsTable>;
export type TestCaseRow = Selectable<TestCasesTable>;
export type LocalIssueRow = Selectable<LocalIssuesTable>;
export type LocalIssueCommentRow = Selectable<LocalIssueCommentsTable>;
export type WebhookDeliveryRow = Selectable<WebhookDeliveriesTable>;
export type ModelCallRow = Selectable<ModelCallsTable>;
export type ExecutionRow = Selectable<ExecutionsTable>;
export type RegressionRow = Selectable<RegressionsTable>;
