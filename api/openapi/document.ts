/**
 * testloom's own HTTP API as an OpenAPI 3.1 description: served at `GET /api/openapi.json` and the
 * source of the request validators (api/validation.ts compiles the request schemas below with ajv),
 * so what the document says is what the server enforces.
 *
 * Schemas are JSON Schema 2020-12 (OpenAPI 3.1's dialect). `x-error-message` on a schema replaces
 * ajv's wording for any failure of that schema's own keywords (e.g. a pattern) in 400 responses.
 */

import { EXECUTION_KINDS, EXECUTION_STATUSES, RUN_STATUSES, TRIGGERS } from '../../lib/core/run';
import { REPOSITORY_PATTERN } from '../../lib/core/repository';
import { DESTRUCTIVE_METHODS } from '../../lib/core/target';
import { CURSOR_PATTERN } from '../../lib/db/runs';
import { ISSUE_PATTERN, MAX_ISSUE_NUMBER } from '../../lib/issues/issue-ref';
import { CHECK_NAMES, CHECK_STATUSES, HEALTH_STATUSES } from '../../lib/monitoring/health';
import type { HttpMethod } from '../../lib/openapi/operation';
import { FRAMEWORKS } from '../../lib/core/frameworks';
import { SPEC_NAME_MAX_LENGTH, SPEC_NAME_PATTERN } from '../../lib/core/subject';

export type JsonSchema = { [keyword: string]: unknown };

export interface OpenApiOperation {
  operationId: string;
  summary: string;
  description?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  parameters?: ({ $ref: string } | OpenApiParameter)[];
  requestBody?: { required?: boolean; description?: string; content: Record<string, { schema: JsonSchema; example?: unknown }> };
  responses: Record<string, unknown>;
}

export interface OpenApiParameter {
  name: string;
  in: 'query' | 'path' | 'header';
  required?: boolean;
  description?: string;
  schema: JsonSchema;
}

export type OpenApiPathItem = Partial<Record<HttpMethod, OpenApiOperation>> & { parameters?: ({ $ref: string } | OpenApiParameter)[] };

export interface OpenApiDocument {
  openapi: string;
  jsonSchemaDialect: string;
  info: { title: string; version: string; description: string; license: { name: string; identifier: string } };
  servers: { url: string }[];
  security: Record<string, string[]>[];
  tags: { name: string; description: string }[];
  paths: Record<string, OpenApiPathItem>;
  components: {
    schemas: Record<string, JsonSchema>;
    parameters: Record<string, OpenApiParameter>;
    responses: Record<string, unknown>;
    headers: Record<string, unknown>;
    securitySchemes: Record<string, unknown>;
  };
}

/** Largest JSON body of the requests that carry no spec (cancel, …). */
export const SMALL_JSON_LIMIT_BYTES = 64 * 1024;
/** Content types `POST /api/v1/runs` takes as a raw spec (`curl --data-binary @spec.yaml`). */
export const RAW_SPEC_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/plain', 'application/vnd.oai.openapi'];

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const response = (name: string) => ({ $ref: `#/components/responses/${name}` });
const json = (schema: JsonSchema) => ({ 'application/json': { schema } });
const open: Record<string, string[]>[] = [];

/** What a started run's id leads to (OpenAPI links: documentation, and the paths stateful tests follow). */
const runLinks = Object.fromEntries(['getRun', 'cancelRun', 'executeRun', 'listExecutions'].map((operationId) => [
  operationId, { operationId, parameters: { id: '$response.body#/runId' } },
]));

/** A spec small enough to show in the description: valid, with no operations (its run generates nothing). */
const EXAMPLE_SPEC = 'openapi: 3.0.3\ninfo: {title: Example, version: "1"}\npaths: {}\n';

/** Text that is stored as it is given: Postgres cannot hold a NUL character. */
const storableText = { pattern: '^[^\\u0000]*$', 'x-error-message': 'must not contain a NUL character (U+0000)' };

/** What a spec run request and a plan request share. */
const specRunProperties = {
  spec: ref('SpecReference'),
  repository: ref('Repository'),
  framework: { type: 'string', enum: [...FRAMEWORKS], description: 'Test framework of the generated suite; default `TESTLOOM_TEST_FRAMEWORK`' },
};

const standardErrors = {
  '401': response('Unauthorized'),
  '429': response('TooManyRequests'),
  '500': response('InternalError'),
};

