import { ApplicationFailure, Context } from '@temporalio/activity';
import { replaceArtifacts } from '../lib/db/artifacts';
import { saveSpec } from '../lib/db/specs';
import { modelCallTotals } from '../lib/db/model-calls';
import { updateRun } from '../lib/db/runs';
import { replaceTestCases, type StoredTestCase } from '../lib/db/test-cases';
import { issueApiTests } from '../lib/generation/issue-api-tests';
import { writeIssueTestCases } from '../lib/generation/model/issue-cases';
import { gateSuite } from '../lib/generation/model/repair';
import { processChecker } from '../lib/generation/gates/check-process';
import { writeScenarioTests } from '../lib/generation/model/scenarios';
import { DEFAULT_FRAMEWORK, frameworkFor } from '../lib/frameworks';
import { generateSpecSuite } from '../lib/generation/spec-suite';
import { credentialVariables } from '../lib/generation/suite-plan';
import { ciWorkflowFile, SUITES_ROOT as CI_SUITES_ROOT } from '../lib/frameworks/ci-workflow';
import type { TestCase } from '../lib/generation/types';
import { caseLimitError, DEFAULT_GENERATION_LIMITS } from '../lib/core/limits';
import { listOperations } from '../lib/openapi';
import { BudgetExceededError, InvalidModelOutputError, ModelUnavailableError, type Completion } from '../lib/llm';
import type { GenerationOutcome, IssueSubject, ModelUsage, RetrievalOutcome, SpecSubject, Subject } from '../lib/core/contract';
import type { Artifact } from '../lib/core/run';
import { outputDir } from '../lib/core/subject';
import type { RepositoryTemplates } from '../lib/templates/repository-overrides';
import { currentRun, permanent, progressWatchdog, recordStage, reportProgress, withRepositoryTemplates, type ActivityDeps } from './stage';
import { loadDereferencedSpec } from './receive';

/** Where an issue run's executable tests go, inside its output folder. */
const ISSUE_API_DIR = 'api';

/** A schema-driven case as the test_cases table keeps it; its file is relative to the repository root, like every stored case's. */
function storedCase(c: TestCase): StoredTestCase {
  return {
    caseId: c.id, kind: c.kind, title: c.title, operationId: c.operationId, method: c.method, path: c.path, expectedStatus: c.expectedStatus, file: c.file,
  };
}

interface Generated {
  artifacts: Artifact[];
  cases: StoredTestCase[];
  notes: string[];
  model: ModelUsage;
  executable?: GenerationOutcome['executable'];
}

/** How a failed model call ends an issue run: retried while a provider may come back, otherwise for good. */
function modelFailure(err: unknown, subject: IssueSubject): Error {
  if (err instanceof InvalidModelOutputError) {
    return ApplicationFailure.create({ message: err.message, type: 'InvalidModelOutput', nonRetryable: true, details: [{ raw: err.raw, errors: err.errors }] });
  }
  if (err instanceof BudgetExceededError) return permanent(`model budget exceeded: ${err.message}`, 'BudgetExceeded');
  if (err instanceof ModelUnavailableError) {
    return ApplicationFailure.create({ message: `model unavailable: ${err.message} (needed to write test cases for ${subject.repository}#${subject.number})`, type: 'ModelUnavailable' });
  }
  return err as Error;
}

async function usage(deps: ActivityDeps, runId: string, status: ModelUsage['status'], completions: Array<Completion & { task: string }>, reason?: string): Promise<ModelUsage> {
  const totals = await modelCallTotals(deps.db, runId);
  const models = Object.fromEntries(completions.map((c) => [c.task, `${c.provider}/${c.model}`]));
  return { status, ...(reason ? { reason } : {}), models, ...totals };
}

async function generateForIssue(
  deps: ActivityDeps,
  subject: IssueSubject,
  retrieval: RetrievalOutcome | undefined,
  feedback: string[],
  templates: RepositoryTemplates,
): Promise<Generated> {
  const { runId } = currentRun();
  if (!deps.models) {
    throw permanent(`no model provider is configured (TESTLOOM_LLM_PROVIDERS=none): an issue run needs one to write test cases from ${subject.repository}#${subject.number}`, 'ModelUnavailable');
  }
  const watchdog = progressWatchdog();
  try {
    const result = await writeIssueTestCases({
      subject,
      outDir: outputDir(subject),
      related: retrieval?.documents ?? [],
      feedback,
      runId,
      models: deps.models,
      renderer: templates.renderer,
      signal: watchdog.signal,
      onProgress: watchdog.onProgress,
    });
    const file = `${outputDir(subject)}/test-cases.md`;
    const api = await issueApiTests(deps.repoHost, subject, `${outputDir(subject)}/${ISSUE_API_DIR}`, templates.overrideDir);
    const apiCases = (api.suite?.cases ?? []).map((c) => storedCase(c));
    // Stored like an uploaded spec, so the execute stage can triage and measure the suite against it.
    if (api.spec) await saveSpec(deps.db, { ...api.spec, sourceKind: 'upload' });
    return {
      artifacts: [...result.artifacts, ...(api.suite?.artifacts ?? [])],
      cases: [...result.cases.map((c) => ({ caseId: c.id, kind: c.type, title: c.title, file })), ...apiCases],
      notes: [...result.notes, api.note, ...(api.suite?.notes ?? [])],
      model: await usage(deps, runId, 'ok', [{ ...result.completion, task: 'issue-test-cases' }]),
      ...(api.spec ? { executable: { suiteDir: `${outputDir(subject)}/${ISSUE_API_DIR}`, specId: api.spec.id, framework: subject.framework ?? DEFAULT_FRAMEWORK } } : {}),
    };
  } catch (err) {
    throw modelFailure(err, subject);
  } finally {
    watchdog.stop();
  }
}

