/** Zod shapes the tools share: a target, and the run and execution forms they answer with. */
import * as z from 'zod';
import { RUN_STATUSES } from '../lib/core/run';
import { DESTRUCTIVE_METHODS } from '../lib/core/target';

export const runIdArgument = z.string().min(1, 'must be a run id (or a workflow id)').describe('Run id (or workflow id), as generate_tests or list_runs gave it');

export const targetArgument = z.object({
  baseUrl: z.url({ protocol: /^https?$/, error: 'must be an absolute http or https URL' }).describe('The API to run the suite against, e.g. http://127.0.0.1:8080/v1 (its host must be on the server\'s TESTLOOM_EXECUTION_HOSTS)'),
  env: z.record(z.string(), z.string()).optional().describe('API_* variables for the suite; credentials only as references ${WORKER_VARIABLE}'),
  allowedMethods: z.array(z.enum(DESTRUCTIVE_METHODS)).optional().describe('Destructive methods the suite may send; none by default'),
  allowedHosts: z.array(z.string().min(1)).optional().describe('Other hosts the suite may call'),
}).strict();

export const waitArguments = {
  wait: z.boolean().default(true).describe('Follow it (with progress notifications) until it ends or waitSeconds pass; false: answer at once'),
  waitSeconds: z.number().int().min(1).max(1800).default(50).describe('How long to follow it before answering with its id and where it is (default 50: under common client time limits)'),
};

const nullableString = z.string().nullable();

export const runSummaryShape = {
  id: z.string(),
  workflowId: z.string(),
  trigger: z.string(),
  repository: z.string(),
  status: z.enum(RUN_STATUSES),
  stage: nullableString,
  error: z.object({ stage: nullableString, message: z.string() }).nullable(),
  createdAt: z.string(),
  finishedAt: nullableString,
  uri: z.string().describe('The run\'s resource: testloom://runs/{id}'),
};

export const executionCountsSchema = z.record(z.string(), z.unknown()).nullable()
  .describe('What executing the suite found: tests, passed, apiDefects, flaky, dropped, coverage');

export const runSchema = z.object({
  ...runSummaryShape,
  stages: z.array(z.object({ stage: z.string(), attempt: z.number(), outcome: z.string(), error: nullableString })),
  testCases: z.object({ count: z.number(), byKind: z.record(z.string(), z.number()), notes: z.array(z.string()) }).nullable(),
  testCaseDocument: nullableString.describe('Resource URI of the test-case document'),
  files: z.array(z.object({ path: z.string(), kind: z.string(), delivery: z.string(), uri: z.string() })),
  execution: executionCountsSchema,
  executions: z.array(z.object({ id: z.string(), kind: z.string(), status: z.string(), baseUrl: nullableString, createdAt: z.string() })),
  delivery: z.object({ branch: z.string(), commitSha: z.string(), review: nullableString }).nullable(),
  retrieval: z.object({ status: z.string(), similarTests: z.number() }).nullable(),
  links: z.object({ temporalUi: z.string() }),
});
