import path from 'node:path';
import type { Artifact } from '../runs/types';
import { apiTitle, firstServerUrl, listOperations } from '../openapi';
import { createTemplateRenderer, type TemplateRenderer } from '../templates';
import { describeExpectation, describeRequest, requestLiteral, statusArgument } from './case-summary';
import { planOperation, type OperationPlan } from './operation-plan';
import { groupIntoTestFiles, type TestFile } from './test-files';
import type { GeneratedSuite, GenerateSpecSuiteOptions, TestCase } from './types';

export const HELPERS_FILE = 'helpers.ts';
export const TEST_CASES_FILE = 'test-cases.md';
export const JEST_CONFIG_FILE = 'jest.config.json';
export const TSCONFIG_FILE = 'tsconfig.json';
export const README_FILE = 'README.md';

const KIND_LABELS: Record<TestCase['kind'], string> = {
  'happy-path': 'happy path',
  'missing-required': 'missing required',
  'wrong-type': 'wrong type',
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

function testFileContext(file: TestFile, casesOf: (plan: OperationPlan) => TestCase[]) {
  return {
    tag: file.tag,
    operations: file.plans.map((plan) => ({
      ...operationHeading(plan),
      cases: casesOf(plan).map((testCase) => {
        const check = testCase.kind === 'happy-path' ? plan.responseCheck : undefined;
        return {
          id: testCase.id,
          title: testCase.title,
          request: requestLiteral(testCase, plan.bodyMediaType),
          expectedStatus: statusArgument(testCase.expectedStatus),
          responseCheck: check?.json
            ? { ...check, checksProperties: check.requiredProperties.length + check.itemRequiredProperties.length > 0 }
            : undefined,
        };
      }),
    })),
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
 * Deterministic (no LLM) Jest + TypeScript suite for every operation of a dereferenced spec: a
 * happy path and schema violations per operation, the shared request helper, and a Markdown
 * test-case document. Same input, byte-identical artifacts.
 */
export function generateSpecSuite(options: GenerateSpecSuiteOptions): GeneratedSuite {
  const { api, specId } = options;
  const outDir = options.outDir.replace(/\\/g, '/').replace(/\/+$/, '') || '.';
  const title = options.title ?? apiTitle(api) ?? specId;
  const renderer = createTemplateRenderer({ overrideDir: options.overrideTemplatesDir });

  const plans = listOperations(api).map(planOperation);
  const files = groupIntoTestFiles(plans);
  const fileOf = new Map(files.flatMap((file) => file.plans.map((plan) => [plan, file.name] as const)));
  const casesOf = (plan: OperationPlan): TestCase[] =>
    plan.cases.map((planned) => ({ ...planned, file: path.posix.join(outDir, fileOf.get(plan) ?? '') }));
  const cases = files.flatMap((file) => file.plans.flatMap(casesOf));
  const notes = collectNotes(plans);

  const serverUrl = firstServerUrl(api);
  const shared = { title, specId, outDir, serverUrl, baseUrlExample: serverUrl ?? 'http://localhost:8080', helpersModule: `./${HELPERS_FILE.replace(/\.ts$/, '')}` };
  const artifacts: Artifact[] = [
    ...files.map((file) => render(renderer, outDir, file.name, 'test', 'jest/operation.test.ts', { ...shared, ...testFileContext(file, casesOf) })),
    render(renderer, outDir, HELPERS_FILE, 'helper', 'jest/helpers.ts', shared),
    render(renderer, outDir, JEST_CONFIG_FILE, 'helper', 'jest/jest.config.json', shared),
    render(renderer, outDir, TSCONFIG_FILE, 'helper', 'jest/tsconfig.json', shared),
    render(renderer, outDir, TEST_CASES_FILE, 'doc', 'docs/test-cases.md', {
      ...shared,
      ...documentContext(files, plans, casesOf, cases),
      notes,
      related: (options.related ?? []).map((test) => ({ ...test, score: test.score.toFixed(2) })),
    }),
    render(renderer, outDir, README_FILE, 'doc', 'docs/README.md', {
      ...shared,
      caseCount: cases.length,
      testFiles: files.map((file) => file.name),
      jestConfig: JEST_CONFIG_FILE,
      testCasesFile: TEST_CASES_FILE,
    }),
  ];
  artifacts.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { cases, artifacts, notes };
}
