import path from 'node:path';
import type { Artifact } from '../core/run';
import { apiTitle, firstServerUrl, listOperations } from '../openapi';
import { createTemplateRenderer, type TemplateRenderer } from '../templates';
import { describeExpectation, describeRequest, requestCall, statusArgument } from './case-summary';
import { FRAMEWORKS, frameworkFor, type SuiteRendering } from '../frameworks';
import { planOperation, type OperationPlan } from './operation-plan';
import { errorMediaTypes, RESPONSE_MEDIA_TYPES_FILE, RESPONSE_SCHEMAS_FILE } from './response-contract';
import { securitySchemeTable } from './security-table';
import { addSequences } from './sequences';
import { addConflictCases } from './resources/conflicts';
import { addActionPreconditions } from './resources/preconditions';
import { addBehaviourCases } from './resources/behaviour';
import { addResourceCleanup } from './resources/cleanup';
import { addReadOnlyCases } from './resources/read-only';
import { addRequiredOnlyCases } from './resources/required-only';
import { CodeExpression } from '../templates/code-expression';
import { stepsOf } from './resources/happy';
import { addResourceSetup } from './resources/setup';
import { markUniqueFields } from './resources/unique';
import { groupIntoTestFiles, type TestFile } from './test-files';
import type { GeneratedSuite, GenerateSpecSuiteOptions, StepCheck, StepCleanup, TestCase, TestStep } from './types';

export const TEST_CASES_FILE = 'test-cases.md';
export const README_FILE = 'README.md';

const KIND_LABELS: Record<TestCase['kind'], string> = {
  'happy-path': 'happy path',
  'missing-required': 'missing required',
  'wrong-type': 'wrong type',
  boundary: 'boundary (outside)',
  'at-boundary': 'boundary (at limit)',
  'missing-auth': 'missing credentials',
  'invalid-auth': 'invalid credentials',
  'not-found': 'not found',
  'crud-sequence': 'CRUD sequence',
  'link-sequence': 'link sequence',
  conflict: 'conflict (409)',
  'dangling-reference': 'reference to nothing',
  'required-only': 'only required fields',
  'special-characters': 'special characters',
  behaviour: 'behaviour',
};

function oneLine(text: string | undefined): string | undefined {
  return text?.replace(/\s+/g, ' ').trim();
}

function collectNotes(plans: OperationPlan[]): string[] {
  return plans.flatMap(({ operation, notes, skipReason, noNegativeReason }) => [
    ...notes.map((note) => `${operation.operationId}: ${note}`),
    ...(skipReason ? [`${operation.operationId}: skipped: ${skipReason}`] : []),
    ...(noNegativeReason ? [`${operation.operationId}: no negative case: ${noNegativeReason}`] : []),
  ]);
}

function operationHeading(plan: OperationPlan) {
  const { operation } = plan;
  const method = operation.method.toUpperCase();
  return { operationId: operation.operationId, method, path: operation.path, endpoint: `${method} ${operation.path}`, summary: oneLine(operation.summary) };
}

/** `createPet 201`: a success response's key in response-schemas.json. */
function responseSchemaKey(plan: OperationPlan): string {
  return `${plan.operation.operationId} ${plan.successStatus}`;
}