/**
 * The quality gates over everything generated (one model repair round for a rejected file when a
 * model is configured); a file that still fails is dropped, with its cases, and the reason kept.
 */
async function checkGates(
  deps: ActivityDeps,
  subject: Subject,
  generated: Generated,
  templates: RepositoryTemplates,
): Promise<Generated & { dropped: { path: string; gate: string; reason: string }[] }> {
  const context = Context.current();
  const gated = await gateSuite({
    artifacts: generated.artifacts,
    repository: subject.repository,
    runId: currentRun().runId,
    models: deps.models,
    renderer: templates.renderer,
    // In a child process with its own time limit: this one stays free to heartbeat.
    check: (artifacts) => (deps.gates ?? processChecker).check(artifacts, { signal: context.cancellationSignal }),
    watchModelCall: progressWatchdog,
  });
  const droppedPaths = new Set(gated.dropped.map((d) => d.path));
  // Repair calls cost tokens too: the totals are read again once the gates are done.
  const model = deps.models ? { ...generated.model, ...(await modelCallTotals(deps.db, currentRun().runId)) } : generated.model;
  return {
    ...generated,
    model,
    artifacts: gated.artifacts,
    cases: generated.cases.filter((c) => !droppedPaths.has(c.file)),
    notes: [
      ...generated.notes,
      ...gated.repaired.map((path) => `${path} failed a quality gate and was repaired by the model.`),
      ...gated.dropped.map((d) => `${d.path} dropped by the ${d.gate} gate: ${d.reason}`),
    ],
    dropped: gated.dropped.map(({ path, gate, reason }) => ({ path, gate, reason })),
  };
}

/** The model's scenarios for a spec; a model that cannot help leaves the deterministic suite as it is and says why. */
async function scenariosForSpec(
  deps: ActivityDeps,
  subject: SpecSubject,
  api: object,
  retrieval: RetrievalOutcome | undefined,
  feedback: string[],
  templates: RepositoryTemplates,
): Promise<{ artifacts: Artifact[]; cases: StoredTestCase[]; notes: string[]; model: ModelUsage }> {
  const { runId } = currentRun();
  const none = { artifacts: [], cases: [] };
  const framework = frameworkFor(subject.framework);
  const rendering = framework.rendering.modelScenarios;
  if (!rendering) {
    return { ...none, notes: [`Model-written scenarios are rendered for Jest only; this ${framework.name} suite has none.`], model: await usage(deps, runId, 'not configured', [], 'scenario tests are Jest-only') };
  }
  if (!deps.models) {
    return { ...none, notes: [], model: await usage(deps, runId, 'not configured', [], 'no model provider is configured (TESTLOOM_LLM_PROVIDERS=none)') };
  }
  const watchdog = progressWatchdog();
  try {
    const outDir = outputDir(subject);
    const result = await writeScenarioTests({
      operations: listOperations(api),
      title: subject.title,
      specId: subject.specId,
      repository: subject.repository,
      outDir,
      rendering,
      related: retrieval?.documents ?? [],
      feedback,
      runId,
      models: deps.models,
      renderer: templates.renderer,
      signal: watchdog.signal,
      onProgress: watchdog.onProgress,
    });
    const file = `${outDir}/${rendering.file}`;
    return {
      artifacts: result.artifact ? [result.artifact] : [],
      cases: result.scenarios.map((scenario, i) => ({ caseId: `scenario/${i + 1}`, kind: 'scenario', title: scenario.title, file })),
      notes: result.notes,
      model: await usage(deps, runId, 'ok', [{ ...result.completion, task: 'scenario-tests' }]),
    };
  } catch (err) {
    // Only a model that cannot answer is tolerated here; a stalled stream (aborted by the watchdog)
    // or a cancellation still fails the attempt, so Temporal retries or stops it.
    const outcome = err instanceof ModelUnavailableError ? ('unavailable' as const)
      : err instanceof BudgetExceededError ? ('budget exceeded' as const)
      : err instanceof InvalidModelOutputError ? ('invalid output' as const)
      : undefined;
    if (!outcome) throw err;
    const reason = (err as Error).message;
    return { ...none, notes: [`No model-written scenarios: model ${outcome} (${reason}).`], model: await usage(deps, runId, outcome, [], reason) };
  } finally {
    watchdog.stop();
  }
}