export const openApiDocument: OpenApiDocument = {
  openapi: '3.1.0',
  jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
  info: {
    title: 'testloom HTTP API',
    version: '1.0.0',
    description: [
      'Start, list, inspect and cancel testloom runs: each run is a durable Temporal workflow that turns an',
      'API specification or a GitHub issue into reviewed, executable tests.',
      '',
      '`/api/v1/*` needs `Authorization: Bearer <key>` with one of the keys in `TESTLOOM_API_KEYS`; a server',
      'started without keys listens on loopback only and needs none. Requests are limited to',
      '`TESTLOOM_RATE_LIMIT_PER_MINUTE` per API key and per client IP (429 with `Retry-After`).',
      'Every error is `{"error": {"code", "message", "details": [{"field", "message"}]}}`.',
    ].join('\n'),
    license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
  },
  servers: [{ url: '/' }],
  security: [{ bearerAuth: [] }],
  tags: [
    { name: 'runs', description: 'Test-generation runs' },
    { name: 'operations', description: 'Health, metrics and this description; no API key needed' },
    { name: 'webhooks', description: 'Deliveries from GitHub, authenticated by their HMAC signature' },
    { name: 'schedules', description: 'Schedules that re-execute delivered suites, and the regressions their executions find' },
  ],
  paths: {
    '/api/v1/runs': {
      post: {
        operationId: 'startRun',
        tags: ['runs'],
        summary: 'Start a run for a spec or an issue, or find the one already started',
        description: [
          'The workflow id is the idempotency key: the same spec (any format or key order) under the same name for the same repository,',
          'or the same issue, finds the existing run (200) instead of starting a second one (202). A new revision of a named spec',
          'starts a new run that updates the same branch and pull request. Only a failed or',
          'cancelled run is started afresh. A request with other options (framework, target) than the run found gets 409',
          '`run_conflict` naming each, unless it sets `rerun`: a new run then starts under the same workflow id once the',
          'old one has ended (it updates the same branch and pull request). A spec may also be sent as the body itself (YAML or JSON text, with one',
          'of the raw content types), the target repository then comes from `?repository=`.',
          'The spec itself may be at most `TESTLOOM_MAX_SPEC_BYTES` (5 MiB by default); the JSON envelope around an',
          'embedded spec may add 64 KiB.',
        ].join('\n'),
        parameters: [{ $ref: '#/components/parameters/UploadRepository' }],
        requestBody: {
          required: true,
          content: {
            'application/json': { schema: ref('StartRunRequest'), example: { spec: { content: EXAMPLE_SPEC } } },
            ...Object.fromEntries(RAW_SPEC_TYPES.map((type) => [type, { schema: { type: 'string', minLength: 1, description: 'The spec document itself (YAML or JSON)' } }])),
          },
        },
        responses: {
          '200': { description: 'A run for this spec and repository (or this issue) already exists', headers: { Location: { $ref: '#/components/headers/Location' } }, content: json(ref('StartedRun')), links: runLinks },
          '202': { description: 'Run started', headers: { Location: { $ref: '#/components/headers/Location' } }, content: json(ref('StartedRun')), links: runLinks },
          '400': {
            description: [
              'Malformed JSON (`invalid_json`), a body or query the schemas here do not allow (`invalid_request`), an issue run whose',
              '`repository` is not the issue\'s own (`invalid_request`), or a spec that cannot be used (`invalid_spec`): `spec.content`',
              '(or the raw body) that is not an OpenAPI 3.x / Swagger 2.0 document, a `spec.path` or `spec.url` that is refused or does',
              'not lead to a file. Whether a text is an API description is decided by parsing it, not by a schema. `details` names each',
              'bad field.',
            ].join(' '),
            content: json(ref('Error')),
          },
          '404': { description: 'The issue is unknown to the repository host (`not_found`)', content: json(ref('Error')) },
          '409': {
            description: 'A run for this spec and repository exists with other options (`run_conflict`); `details` names each option that differs',
            content: json(ref('Error')),
          },
          '413': response('PayloadTooLarge'),
          '415': response('UnsupportedMediaType'),
          '422': { description: 'The spec URL could not be fetched (`spec_unavailable`)', content: json(ref('Error')) },
          ...standardErrors,
        },
      },
      get: {
        operationId: 'listRuns',
        tags: ['runs'],
        summary: 'List runs, newest first',
        parameters: [
          { name: 'status', in: 'query', description: 'Only runs in this state', schema: { type: 'string', enum: RUN_STATUSES } },
          { name: 'trigger', in: 'query', description: 'Only runs started by a spec or by an issue', schema: { type: 'string', enum: TRIGGERS } },
          { name: 'repository', in: 'query', description: 'Only runs for this target repository', schema: ref('Repository') },
          {
            name: 'limit', in: 'query', description: 'Page size',
            schema: { type: 'integer', minimum: 1, maximum: 100, default: 20, 'x-error-message': 'must be a whole number from 1 to 100' },
          },
          {
            name: 'cursor', in: 'query', description: '`nextCursor` of the previous page: the position after its last run (`<seconds>.<microseconds>.<run id, base64url>`)',
            schema: { type: 'string', pattern: CURSOR_PATTERN, maxLength: 512, 'x-error-message': 'must be the nextCursor of a page' },
          },
        ],
        responses: {
          '200': { description: 'One page of runs', content: json(ref('RunList')) },
          '400': response('BadRequest'),
          ...standardErrors,
        },
      },
    },
    '/api/v1/runs/{id}': {
      parameters: [{ $ref: '#/components/parameters/RunId' }],
      get: {
        operationId: 'getRun',
        tags: ['runs'],
        summary: 'One run: database record, stage attempts, files, review, live workflow state, Web UI link',
        responses: {
          '200': { description: 'The run', content: json(ref('Run')) },
          '400': response('BadRequest'),
          '404': response('NotFound'),
          ...standardErrors,
        },
      },
    },
    '/api/v1/plans': {
      post: {
        operationId: 'planRun',
        tags: ['runs'],
        summary: 'What a spec run would generate, and which credential variables its suite reads; nothing is stored or started',
        description: [
          'The spec and target are checked exactly as `POST /api/v1/runs` checks them (an `API_AUTH_*` variable no security',
          'scheme of the spec reads is a 400 naming the valid ones). The answer lists each operation with its test cases by',
          'kind, the operations that would be skipped and why, and every `API_AUTH_<SCHEME>` variable with what it must hold.',
        ].join('\n'),
        requestBody: { required: true, content: { 'application/json': { schema: ref('PlanRequest'), example: { spec: { content: EXAMPLE_SPEC } } } } },
        responses: {
          '200': { description: 'The plan', content: json(ref('RunPlan')) },
          '400': { description: 'A request the schema does not allow (`invalid_request`) or a spec that cannot be used (`invalid_spec`)', content: json(ref('Error')) },
          '413': response('PayloadTooLarge'),
          '415': response('UnsupportedMediaType'),
          '422': { description: 'The spec URL could not be fetched (`spec_unavailable`)', content: json(ref('Error')) },
          ...standardErrors,
        },
      },
    },
    '/api/v1/runs/{id}/cancel': {
      parameters: [{ $ref: '#/components/parameters/RunId' }],
      post: {
        operationId: 'cancelRun',
        tags: ['runs'],
        summary: 'Ask a running run to stop (the workflow\'s `cancel` signal)',
        requestBody: { required: false, content: json(ref('CancelRunRequest')) },
        responses: {
          '202': { description: 'The cancel signal was delivered', content: json(ref('CancellingRun')) },
          '400': response('BadRequest'),
          '404': response('NotFound'),
          '409': { description: 'The run already ended (`run_finished`)', content: json(ref('Error')) },
          '413': response('PayloadTooLarge'),
          '415': response('UnsupportedMediaType'),
          ...standardErrors,
        },
      },
    },
    '/api/v1/runs/{id}/retry': {
      parameters: [{ $ref: '#/components/parameters/RunId' }],
      post: {
        operationId: 'retryRun',
        tags: ['runs'],
        summary: 'Start a failed or cancelled run again, with the input it was started with',
        description: [
          'The workflow id starts again with the run\'s start input (read from its history): it delivers to the same branch and',
          'pull request. The run retried keeps its history; the new one records it as `details.retryOf`. When the workflow id',
          'has started again since (another retry, a rerun), that run is the answer (200) and nothing new starts.',
        ].join('\n'),
        responses: {
          '200': { description: 'The workflow id had already started again: that run', headers: { Location: { $ref: '#/components/headers/Location' } }, content: json(ref('RetriedRun')) },
          '202': { description: 'The retry started', headers: { Location: { $ref: '#/components/headers/Location' } }, content: json(ref('RetriedRun')) },
          '400': response('BadRequest'),
          '404': response('NotFound'),
          '409': { description: 'The run did not fail and was not cancelled (`not_retryable`), or its start input cannot be read (`history_unreadable`)', content: json(ref('Error')) },
          ...standardErrors,
        },
      },
    },
    '/api/v1/failures': {
      get: {
        operationId: 'listFailures',
        tags: ['runs'],
        summary: 'Failed runs grouped by the stage they failed in and the reason (ids and hashes blanked), the largest group first',
        parameters: [{ name: 'repository', in: 'query', description: 'Only runs for this target repository', schema: ref('Repository') }],
        responses: {
          '200': { description: 'The groups (of the newest thousand failed runs)', content: json(ref('FailureGroups')) },
          '400': response('BadRequest'),
          ...standardErrors,
        },
      },
    },
    '/api/v1/runs/{id}/execute': {
      parameters: [{ $ref: '#/components/parameters/RunId' }],
      post: {
        operationId: 'executeRun',
        tags: ['runs'],
        summary: 'Run a run\'s generated suite against an API again and store the report',
        description: [
          'Runs the suite `TESTLOOM_EXECUTION_RUNS` times against the target through the recording proxy, then triages',
          'failures and measures coverage, like the execute stage; nothing is repaired, committed or posted. Without a',
          '`target`, the repository\'s configured one (`TESTLOOM_TARGETS_FILE`) is used. The same target while the',
          'execution runs finds it (200); afterwards a request executes again (202).',
        ].join('\n'),
        requestBody: { required: false, content: json(ref('ExecuteRunRequest')) },
        responses: {
          '200': { description: 'This execution is already running', content: json(ref('StartedExecution')) },
          '202': { description: 'Execution started', content: json(ref('StartedExecution')) },
          '400': {
            description: 'A body the schemas here do not allow, no `target` while none is configured, or a target this server may not run against (a host outside `TESTLOOM_EXECUTION_HOSTS`, an environment reference it may not pass): `invalid_request` naming the field',
            content: json(ref('Error')),
          },
          '404': response('NotFound'),
          '409': { description: 'The run has no generated API suite (`not_executable`)', content: json(ref('Error')) },
          '413': response('PayloadTooLarge'),
          '415': response('UnsupportedMediaType'),
          ...standardErrors,
        },
      },
    },
    '/api/v1/runs/{id}/executions': {
      parameters: [{ $ref: '#/components/parameters/RunId' }],
      get: {
        operationId: 'listExecutions',
        tags: ['runs'],
        summary: 'The executions of a run\'s suite, newest first (summaries)',
        responses: {
          '200': { description: 'Executions', content: json({ type: 'object', required: ['executions'], properties: { executions: { type: 'array', items: ref('Execution') } } }) },
          '400': response('BadRequest'),
          '404': response('NotFound'),
          ...standardErrors,
        },
      },
    },
    '/api/v1/runs/{id}/executions/{executionId}': {
      parameters: [
        { $ref: '#/components/parameters/RunId' },
        { name: 'executionId', in: 'path', required: true, description: 'Execution id (its workflow\'s run id; the run id for the execute stage)', schema: { type: 'string', minLength: 1 } },
      ],
      get: {
        operationId: 'getExecution',
        tags: ['runs'],
        summary: 'One execution with its full report: per-test outcome of every run, findings with reproducers, coverage by operation',
        responses: {
          '200': { description: 'The execution', content: json(ref('Execution')) },
          '400': response('BadRequest'),
          '404': response('NotFound'),
          ...standardErrors,
        },
      },
    },
    '/api/v1/runs/{id}/files/{path}': {
      parameters: [
        { $ref: '#/components/parameters/RunId' },
        {
          name: 'path', in: 'path', required: true,
          description: 'The file\'s path in the repository as the run lists it under `artifacts` (e.g. `tests/api/petstore/pets.test.ts`), percent-encoded (`/` as `%2F`; plain slashes are accepted too)',
          schema: { type: 'string', minLength: 1 },
        },
      ],
      get: {
        operationId: 'getRunFile',
        tags: ['runs'],
        summary: 'One file a run generated, with its content: as the commit delivers it, and as generated when the execute stage edited it',
        description: 'Read from the database, never from a filesystem: the path is compared with the run\'s stored file paths as text.',
        responses: {
          '200': { description: 'The file', content: json(ref('RunFile')) },
          '400': response('BadRequest'),
          '404': { description: 'No such run, or the run has no file at this path (`not_found`, naming the path)', content: json(ref('Error')) },
          ...standardErrors,
        },
      },
    },
    '/api/v1/webhook-deliveries/{deliveryId}': {
      parameters: [{ name: 'deliveryId', in: 'path', required: true, description: 'The delivery\'s `X-GitHub-Delivery` id', schema: { type: 'string', minLength: 1, maxLength: 100 } }],
      get: {
        operationId: 'getWebhookDelivery',
        tags: ['webhooks'],
        summary: 'What became of a GitHub delivery: `accepted` while the webhook inbox has not handled it, then its outcome, reason and run',
        responses: {
          '200': { description: 'The delivery (its payload is not shown)', content: json(ref('WebhookDelivery')) },
          '400': response('BadRequest'),
          '404': response('NotFound'),
          ...standardErrors,
        },
      },
    },
    '/api/v1/similar-tests': {
      post: {
        operationId: 'findSimilarTests',
        tags: ['runs'],
        summary: 'The stored test cases of a repository most similar to a text, best first (the retrieval a run does before generating)',
        description: [
          'Searches the vector index of test cases (those of finished runs, and those `testloom index` read from a checkout) by',
          'embedding `query` in-process. 503 `retrieval_unavailable` when retrieval is switched off (`TESTLOOM_RETRIEVAL=off`) or',
          'the vector store does not answer.',
        ].join('\n'),
        requestBody: { required: true, content: json(ref('SimilarTestsRequest')) },
        responses: {
          '200': { description: 'The most similar test cases, best first (none when the repository has none indexed)', content: json(ref('SimilarTests')) },
          '400': response('BadRequest'),
          '413': response('PayloadTooLarge'),
          '415': response('UnsupportedMediaType'),
          '503': { description: 'No retrieval on this server, or the vector store does not answer (`retrieval_unavailable`)', content: json(ref('Error')) },
          ...standardErrors,
        },
      },
    },
    '/api/v1/runs/{id}/schedule': {
      parameters: [{ $ref: '#/components/parameters/RunId' }],
      post: {
        operationId: 'scheduleRun',
        tags: ['schedules'],
        summary: 'Re-execute a run\'s delivered suite on a schedule (a Temporal Schedule)',
        description: [
          'Creates a Temporal Schedule that starts an execution of the run\'s delivered suite (like `POST /api/v1/runs/{id}/execute`)',
          'against the target, checked now as that operation checks it (default: the repository\'s configured one), by `cron` or',
          'every `interval` (at most every 15 minutes); a firing while the last execution still runs is skipped. Each execution is',
          'stored; tests that passed in the previous execution and fail now are regressions (`GET /api/v1/runs/{id}/regressions`).',
          'One schedule per spec (repository and name; per run for issue runs): the same request again finds it (200), a later',
          'revision\'s run takes it over (200, same timing and target), another timing, target or cut is a conflict (409).',
          'Each later delivered revision of the spec takes the schedule over by itself, and a `.testloom.yml` `schedule` creates one.',
        ].join('\n'),
        requestBody: { required: true, content: json(ref('ScheduleRunRequest')) },
        responses: {
          '200': { description: 'The run\'s schedule already exists with this request', headers: { Location: { $ref: '#/components/headers/Location' } }, content: json(ref('Schedule')) },
          '201': { description: 'Schedule created', headers: { Location: { $ref: '#/components/headers/Location' } }, content: json(ref('Schedule')) },
          '400': {
            description: 'Neither or both of `cron` and `interval`, a cron expression that is not one or fires more often than every 15 minutes, an interval under 15m, no `target` while none is configured, or a target this server may not run against: `invalid_request` naming the field',
            content: json(ref('Error')),
          },
          '404': response('NotFound'),
          '409': { description: 'The run has no generated API suite (`not_executable`), or its schedule exists with another run, timing or target (`schedule_conflict`, naming each)', content: json(ref('Error')) },
          '413': response('PayloadTooLarge'),
          '415': response('UnsupportedMediaType'),
          ...standardErrors,
        },
      },
    },
    '/api/v1/runs/{id}/regressions': {
      parameters: [{ $ref: '#/components/parameters/RunId' }],
      get: {
        operationId: 'listRegressions',
        tags: ['schedules'],
        summary: 'Tests of the run\'s suite that passed in one execution and failed in the next against the same API, newest first',
        description: 'Each regression is reported once: in the API here, on the run\'s issue (a comment per execution), and, with `TESTLOOM_REGRESSION_ISSUES=on`, in one new issue per execution. A test that keeps failing is no new regression.',
        responses: {
          '200': { description: 'Regressions', content: json({ type: 'object', required: ['regressions'], properties: { regressions: { type: 'array', items: ref('Regression') } } }) },
          '400': response('BadRequest'),
          '404': response('NotFound'),
          ...standardErrors,
        },
      },
    },
    '/api/v1/schedules': {
      get: {
        operationId: 'listSchedules',
        tags: ['schedules'],
        summary: 'testloom\'s schedules (a new one may take a moment to be listed: Temporal lists from its visibility store)',
        responses: {
          '200': { description: 'Schedules', content: json({ type: 'object', required: ['schedules'], properties: { schedules: { type: 'array', items: ref('Schedule') } } }) },
          ...standardErrors,
        },
      },
    },
    '/api/v1/schedules/{scheduleId}': {
      parameters: [{ $ref: '#/components/parameters/ScheduleId' }],
      get: {
        operationId: 'getSchedule',
        tags: ['schedules'],
        summary: 'One schedule: its run, timing, target, whether it is paused, next and recent executions',
        responses: {
          '200': { description: 'The schedule', content: json(ref('Schedule')) },
          '400': response('BadRequest'),
          '404': response('NotFound'),
          ...standardErrors,
        },
      },
      delete: {
        operationId: 'deleteSchedule',
        tags: ['schedules'],
        summary: 'Delete a schedule; executions it started keep running and stay stored',
        responses: {
          '204': { description: 'Deleted' },
          '400': response('BadRequest'),
          '404': response('NotFound'),
          ...standardErrors,
        },
      },
    },
    '/api/v1/schedules/{scheduleId}/pause': {
      parameters: [{ $ref: '#/components/parameters/ScheduleId' }],
      post: {
        operationId: 'pauseSchedule',
        tags: ['schedules'],
        summary: 'Pause a schedule: it starts no execution until resumed (pausing a paused one changes nothing)',
        responses: {
          '200': { description: 'The paused schedule', content: json(ref('Schedule')) },
          '400': response('BadRequest'),
          '404': response('NotFound'),
          ...standardErrors,
        },
      },
    },
    '/api/v1/schedules/{scheduleId}/resume': {
      parameters: [{ $ref: '#/components/parameters/ScheduleId' }],
      post: {
        operationId: 'resumeSchedule',
        tags: ['schedules'],
        summary: 'Resume a paused schedule (resuming a running one changes nothing)',
        responses: {
          '200': { description: 'The resumed schedule', content: json(ref('Schedule')) },
          '400': response('BadRequest'),
          '404': response('NotFound'),
          ...standardErrors,
        },
      },
    },
    '/api/health': {
      get: {
        operationId: 'getHealth',
        tags: ['operations'],
        summary: 'Whether each dependency answers: Temporal, database, vector store, model provider, repository host',
        description: 'Not rate limited and needs no API key: load balancers and orchestrators probe it.',
        security: open,
        responses: {
          '200': { description: 'Everything answers', content: json(ref('Health')) },
          '503': { description: 'At least one dependency is down; each check says why', content: json(ref('Health')) },
        },
      },
    },
    '/metrics': {
      get: {
        operationId: 'getMetrics',
        tags: ['operations'],
        summary: 'Prometheus metrics (text exposition format)',
        description: 'Not rate limited and needs no API key: scrapers poll it.',
        security: open,
        responses: {
          '200': { description: 'Metrics', content: { 'text/plain': { schema: { type: 'string' } } } },
        },
      },
    },
    '/api/openapi.json': {
      get: {
        operationId: 'getOpenApiDocument',
        tags: ['operations'],
        summary: 'This description',
        security: open,
        responses: {
          '200': { description: 'OpenAPI 3.1 document', content: json({ type: 'object' }) },
        },
      },
    },
    '/api/webhooks/spec-changed': {
      post: {
        operationId: 'receiveSpecChangedWebhook',
        tags: ['webhooks'],
        summary: 'A "spec changed" delivery from an API design tool: starts a revision run of the named spec',
        description: [
          'For API design tools that notify when an endpoint is created, updated or deleted. Authenticated like GitHub\'s deliveries:',
          '`X-Testloom-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>` with `TESTLOOM_SPEC_WEBHOOK_SECRET`, no API key; off',
          '(503 `webhooks_disabled`) when that is unset. The body names the spec (its new revision, as in a run request) and its',
          '`name`: the run updates the spec\'s branch and pull request like any revision, and the same revision again finds its run (200).',
        ].join('\n'),
        security: open,
        parameters: [
          { name: 'X-Testloom-Signature-256', in: 'header', required: true, description: '`sha256=<hex HMAC of the raw body>`', schema: { type: 'string', pattern: '^sha256=[0-9a-f]{64}$' } },
        ],
        requestBody: { required: true, content: json(ref('SpecChangedDelivery')) },
        responses: {
          '200': { description: 'This revision already has a run', content: json(ref('StartedRun')) },
          '202': { description: 'A revision run started', content: json(ref('StartedRun')) },
          '400': { description: 'A body the schema does not allow (`invalid_request`, naming the field), malformed JSON, or a spec that cannot be used (`invalid_spec`)', content: json(ref('Error')) },
          '401': { description: 'The signature is missing or does not match (`invalid_signature`)', content: json(ref('Error')) },
          '413': response('PayloadTooLarge'),
          '422': { description: 'The spec URL could not be fetched (`spec_unavailable`)', content: json(ref('Error')) },
          '503': { description: 'The receiver is off (`webhooks_disabled`)', content: json(ref('Error')) },
          '429': response('TooManyRequests'),
          '500': response('InternalError'),
        },
      },
    },
    '/api/webhooks/github': {
      post: {
        operationId: 'receiveGithubWebhook',
        tags: ['webhooks'],
        summary: 'GitHub webhook deliveries (issues, issue comments, pull requests)',
        description: [
          'Authenticated by `X-Hub-Signature-256` (HMAC-SHA256 of the raw body with `GITHUB_WEBHOOK_SECRET`), not by an',
          'API key. Off (503 `webhooks_disabled`) when `GITHUB_WEBHOOK_SECRET` is unset. Bodies up to 25 MB (GitHub\'s own limit).',
          'A delivery whose payload alone shows it asks for nothing is answered 204 at once. Any other is stored and',
          'answered 202 `accepted` before anything is started; the webhook inbox then handles it in the background (retried',
          'while Temporal or the repository host cannot be reached) and records its outcome with the delivery. A redelivery',
          'of a delivery that started or signalled a run is answered 202 with that outcome and run, and changes nothing.',
        ].join('\n'),
        security: open,
        parameters: [
          { name: 'X-GitHub-Event', in: 'header', required: true, description: 'Event name, e.g. `issues`', schema: { type: 'string', minLength: 1, maxLength: 100 } },
          { name: 'X-GitHub-Delivery', in: 'header', required: true, description: 'Delivery id (GUID)', schema: { type: 'string', minLength: 1, maxLength: 100 } },
          { name: 'X-Hub-Signature-256', in: 'header', required: true, description: '`sha256=<hex HMAC of the raw body>`', schema: { type: 'string', pattern: '^sha256=[0-9a-f]{64}$' } },
        ],
        requestBody: {
          required: true,
          description: 'The event payload exactly as GitHub sent it (the signature covers these bytes)',
          content: {
            'application/json': { schema: { type: 'object' } },
            'application/x-www-form-urlencoded': { schema: { type: 'object', properties: { payload: { type: 'string' } } } },
          },
        },
        responses: {
          '202': {
            description: 'Delivery stored for the inbox (`outcome: accepted`), or a redelivery of one that started, found, signalled or cancelled a run (that outcome, its workflow and run)',
            content: json({
              type: 'object',
              properties: { delivery: { type: 'string' }, outcome: { type: 'string' }, workflowId: { type: 'string' }, runId: { type: 'string' }, reason: { type: 'string' } },
            }),
          },
          '204': {
            description: `Delivery accepted; it asks for nothing (wrong label, other event, an issue number beyond ${MAX_ISSUE_NUMBER}, …); \`X-Testloom-Reason\` says why`,
            headers: { 'X-Testloom-Reason': { description: 'Why nothing was done', schema: { type: 'string' } } },
          },
          '400': { description: 'A header is missing or too long (`invalid_request`), the payload is not a JSON object (`invalid_json`), or a field testloom reads has the wrong type (`invalid_payload`)', content: json(ref('Error')) },
          '401': { description: 'Missing or wrong signature (`invalid_signature`)', content: json(ref('Error')) },
          '413': response('PayloadTooLarge'),
          '503': { description: 'The receiver is off: `GITHUB_WEBHOOK_SECRET` is unset (`webhooks_disabled`)', content: json(ref('Error')) },
        },
      },
    },
  },
  components: {
    securitySchemes: {
      bearerAuth: {
        type: 'http',
        scheme: 'bearer',
        description: 'One of the keys in `TESTLOOM_API_KEYS` (the CLI sends `TESTLOOM_API_KEY`). Not needed when the server runs without keys (loopback only).',
      },
    },
    parameters: {
      RunId: { name: 'id', in: 'path', required: true, description: 'Run id (Temporal run id) or workflow id', schema: { type: 'string', minLength: 1 } },
      ScheduleId: { name: 'scheduleId', in: 'path', required: true, description: 'Schedule id (`execute-schedule:<the run\'s workflow id>`, percent-encoded)', schema: { type: 'string', minLength: 1 } },
      UploadRepository: {
        name: 'repository', in: 'query', description: 'Target repository: how a raw spec upload names it; a JSON body may name it here or in `repository` (both given must agree, else 400)',
        schema: ref('Repository'),
      },
    },
    headers: {
      Location: { description: 'Path of the run', schema: { type: 'string' } },
      RetryAfter: { description: 'Seconds until the rate-limit window resets', schema: { type: 'integer', minimum: 0 } },
      WwwAuthenticate: { description: '`Bearer realm="testloom"`, with `error="invalid_token"` for a wrong key', schema: { type: 'string' } },
    },
    responses: {
      BadRequest: { description: 'Malformed JSON (`invalid_json`), a path that is not valid percent-encoding, or a request the description does not allow (`invalid_request`, `invalid_spec`); `details` names each bad field', content: json(ref('Error')) },
      Unauthorized: {
        description: 'Missing or wrong API key (`unauthorized`)',
        headers: { 'WWW-Authenticate': { $ref: '#/components/headers/WwwAuthenticate' } },
        content: json(ref('Error')),
      },
      NotFound: { description: 'No such run or route (`not_found`)', content: json(ref('Error')) },
      PayloadTooLarge: { description: 'Body or spec over its limit (`payload_too_large`); the message names the limit in bytes', content: json(ref('Error')) },
      UnsupportedMediaType: { description: 'A Content-Type the operation does not take (`unsupported_media_type`); `details` lists the accepted ones', content: json(ref('Error')) },
      TooManyRequests: {
        description: 'Over `TESTLOOM_RATE_LIMIT_PER_MINUTE` for this API key or client IP (`rate_limited`)',
        headers: { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } },
        content: json(ref('Error')),
      },
      InternalError: { description: 'Unexpected failure (`internal`); logged on the server with secrets redacted', content: json(ref('Error')) },
    },
    schemas: {
      Repository: {
        type: 'string', pattern: REPOSITORY_PATTERN, maxLength: 200,
        description: 'A repository as `owner/name`; default `TESTLOOM_DEFAULT_REPOSITORY`',
        'x-error-message': 'must be owner/name',
      },
      SpecReference: {
        type: 'object',
        description: 'Where the spec is: exactly one of `content` (the YAML or JSON text), `url` (http or https; a public address, or a host on `TESTLOOM_SPEC_URL_HOSTS`), `path` (a file under `TESTLOOM_SPEC_ROOTS`; refused when that is unset). Content and URL specs may use internal `$ref`s (`#/…`) only; a path spec\'s relative refs must stay inside its own directory and are bundled when it is stored',
        additionalProperties: false,
        minProperties: 1,
        maxProperties: 1,
        properties: {
          path: { type: 'string', minLength: 1 },
          url: { type: 'string', format: 'uri', pattern: '^[Hh][Tt][Tt][Pp][Ss]?://', 'x-error-message': 'must be an absolute http or https URL' },
          content: {
            type: 'string', minLength: 1,
            description: 'The YAML or JSON text of an OpenAPI 3.x or Swagger 2.0 document; any other text is refused with 400 `invalid_spec`',
          },
        },
        'x-error-message': 'must have exactly one of content, path or url',
      },
      SpecRunRequest: {
        type: 'object',
        additionalProperties: false,
        required: ['spec'],
        properties: {
          ...specRunProperties,
          name: {
            type: 'string', pattern: SPEC_NAME_PATTERN, maxLength: SPEC_NAME_MAX_LENGTH,
            description: 'The spec\'s name in the repository (e.g. its path there, `api/openapi.yaml`): with the repository, its identity across revisions. Every revision of one name updates one branch and pull request, with a summary of the operations added, changed and removed. Default: the spec\'s title',
            'x-error-message': 'must be slash-separated segments of letters, digits, `.`, `_` and `-`, none starting with a dot',
          },
          target: { ...ref('Target'), description: 'Execute the suite against this API before committing; default the repository\'s configured target, if any' },
          rerun: {
            type: 'boolean',
            description: 'Start a new run although one has ended for this spec and repository (with other options, or to run again); a running one is found as without it (409 if its options differ)',
          },
        },
      },
      Target: {
        type: 'object',
        description: [
          'The API the generated suite is run against before it is committed. Only hosts in `TESTLOOM_EXECUTION_HOSTS` (default:',
          'this machine) may be targeted; requests go to the base URL\'s host and `allowedHosts` only, and DELETE, PUT, PATCH and',
          'POST only when listed in `allowedMethods`. `env` sets the suite\'s `API_*` variables; credentials (`API_AUTH_*`,',
          '`API_HEADERS`) must be references `${NAME}` to the worker\'s environment, never values.',
        ].join(' '),
        additionalProperties: false,
        required: ['baseUrl'],
        properties: {
          baseUrl: { type: 'string', format: 'uri', pattern: '^[Hh][Tt][Tt][Pp][Ss]?://', maxLength: 2000, 'x-error-message': 'must be an absolute http or https URL' },
          env: {
            type: 'object',
            maxProperties: 50,
            propertyNames: { pattern: '^API_[A-Z0-9_]+$', 'x-error-message': 'must be an API_* variable name' },
            additionalProperties: { type: 'string', maxLength: 4096, allOf: [storableText] },
          },
          allowedMethods: { type: 'array', uniqueItems: true, items: { type: 'string', enum: DESTRUCTIVE_METHODS } },
          allowedHosts: { type: 'array', maxItems: 20, items: { type: 'string', minLength: 1, maxLength: 260 } },
        },
      },
      ExecuteRunRequest: {
        type: 'object',
        additionalProperties: false,
        properties: {
          target: ref('Target'),
          failFast: { type: 'boolean', description: 'Stop each run at the first failing test (pytest right after it; Jest after the file holding it). Tests run most-likely-to-fail first, learned from the repository\'s execution history' },
          budget: { type: 'integer', minimum: 1, maximum: 100000, description: 'Run only this many tests, the top of that order; the others are reported skipped' },
        },
      },
      StartedExecution: {
        type: 'object',
        required: ['executionId', 'workflowId', 'runId', 'existing', 'links'],
        properties: {
          executionId: { type: 'string' },
          workflowId: { type: 'string', description: '`execute:<run id>:<target hash>`' },
          runId: { type: 'string' },
          existing: { type: 'boolean' },
          links: { type: 'object', properties: { self: { type: 'string' } } },
        },
      },
      Execution: {
        type: 'object',
        required: ['id', 'runId', 'kind', 'status', 'target'],
        properties: {
          id: { type: 'string' },
          runId: { type: 'string' },
          workflowId: { type: 'string' },
          kind: { type: 'string', enum: EXECUTION_KINDS, description: '`pipeline`: the run\'s own execute stage; `request`: asked for over the API or CLI; `schedule`: started by a schedule' },
          status: { type: 'string', enum: EXECUTION_STATUSES },
          target: ref('Target'),
          summary: { description: 'Counts, coverage figures, flaky / dropped / repaired tests, possible API defects with reproducers' },
          report: { description: 'Only on a single execution: every run\'s per-test outcomes, findings, coverage by operation, exchanges' },
          regressions: { type: 'array', items: ref('Regression'), description: 'Only on a single execution: its tests that passed in the execution before it and fail now' },
          error: { type: ['string', 'null'] },
          createdAt: { type: 'string', format: 'date-time' },
          finishedAt: { type: ['string', 'null'], format: 'date-time' },
        },
      },
      RunFile: {
        type: 'object',
        required: ['runId', 'path', 'kind', 'sha256', 'delivery', 'content'],
        properties: {
          runId: { type: 'string' },
          path: { type: 'string' },
          kind: { type: 'string', enum: ['test', 'helper', 'doc'] },
          sha256: { type: 'string', description: 'Of the content as generated' },
          delivery: {
            type: 'object', required: ['status'],
            properties: { status: { type: 'string', enum: ['as generated', 'edited', 'withheld'] }, reason: { type: 'string', description: 'Why it was withheld' } },
          },
          content: { type: 'string', description: 'As the commit delivers it (edited or as generated); a withheld file\'s content as generated' },
          generatedContent: { type: 'string', description: 'Only for an edited file: its content as generated' },
        },
      },
      SimilarTestsRequest: {
        type: 'object',
        additionalProperties: false,
        required: ['query'],
        properties: {
          query: { type: 'string', minLength: 1, maxLength: 2000, allOf: [storableText], description: 'What to find tests like: an operation (`POST /pets creates a pet`), an issue\'s text, a test\'s title' },
          repository: { ...ref('Repository'), description: 'Whose tests to search; default `TESTLOOM_DEFAULT_REPOSITORY`' },
          limit: { type: 'integer', minimum: 1, maximum: 50, description: 'At most this many tests (default 5)', 'x-error-message': 'must be a whole number from 1 to 50' },
          minScore: { type: 'number', minimum: 0, maximum: 1, description: 'Lowest cosine similarity (0-1) a test must reach; default `TESTLOOM_RETRIEVAL_MIN_SCORE`' },
        },
      },
      SimilarTests: {
        type: 'object',
        required: ['repository', 'tests'],
        properties: {
          repository: { type: 'string' },
          tests: {
            type: 'array',
            items: {
              type: 'object',
              required: ['id', 'title', 'kind', 'origin', 'subject', 'path', 'score', 'text'],
              properties: {
                id: { type: 'string' },
                title: { type: 'string' },
                kind: { type: 'string', description: 'The case kind, e.g. `happy-path`, `required-field`' },
                origin: { type: 'string', enum: ['spec', 'issue', 'seed'], description: 'A spec run, an issue run, or a checkout\'s existing tests (`testloom index`)' },
                subject: { type: 'string', description: 'Spec id, issue reference or, for indexed tests, the file read' },
                path: { type: 'string', description: 'File holding the test, relative to the repository root' },
                runId: { type: 'string', description: 'The run that generated it' },
                score: { type: 'number', description: 'Cosine similarity to the query (1: the same direction)' },
                text: { type: 'string', description: 'The text that was embedded' },
              },
            },
          },
        },
      },
      ScheduleRunRequest: {
        type: 'object',
        additionalProperties: false,
        properties: {
          cron: { type: 'string', minLength: 1, maxLength: 200, description: 'Five fields (minute hour day-of-month month day-of-week), e.g. `0 */6 * * *`, or @hourly, @daily, @weekly, @monthly, @yearly (UTC); not with `interval`' },
          interval: {
            type: 'string', pattern: '^\\s*([0-9]+[smhdSMHD])+\\s*$', maxLength: 40, description: 'Every this long, e.g. `30m`, `6h`, `1d`, `1h30m`; at least 15m; not with `cron`',
            'x-error-message': 'must be a duration such as 30m, 6h, 1d or 1h30m',
          },
          target: { ...ref('Target'), description: 'The API each execution runs against; default the repository\'s configured target' },
          failFast: { type: 'boolean', description: 'Each execution stops at the first failing test, tests ordered most-likely-to-fail first (as `POST /api/v1/runs/{id}/execute`)' },
          budget: { type: 'integer', minimum: 1, maximum: 100000, description: 'Each execution runs only this many tests, the top of that order' },
        },
      },
      WebhookDelivery: {
        type: 'object',
        required: ['id', 'event', 'outcome', 'deliveries', 'attempts', 'receivedAt', 'updatedAt', 'links'],
        properties: {
          id: { type: 'string' },
          event: { type: 'string' },
          action: { type: 'string' },
          repository: { type: 'string' },
          issueNumber: { type: 'integer' },
          sender: { type: 'string' },
          outcome: { type: 'string', enum: ['accepted', 'started', 'existing', 'signalled', 'cancelled', 'commented', 'ignored', 'refused', 'failed'] },
          reason: { type: 'string', description: 'Why it was ignored or refused, what it did, or why its last attempt failed' },
          workflowId: { type: 'string' },
          runId: { type: 'string' },
          deliveries: { type: 'integer', description: 'How many times GitHub delivered it (redeliveries included)' },
          attempts: { type: 'integer', description: 'How many times the webhook inbox took it up' },
          nextAttemptAt: { type: 'string', format: 'date-time', description: 'While `accepted`: when the inbox may take it up next' },
          receivedAt: { type: 'string', format: 'date-time' },
          updatedAt: { type: 'string', format: 'date-time' },
          links: { type: 'object', properties: { run: { type: 'string' } } },
        },
      },
      Schedule: {
        type: 'object',
        required: ['id', 'runId', 'runWorkflowId', 'repository', 'target', 'paused', 'nextActionTimes', 'recentExecutions'],
        properties: {
          id: { type: 'string', description: '`execute-schedule:spec:<repository>:<spec name>` for a spec run (one per spec identity), `execute-schedule:<the run\'s workflow id>` for others' },
          runId: { type: 'string', description: 'The run whose suite it executes: a later delivered revision of the same spec takes the schedule over' },
          runWorkflowId: { type: 'string' },
          failFast: { type: 'boolean' },
          budget: { type: 'integer' },
          repository: { type: 'string' },
          cron: { type: 'string' },
          interval: { type: 'string' },
          target: ref('Target'),
          paused: { type: 'boolean' },
          note: { type: 'string', description: 'Why it was last paused or resumed' },
          nextActionTimes: { type: 'array', items: { type: 'string', format: 'date-time' } },
          recentExecutions: {
            type: 'array',
            items: {
              type: 'object',
              required: ['scheduledAt', 'workflowId', 'executionId'],
              properties: { scheduledAt: { type: 'string', format: 'date-time' }, workflowId: { type: 'string' }, executionId: { type: 'string', description: 'The execution id under `/api/v1/runs/{runId}/executions/`' } },
            },
          },
          existing: { type: 'boolean', description: 'Only when creating: whether it existed already' },
          links: { type: 'object', properties: { self: { type: 'string' } } },
        },
      },
      Regression: {
        type: 'object',
        required: ['executionId', 'runId', 'file', 'fullName', 'previousExecutionId', 'createdAt'],
        properties: {
          executionId: { type: 'string', description: 'The execution the test failed in' },
          runId: { type: 'string' },
          file: { type: 'string' },
          fullName: { type: 'string' },
          previousExecutionId: { type: 'string', description: 'The completed execution before it, against the same base URL, where the test passed' },
          failure: { type: ['string', 'null'] },
          commentUrl: { type: ['string', 'null'], description: 'The comment on the run\'s issue that reported it' },
          issueUrl: { type: ['string', 'null'], description: 'The issue opened for it (`TESTLOOM_REGRESSION_ISSUES=on`)' },
          createdAt: { type: 'string', format: 'date-time' },
        },
      },
      IssueRunRequest: {
        type: 'object',
        additionalProperties: false,
        required: ['issue'],
        properties: {
          issue: {
            type: 'string', pattern: ISSUE_PATTERN, maxLength: 256, description: `The issue as \`owner/repo#number\`, number from 1 to ${MAX_ISSUE_NUMBER}`,
            'x-error-message': `must be an issue reference owner/repo#number with a number from 1 to ${MAX_ISSUE_NUMBER}`,
          },
          repository: { ...ref('Repository'), description: 'Where the tests are committed; default: the issue\'s repository' },
        },
      },
      StartRunRequest: {
        description: 'A spec run (`spec`) or an issue run (`issue`)',
        oneOf: [ref('SpecRunRequest'), ref('IssueRunRequest')],
      },
      PlanRequest: {
        type: 'object',
        additionalProperties: false,
        required: ['spec'],
        properties: {
          ...specRunProperties,
          name: {
            type: 'string', pattern: SPEC_NAME_PATTERN, maxLength: SPEC_NAME_MAX_LENGTH,
            description: 'The spec\'s name in the repository (e.g. its path there, `api/openapi.yaml`): with the repository, its identity across revisions. Every revision of one name updates one branch and pull request, with a summary of the operations added, changed and removed. Default: the spec\'s title',
            'x-error-message': 'must be slash-separated segments of letters, digits, `.`, `_` and `-`, none starting with a dot',
          },
          target: { ...ref('Target'), description: 'The target the run would execute against; its `API_AUTH_*` variables are checked against the spec' },
        },
      },
      RunPlan: {
        type: 'object',
        required: ['specId', 'repository', 'framework', 'operationCount', 'operations', 'skipped', 'cases', 'credentials', 'limitErrors'],
        properties: {
          specId: { type: 'string' },
          title: { type: ['string', 'null'] },
          openapiVersion: { type: ['string', 'null'] },
          repository: { type: 'string' },
          framework: { type: 'string', enum: [...FRAMEWORKS] },
          target: { description: 'The target the execute stage would use, and where it comes from; null: no execute stage' },
          operationCount: { type: 'integer' },
          operations: {
            type: 'array',
            items: {
              type: 'object',
              required: ['operationId', 'method', 'path', 'file', 'caseCount', 'cases', 'credentials'],
              properties: {
                operationId: { type: 'string' },
                method: { type: 'string' },
                path: { type: 'string' },
                file: { type: 'string' },
                caseCount: { type: 'integer' },
                cases: { type: 'object', additionalProperties: { type: 'integer' }, description: 'Case kind → count' },
                credentials: { type: 'array', items: { type: 'string' } },
              },
            },
          },
          skipped: { type: 'array', items: { type: 'object', properties: { operationId: { type: 'string' }, method: { type: 'string' }, path: { type: 'string' }, reason: { type: 'string' } } } },
          cases: { type: 'object', properties: { total: { type: 'integer' }, byKind: { type: 'object', additionalProperties: { type: 'integer' } } } },
          credentials: {
            type: 'array',
            description: 'Every `API_AUTH_<SCHEME>` variable the suite reads',
            items: {
              type: 'object',
              required: ['variable', 'scheme', 'holds', 'operations'],
              properties: {
                variable: { type: 'string' }, scheme: { type: 'string' }, kind: { type: 'string' }, declared: { type: 'string' },
                holds: { type: 'string' }, operations: { type: 'array', items: { type: 'string' } },
              },
            },
          },
          unsendableSchemes: { type: 'array', items: { type: 'object', properties: { scheme: { type: 'string' }, declared: { type: 'string' } } } },
          notes: { type: 'array', items: { type: 'string' } },
          limitErrors: { type: 'array', items: { type: 'string' }, description: 'Why the run would fail (operation or case limits); empty when it would not' },
        },
      },
      StartedRun: {
        type: 'object',
        required: ['runId', 'workflowId', 'existing', 'links'],
        properties: {
          runId: { type: 'string' },
          workflowId: { type: 'string', description: '`spec:<owner/repo>:<name>@<sha256>` or `issue:<owner/repo#n>`' },
          specId: { type: 'string' },
          existing: { type: 'boolean', description: 'True when the request found a run that already existed' },
          links: { type: 'object', properties: { self: { type: 'string' } } },
        },
      },
      SpecChangedDelivery: {
        type: 'object',
        additionalProperties: false,
        required: ['event', 'name', 'spec'],
        properties: {
          event: { type: 'string', enum: ['endpoint.created', 'endpoint.updated', 'endpoint.deleted', 'spec.updated'], description: 'What the design tool saw change' },
          repository: ref('Repository'),
          name: {
            type: 'string', pattern: SPEC_NAME_PATTERN, maxLength: SPEC_NAME_MAX_LENGTH, description: 'The spec\'s name in the repository (e.g. `api/openapi.yaml`)',
            'x-error-message': 'must be slash-separated segments of letters, digits, `.`, `_` and `-`, none starting with a dot',
          },
          spec: ref('SpecReference'),
          endpoint: {
            type: 'object', additionalProperties: false, description: 'The endpoint the event is about, for the record',
            properties: { method: { type: 'string', maxLength: 10 }, path: { type: 'string', maxLength: 2000 } },
          },
        },
      },
      RetriedRun: {
        allOf: [ref('StartedRun'), { type: 'object', required: ['retryOf'], properties: { retryOf: { type: 'string', description: 'The run retried' } } }],
      },
      FailureGroups: {
        type: 'object',
        required: ['groups'],
        properties: {
          groups: {
            type: 'array',
            items: {
              type: 'object',
              required: ['stage', 'reason', 'count', 'runIds', 'lastFailedAt'],
              properties: {
                stage: { type: ['string', 'null'], description: 'The stage the runs failed in' },
                reason: { type: 'string' },
                count: { type: 'integer' },
                runIds: { type: 'array', items: { type: 'string' }, description: 'The newest ten at most' },
                lastFailedAt: { type: 'string', format: 'date-time' },
              },
            },
          },
        },
      },
      RunStatus: { type: 'string', enum: RUN_STATUSES },
      RunSummary: {
        type: 'object',
        required: ['id', 'workflowId', 'trigger', 'repository', 'status'],
        properties: {
          id: { type: 'string' },
          workflowId: { type: 'string' },
          trigger: { type: 'string', enum: TRIGGERS },
          repository: { type: 'string' },
          specId: { type: ['string', 'null'] },
          status: ref('RunStatus'),
          stage: { type: ['string', 'null'] },
          error: { oneOf: [{ type: 'null' }, { type: 'object', properties: { stage: { type: ['string', 'null'] }, message: { type: 'string' } } }] },
          createdAt: { type: 'string', format: 'date-time' },
          updatedAt: { type: 'string', format: 'date-time' },
          finishedAt: { type: ['string', 'null'], format: 'date-time' },
        },
      },
      RunList: {
        type: 'object',
        required: ['runs', 'nextCursor'],
        properties: { runs: { type: 'array', items: ref('RunSummary') }, nextCursor: { type: ['string', 'null'], pattern: CURSOR_PATTERN, description: 'The next page\'s `cursor`; null on the last page' } },
      },
      Run: {
        allOf: [ref('RunSummary')],
        type: 'object',
        properties: {
          subject: { description: 'The normalised spec or issue' },
          details: { description: 'Stage details, e.g. the retrieved similar tests' },
          result: { description: 'The workflow result once it ended' },
          stages: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                stage: { type: 'string' }, attempt: { type: 'integer' }, outcome: { type: 'string' },
                startedAt: { type: 'string', format: 'date-time' }, endedAt: { type: ['string', 'null'], format: 'date-time' }, error: { type: ['string', 'null'] },
              },
            },
          },
          artifacts: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                path: { type: 'string' }, kind: { type: 'string' }, sha256: { type: 'string', description: 'Of the content as generated' },
                delivery: { type: 'object', description: 'What the execute stage decided: `as generated`, `edited` (tests removed or repaired) or `withheld` with the reason' },
              },
            },
          },
          executions: { type: 'array', items: ref('Execution'), description: 'Executions of the suite, newest first (summaries)' },
          review: { type: ['object', 'null'] },
          live: { type: 'object', description: 'Live workflow state from Temporal, or `unavailable` with the reason' },
          links: { type: 'object', properties: { temporalUi: { type: 'string' } } },
        },
      },
      CancelRunRequest: {
        type: 'object',
        additionalProperties: false,
        properties: { reason: { type: 'string', maxLength: 2000, allOf: [storableText], description: 'Recorded as the cancel reason' } },
      },
      CancellingRun: {
        type: 'object',
        required: ['id', 'workflowId', 'status'],
        properties: { id: { type: 'string' }, workflowId: { type: 'string' }, status: { const: 'cancelling' } },
      },
      Health: {
        type: 'object',
        required: ['status', 'checks'],
        properties: {
          status: { type: 'string', enum: HEALTH_STATUSES, description: 'down (503) when any check is down; degraded when any is degraded' },
          checks: {
            type: 'object',
            description: CHECK_NAMES.join(', '),
            additionalProperties: {
              type: 'object',
              required: ['status'],
              properties: {
                status: { type: 'string', enum: CHECK_STATUSES },
                reason: { type: 'string', description: 'Why it is not ok; for ok, what was found' },
                durationMs: { type: 'integer', description: 'How long the probe took (each has a 2 s limit)' },
              },
            },
          },
        },
      },
      Error: {
        type: 'object',
        required: ['error'],
        properties: {
          error: {
            type: 'object',
            required: ['code', 'message', 'details'],
            properties: {
              code: { type: 'string', examples: ['invalid_request', 'unauthorized', 'rate_limited', 'payload_too_large'] },
              message: { type: 'string' },
              details: {
                type: 'array',
                items: { type: 'object', required: ['message'], properties: { field: { type: 'string' }, message: { type: 'string' } } },
              },
            },
          },
        },
      },
    },
  },
};
