/**
 * Scenario tests for a spec, planned by a model: multi-step flows and business rules the
 * schema-driven cases cannot know. The model answers with JSON steps (constrained to the spec's
 * operations); the framework's template (SuiteRendering.modelScenarios: Jest's so far) turns them
 * into a test file over the suite's request helper, so the code itself is never free-form model output.
 */
import { promptContext, type ModelTaskRequest } from './model-task';
import type { Completion, JSONSchema } from '../../llm';
import type { Operation } from '../../openapi';
import type { Artifact } from '../../core/run';

export interface ScenarioStep {
  operationId: string;
  pathParams: Record<string, string | number | boolean>;
  query: Record<string, string | number | boolean>;
  body?: unknown;
  expectStatus: number;
  /** Values to remember for later steps: name → property path in the response body (`id`, `items.0.id`). */
  save: Record<string, string>;
}

export interface Scenario {
  title: string;
  rule: string;
  steps: ScenarioStep[];
}

export interface ScenarioRequest extends ModelTaskRequest {
  operations: Operation[];
  title: string;
  specId: string;
  repository: string;
  outDir: string;
  /** The suite framework's file and template for scenarios (its SuiteRendering.modelScenarios). */
  rendering: { file: string; template: string };
}

export interface ScenarioResult {
  scenarios: Scenario[];
  artifact?: Artifact;
  notes: string[];
  completion: Completion;
}

const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
const scalar: JSONSchema = { type: ['string', 'number', 'boolean'] };

function scenarioSchema(operationIds: string[]): JSONSchema {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['scenarios'],
    properties: {
      scenarios: {
        type: 'array',
        maxItems: 8,
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['title', 'rule', 'steps'],
          properties: {
            title: { type: 'string', minLength: 3, maxLength: 200 },
            rule: { type: 'string', minLength: 3, maxLength: 500 },
            steps: {
              type: 'array',
              minItems: 1,
              maxItems: 10,
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['operationId', 'pathParams', 'query', 'expectStatus', 'save'],
                properties: {
                  operationId: { type: 'string', enum: operationIds },
                  pathParams: { type: 'object', additionalProperties: scalar },
                  query: { type: 'object', additionalProperties: scalar },
                  body: {},
                  expectStatus: { type: 'integer', minimum: 100, maximum: 599 },
                  save: { type: 'object', additionalProperties: { type: 'string', pattern: '^[A-Za-z0-9_]+(\\.[A-Za-z0-9_]+)*$' } },
                },
              },
            },
          },
        },
      },
    },
  };
}

function placeholders(value: unknown): string[] {
  return [...JSON.stringify(value ?? null).matchAll(PLACEHOLDER)].map((m) => m[1]);
}

/** Why a scenario cannot run as written (unknown operation, missing path parameter, value used before it is saved), or undefined. */
function scenarioProblem(scenario: Scenario, operations: Map<string, Operation>): string | undefined {
  const saved = new Set<string>();
  for (const [index, step] of scenario.steps.entries()) {
    const operation = operations.get(step.operationId);
    if (!operation) return `step ${index + 1}: unknown operation ${step.operationId}`;
    const missing = operation.parameters.filter((p) => p.in === 'path' && step.pathParams[p.name] === undefined).map((p) => p.name);
    if (missing.length) return `step ${index + 1} (${step.operationId}): path parameter ${missing.join(', ')} not given`;
    const unknown = placeholders([step.pathParams, step.query, step.body]).filter((name) => !saved.has(name));
    if (unknown.length) return `step ${index + 1} (${step.operationId}): uses \${${unknown[0]}} before any step saves it`;
    for (const name of Object.keys(step.save)) saved.add(name);
  }
  return undefined;
}

function describeOperation(operation: Operation): object {
  return {
    operationId: operation.operationId,
    method: operation.method.toUpperCase(),
    path: operation.path,
    summary: operation.summary ?? '',
    parameters: operation.parameters.filter((p) => p.in !== 'header' && p.in !== 'cookie').map((p) => `${p.name} (${p.in}${p.required ? ', required' : ''})`).join(', '),
    statuses: operation.responses.map((r) => r.status).join(', '),
    body: operation.requestBody ? JSON.stringify(operation.requestBody.schema).slice(0, 600) : '',
  };
}

export async function writeScenarioTests(request: ScenarioRequest): Promise<ScenarioResult> {
  const { operations, renderer } = request;
  const byId = new Map(operations.map((op) => [op.operationId, op]));
  const completion = await request.models.complete('scenario-tests', {
    system: renderer.render('prompts/system.md', { repository: request.repository }),
    prompt: renderer.render('prompts/scenario-tests.md', {
      title: request.title,
      operations: operations.map(describeOperation),
      ...promptContext(request),
    }),
    schema: scenarioSchema(operations.map((op) => op.operationId)),
    temperature: 0,
    runId: request.runId,
    repository: request.repository,
    signal: request.signal,
    onProgress: request.onProgress,
  });

  const notes: string[] = [];
  const scenarios: Scenario[] = [];
  for (const scenario of (completion.json as { scenarios: Scenario[] }).scenarios) {
    const problem = scenarioProblem(scenario, byId);
    if (problem) notes.push(`Model scenario "${scenario.title}" dropped: ${problem}.`);
    else scenarios.push(scenario);
  }
  if (!scenarios.length) return { scenarios, notes, completion };

  const content = renderer.render(request.rendering.template, {
    title: request.title,
    specId: request.specId,
    model: `${completion.provider}/${completion.model}`,
    scenarios: scenarios.map((scenario) => ({
      ...scenario,
      steps: scenario.steps.map((step) => {
        const operation = byId.get(step.operationId)!;
        return {
          ...step,
          request: {
            method: operation.method.toUpperCase(),
            path: operation.path,
            pathParams: step.pathParams,
            query: step.query,
            ...(step.body !== undefined ? { body: step.body } : {}),
          },
          saves: Object.entries(step.save).map(([name, from]) => ({ name, from })),
        };
      }),
    })),
  });
  return { scenarios, notes, completion, artifact: { path: `${request.outDir}/${request.rendering.file}`, kind: 'test', content } };
}