/** Every checked response body schema of the suite, by key, in key order (same input, same bytes). */
function responseSchemas(plans: OperationPlan[]): string {
  const checked = plans.filter((plan) => plan.responseCheck.json && plan.responseCheck.schema);
  const entries = checked.map((plan) => [responseSchemaKey(plan), plan.responseCheck.schema] as const);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${JSON.stringify(Object.fromEntries(entries), null, 2)}\n`;
}

/** The media types of each operation's documented error answers, in operation order (same input, same bytes). */
function responseMediaTypes(plans: OperationPlan[]): string {
  const entries = plans.flatMap((plan) => {
    const types = errorMediaTypes(plan.operation);
    return types ? [[plan.operation.operationId, types] as const] : [];
  });
  return `${JSON.stringify(Object.fromEntries(entries), null, 2)}\n`;
}

/** `expectSameAt` → `expect_same_at`: the helper's name in the Python helpers module. */
const snakeCase = (name: string) => name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

/** A step check as the call the generated test makes: `api.expectSameAt(readBody, createdBody, '/title')`. */
function checkCall(check: StepCheck, response: CodeExpression, body: CodeExpression | undefined, bodyOf: (step: string) => CodeExpression) {
  const [helper, args] = ((): [string, unknown[]] => {
    // The response itself: a rejection (4xx, maybe not JSON) passes too.
    if (check.kind === 'not-stored') return ['expectNotStored', [response, check.pointer, check.value]];
    switch (check.kind) {
      case 'same-as': return ['expectSameAt', [body, bodyOf(check.step), check.pointer]];
      case 'cleared': return ['expectCleared', [body, check.pointer]];
      case 'equals': return ['expectValueAt', [body, check.pointer, check.value]];
      case 'each-item': return ['expectEachItemHolds', [body, check.items, check.pointer, check.value]];
      case 'page-of': return ['expectPageOf', [body, bodyOf(check.step), check.items, check.start, check.count, check.id ?? null]];
    }
  })();
  return { helper, pyHelper: snakeCase(helper), args };
}

/** Every status the step accepts is an error (`4XX`, `401|403`): what a test provokes on purpose. */
const errorOnly = (expectedStatus: string) => expectedStatus.split('|').every((status) => /^[45]/.test(status));

function stepContext(rendering: SuiteRendering, step: TestStep, plan: OperationPlan | undefined, singleStep: boolean, referenced: Set<string>) {
  const success = !/^4|^5/.test(step.expectedStatus) && !step.expectedStatus.includes('|');
  // A setup step is checked only for success: what it creates is the precondition, not the finding.
  const check = success && plan && !step.setup ? plan.responseCheck : undefined;
  const captures = Object.entries(step.capture ?? {}).map(([variable, pointer]) => ({ variable, pointer }));
  const checks = step.checks ?? [];
  const bodyChecks = checks.filter((item) => item.kind !== 'not-stored');
  const json = Boolean(check?.json) || captures.length > 0 || bodyChecks.length > 0 || referenced.has(step.name);
  const schemaKey = check?.json && check.schema && plan ? responseSchemaKey(plan) : undefined;
  const propertyChecks = Boolean(check && check.requiredProperties.length + check.itemRequiredProperties.length);
  const needsBody = json && (captures.length > 0 || bodyChecks.length > 0 || referenced.has(step.name) || Boolean(schemaKey) || propertyChecks);
  const bodyVar = needsBody ? rendering.bodyVariable(step.name, singleStep) : undefined;
  const bodyOf = (name: string) => new CodeExpression(rendering.bodyVariable(name, false));
  const responseVar = singleStep ? 'response' : step.name;
  return {
    responseVar,
    setup: Boolean(step.setup),
    ...rendering.requestContext(requestCall(step, plan?.bodyMediaType)),
    expectedStatus: statusArgument(step.expectedStatus),
    json,
    bodyVar,
    requiredProperties: check?.requiredProperties ?? [],
    itemRequiredProperties: check?.itemRequiredProperties ?? [],
    schemaKey,
    location: Boolean(check?.location),
    captures,
    checks: checks.map((item) => checkCall(item, new CodeExpression(responseVar), bodyVar ? new CodeExpression(bodyVar) : undefined, bodyOf)),
    // An error answer the test provoked on purpose is in a media type its operation documents.
    mediaTypesOf: errorOnly(step.expectedStatus) && !step.setup && plan && errorMediaTypes(plan.operation) ? step.operationId : undefined,
    cleanup: step.cleanup && cleanupContext(rendering, step.cleanup),
  };
}

/** The generated `api.deleteLater(response, request, idParameter, pointer)`: the DELETE sent after the test. */
function cleanupContext(rendering: SuiteRendering, cleanup: StepCleanup) {
  const call = requestCall({ method: 'delete', path: cleanup.path, request: cleanup.request, bind: cleanup.bind });
  return { idParameter: cleanup.idParameter, pointer: cleanup.pointer, ...rendering.requestContext(call) };
}

function testFileContext(
  rendering: SuiteRendering,
  file: TestFile,
  casesOf: (plan: OperationPlan) => TestCase[],
  planOf: (operationId: string) => OperationPlan | undefined,
) {
  const cleansUp = (plan: OperationPlan) => casesOf(plan).some((testCase) => testCase.steps?.some((step) => step.cleanup));
  return {
    tag: file.tag,
    // Whether a test deletes what it created afterwards (Jest: one afterEach per file; pytest: a teardown per class).
    cleansUp: file.plans.some(cleansUp),
    operations: file.plans.map((plan) => {
      const usedNames = new Set<string>();
      return {
        ...operationHeading(plan),
        ...rendering.operationContext(plan.operation.operationId),
        cleansUp: cleansUp(plan),
        cases: casesOf(plan).map((testCase) => {
          const steps = stepsOf(testCase);
          const single = steps.length === 1;
          const referenced = new Set(steps.flatMap((step) => (step.checks ?? []).flatMap((item) => ('step' in item ? [item.step] : []))));
          return {
            id: testCase.id,
            title: testCase.title,
            ...rendering.caseContext(testCase.title, usedNames),
            steps: steps.map((step, index) => ({
              comment: single ? undefined : `${index + 1}. ${step.operationId}: ${step.method.toUpperCase()} ${step.path}`,
              ...stepContext(rendering, step, planOf(step.operationId), single, referenced),
            })),
          };
        }),
      };
    }),
  };
}

function documentContext(files: TestFile[], plans: OperationPlan[], casesOf: (plan: OperationPlan) => TestCase[], cases: TestCase[]) {
  const generated = files.flatMap((file) => file.plans.map((plan) => ({ plan, file: file.name })));
  return {
    caseCount: cases.length,
    operationCount: plans.length,
    generatedOperationCount: generated.length,
    operations: generated.map(({ plan, file }) => ({
      ...operationHeading(plan),
      file,
      security: plan.operation.security,
      noNegativeReason: plan.noNegativeReason,
      cases: casesOf(plan).map((testCase) => ({
        id: testCase.id,
        kind: KIND_LABELS[testCase.kind],
        title: testCase.title,
        request: describeRequest(testCase),
        expected: describeExpectation(testCase, plan.responseCheck),
      })),
    })),
    skipped: plans.filter((plan) => plan.skipReason).map((plan) => ({ ...operationHeading(plan), reason: plan.skipReason })),
  };
}

function render(renderer: TemplateRenderer, outDir: string, file: string, kind: Artifact['kind'], template: string, context: object): Artifact {
  return { path: path.posix.join(outDir, file), kind, content: renderer.render(template, context) };
}

/**
 * Deterministic (no LLM) suite for every operation of a dereferenced spec, in Jest + TypeScript
 * (default) or pytest: happy path, schema violations, boundary values, auth, not-found and CRUD /
 * link sequences per operation, the shared request helper, and a Markdown test-case document.
 * Same input, byte-identical artifacts.
 */
export function generateSpecSuite(options: GenerateSpecSuiteOptions): GeneratedSuite {
  const { api, specId } = options;
  const framework = frameworkFor(options.framework);
  const rendering = framework.rendering;
  const outDir = options.outDir.replace(/\\/g, '/').replace(/\/+$/, '') || '.';
  const title = options.title ?? apiTitle(api) ?? specId;
  const renderer = createTemplateRenderer({ overrideDir: options.overrideTemplatesDir });

  const operations = listOperations(api);
  const plans = operations.map(planOperation);
  addSequences(plans);
  addResourceSetup(plans);
  addActionPreconditions(plans);
  addConflictCases(plans);
  addBehaviourCases(plans);
  addRequiredOnlyCases(plans);
  addReadOnlyCases(plans);
  markUniqueFields(plans);
  addResourceCleanup(plans);
  const planById = new Map(plans.map((plan) => [plan.operation.operationId, plan]));
  const files = groupIntoTestFiles(plans, (slug) => rendering.testFileName(slug));
  const fileOf = new Map(files.flatMap((file) => file.plans.map((plan) => [plan, file.name] as const)));
  const casesOf = (plan: OperationPlan): TestCase[] =>
    plan.cases.map((planned) => ({ ...planned, file: path.posix.join(outDir, fileOf.get(plan) ?? '') }));
  const cases = files.flatMap((file) => file.plans.flatMap(casesOf));
  const notes = collectNotes(plans);
  const securitySchemes = securitySchemeTable(operations);

  const serverUrl = firstServerUrl(api);
  const shared = {
    title, specId, outDir, serverUrl, framework: framework.name, baseUrlExample: serverUrl ?? 'http://localhost:8080',
    helpersModule: rendering.helpersModule,
    securitySchemes: Object.fromEntries(Object.entries(securitySchemes).map(([name, { declared: _declared, ...scheme }]) => [name, scheme])),
    credentials: Object.entries(securitySchemes).map(([name, scheme]) => ({ name, ...scheme })),
  };
  const artifacts: Artifact[] = [
    ...files.map((file) =>
      render(renderer, outDir, file.name, 'test', rendering.testTemplate, { ...shared, ...testFileContext(rendering, file, casesOf, (id) => planById.get(id)) }),
    ),
    ...rendering.supportFiles.map((support) => render(renderer, outDir, support.file, support.kind, support.template, shared)),
    { path: path.posix.join(outDir, RESPONSE_SCHEMAS_FILE), kind: 'helper', content: responseSchemas(plans) },
    { path: path.posix.join(outDir, RESPONSE_MEDIA_TYPES_FILE), kind: 'helper', content: responseMediaTypes(plans) },
    render(renderer, outDir, TEST_CASES_FILE, 'doc', 'docs/test-cases.md', {
      ...shared,
      ...documentContext(files, plans, casesOf, cases),
      notes,
      related: (options.related ?? []).map((test) => ({ ...test, score: test.score.toFixed(2) })),
    }),
    render(renderer, outDir, README_FILE, 'doc', 'docs/README.md', {
      ...shared,
      // `jest: true`, `pytest: false`…: the template's sections per framework.
      ...Object.fromEntries(FRAMEWORKS.map((name) => [name, name === framework.name])),
      caseCount: cases.length,
      testFiles: files.map((file) => file.name),
      ...rendering.readmeContext,
      testCasesFile: TEST_CASES_FILE,
    }),
  ];
  artifacts.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { cases, artifacts, notes };
}