/** `.github/workflows/testloom.yml`: the repository's own CI runs the delivered suites (the same file for every spec). */
function ciWorkflowArtifacts(subject: SpecSubject, api: object): { artifacts: Artifact[]; notes: string[] } {
  if (!subject.ciWorkflow) return { artifacts: [], notes: [] };
  const outDir = outputDir(subject);
  if (!outDir.startsWith(`${CI_SUITES_ROOT}/`)) {
    return { artifacts: [], notes: [`No CI workflow: it runs the suites under ${CI_SUITES_ROOT}/, and this one is in ${outDir}/ (.testloom.yml output.dir).`] };
  }
  const credentials = credentialVariables(listOperations(api)).credentials.map((credential) => credential.variable);
  const file = ciWorkflowFile([{ outDir, framework: subject.framework ?? DEFAULT_FRAMEWORK, credentialVariables: credentials }]);
  return { artifacts: [{ path: file.path, kind: 'helper', content: file.content }], notes: [] };
}

async function generateForSpec(
  deps: ActivityDeps,
  subject: SpecSubject,
  retrieval: RetrievalOutcome | undefined,
  feedback: string[],
  templates: RepositoryTemplates,
): Promise<Generated> {
  const { api } = await loadDereferencedSpec(deps, subject.specId);
  reportProgress('spec loaded');
  const suite = generateSpecSuite({
    api,
    specId: subject.specId,
    outDir: outputDir(subject),
    title: subject.title,
    framework: subject.framework,
    overrideTemplatesDir: templates.overrideDir,
    related: retrieval?.documents.map(({ title, path, kind, score }) => ({ title, path, kind, score })),
  });
  reportProgress('suite rendered');
  const scenarios = await scenariosForSpec(deps, subject, api, retrieval, feedback, templates);
  const ci = ciWorkflowArtifacts(subject, api);
  return {
    artifacts: [...suite.artifacts, ...scenarios.artifacts, ...ci.artifacts],
    cases: [
      ...suite.cases.map((c) => storedCase(c)),
      ...scenarios.cases,
    ],
    notes: [...suite.notes, ...scenarios.notes, ...ci.notes],
    model: scenarios.model,
    executable: { suiteDir: outputDir(subject), specId: subject.specId, framework: subject.framework ?? DEFAULT_FRAMEWORK },
  };
}

/**
 * Spec runs: the deterministic, schema-driven suite for every operation, plus scenario tests a
 * model plans when one answers. Issue runs: a test-case document written by a model. Files and
 * cases go to the database, replacing any earlier attempt's, so a retry after a crash leaves
 * exactly one set.
 */
export function generateActivity(deps: ActivityDeps) {
  return async function generate(subject: Subject, retrieval?: RetrievalOutcome, feedback: string[] = []): Promise<GenerationOutcome> {
    return recordStage(
      deps,
      'generate',
      async () => {
        const { runId } = currentRun();
        const gated = await withRepositoryTemplates(deps, subject.repository, async (_renderer, templates) => {
          const generated = subject.kind === 'issue'
            ? await generateForIssue(deps, subject, retrieval, feedback, templates)
            : await generateForSpec(deps, subject, retrieval, feedback, templates);
          const tooMany = caseLimitError(generated.cases.length, deps.limits ?? DEFAULT_GENERATION_LIMITS);
          if (tooMany) throw permanent(tooMany, 'TooManyCases');
          return checkGates(deps, subject, generated, templates);
        });
        await replaceArtifacts(deps.db, runId, gated.artifacts);
        await replaceTestCases(deps.db, runId, gated.cases);

        const casesByKind: Record<string, number> = {};
        for (const testCase of gated.cases) casesByKind[testCase.kind] = (casesByKind[testCase.kind] ?? 0) + 1;
        const outcome: GenerationOutcome = {
          outDir: outputDir(subject),
          files: gated.artifacts.map(({ path, kind }) => ({ path, kind })),
          caseCount: gated.cases.length,
          casesByKind,
          notes: gated.notes,
          model: gated.model,
          dropped: gated.dropped,
          ...(gated.executable ? { executable: gated.executable } : {}),
        };
        // The retrieval outcome is recorded here too: when retrieve gave up, only the workflow knows.
        await updateRun(deps.db, runId, {
          details: {
            generation: {
              outDir: outcome.outDir,
              caseCount: outcome.caseCount,
              casesByKind,
              model: gated.model,
              ...(gated.executable ? { executable: gated.executable } : {}),
            },
            ...(retrieval ? { retrieval } : {}),
            ...(feedback.length ? { feedback } : {}),
          },
        });
        return outcome;
      },
    );
  };
}
