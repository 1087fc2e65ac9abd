import path from 'node:path';
import { Context } from '@temporalio/activity';
import { BudgetExceededError, InvalidModelOutputError, ModelUnavailableError } from '../lib/llm';
import { listArtifacts, setDelivery, type DeliveryDecision } from '../lib/db/artifacts';
import { executionHistory, finishExecution, startExecution } from '../lib/db/executions';
import { getRun, updateRun } from '../lib/db/runs';
import { listStoredTestCases } from '../lib/db/test-cases';
import { executionReport } from '../lib/runs/review-text';
import type { ExecuteRunInput, ExecutionRequest, ExecutionSummary, GenerationOutcome, Subject } from '../lib/core/contract';
import type { TemplateRenderer } from '../lib/templates';
import { processChecker } from '../lib/generation/gates/check-process';
import { executeSuite, type ExecutionReport, type SuiteExecution } from '../lib/execution/execute-suite';
import { modelRepairer } from '../lib/execution/heal-model';
import { ApiUnreachableError } from '../lib/execution/reachability';
import { FRAMEWORKS, frameworkFor, FrameworkUnavailableError, isFrameworkName, SuiteRunError } from '../lib/frameworks';
import { suiteCases } from '../lib/execution/suite-cases';
import type { PrioritisationRequest, RecordedExecutionTests } from '../lib/execution/prioritised-run';
import { checkTarget, InvalidTargetError, type TargetConfig } from '../lib/core/target';
import { resolveTargetEnv } from '../lib/core/target-policy';
import { currentRun, keepHeartbeating, permanent, progressWatchdog, recordStage, withRepositoryTemplates, type ActivityDeps } from './stage';
import { loadDereferencedSpec } from './receive';

/** Response bodies kept per recorded exchange in the stored report; the live run records up to 64 KiB. */
const STORED_BODY_CHARS = 2000;
const CASE_DOCUMENT = 'test-cases.md';

type Executable = NonNullable<GenerationOutcome['executable']>;

function skipped(target: TargetConfig, runs: number, reason: string): ExecutionSummary {
  return { status: 'skipped', reason, baseUrl: target.baseUrl, runs, tests: 0, passed: 0, healed: [], flaky: [], dropped: [], baselineFailed: [], apiDefects: [], blocked: [], withheldFiles: [] };
}

function storedReport(report: ExecutionReport): ExecutionReport {
  return {
    ...report,
    exchanges: report.exchanges.map((e) => (e.responseBody && e.responseBody.length > STORED_BODY_CHARS
      ? { ...e, responseBody: e.responseBody.slice(0, STORED_BODY_CHARS), responseBodyTruncated: true }
      : e)),
  };
}

/** Why a suite cannot be executed, or undefined when it can. */
function notExecutable(executable: Executable | undefined, files: { path: string }[]): string | undefined {
  if (!executable) return 'the run generated no executable API suite';
  // Stored by a generate stage that may be of another version: it can name a framework this one does not know.
  const framework: string = executable.framework;
  if (!isFrameworkName(framework)) return `${framework} suites are not executed yet (only ${FRAMEWORKS.map((name) => frameworkFor(name).title).join(' and ')})`;
  // The file without which a suite of the framework cannot run; the quality gates may have dropped it.
  const anchor = frameworkFor(executable.framework).runner.anchorFile;
  if (!files.some((f) => f.path === `${executable.suiteDir}/${anchor}`)) return `the suite in ${executable.suiteDir}/ has no ${anchor} (the quality gates dropped it)`;
  return undefined;
}

/**
 * Runs a run's suite against the target and triages it (lib/execution/execute-suite); `heal` also
 * asks the model to repair tests at fault. The execute stage runs the generated files (its earlier
 * attempts' decisions are reset first), so a retried attempt validates the same suite again; a
 * later execution (`delivered`) runs what the commit delivered: withheld files left out, each file
 * as delivered (without the flaky, dropped and baseline-failed tests).
 */
async function executeStoredSuite(
  deps: ActivityDeps,
  run: { runId: string; repository: string; outDir: string; executable?: Executable },
  request: ExecutionRequest,
  options: { heal: boolean; delivered: boolean; renderer?: TemplateRenderer; prioritisation?: PrioritisationRequest },
): Promise<{ execution: SuiteExecution; caseDocument?: { path: string; content: string } } | { skipped: string }> {
  let target: TargetConfig;
  try {
    target = resolveTargetEnv(request.target, process.env);
    checkTarget(target);
  } catch (err) {
    if (err instanceof InvalidTargetError) throw permanent(err.message, 'InvalidTarget');
    throw err;
  }
  const stored = await listArtifacts(deps.db, run.runId);
  const artifacts = options.delivered
    ? stored.filter((a) => a.withheldReason === null).map((a) => ({ path: a.path, content: a.deliveredContent ?? a.content }))
    : stored.map((a) => ({ path: a.path, content: a.content }));
  const suiteDir = run.executable?.suiteDir;
  const files = suiteDir ? artifacts.filter((a) => a.path.startsWith(`${suiteDir}/`)) : [];
  const reason = notExecutable(run.executable, files);
  if (reason) return { skipped: reason };

  const { framework } = run.executable!;
  const caseDocument = files.find((f) => f.path === `${suiteDir}/${CASE_DOCUMENT}`);
  const { api } = await loadDereferencedSpec(deps, run.executable!.specId);
  const context = Context.current();
  const cases = suiteCases(await listStoredTestCases(deps.db, run.runId), run.outDir, framework);
  try {
    const execution = await executeSuite({
      // Suites of issue runs sit below the run's folder: only their own files take part.
      files: files.filter((f) => path.posix.basename(f.path) !== CASE_DOCUMENT).map(({ path: file, content }) => ({ path: file, content })),
      framework,
      api,
      target,
      cases,
      runs: request.runs,
      timeLimitMs: request.timeLimitMs,
      healRounds: options.heal ? request.healRounds : 0,
      repair: options.heal && deps.models && options.renderer
        ? modelRepairer({ models: deps.models, renderer: options.renderer, runId: run.runId, repository: run.repository, watchModelCall: progressWatchdog })
        : undefined,
      // A stalled model call (aborted by its watchdog) or a cancellation fails the attempt; Temporal retries or stops it.
      isFatal: (err) => !(err instanceof ModelUnavailableError || err instanceof BudgetExceededError || err instanceof InvalidModelOutputError),
      check: async (suite, changed) => {
        // The whole suite, so imports resolve; only the changed files' failures matter.
        const artifacts = suite.map((f) => ({ ...f, kind: frameworkFor(framework).runner.isTestFile(f.path) ? ('test' as const) : ('helper' as const) }));
        const result = await (deps.gates ?? processChecker).check(artifacts, { signal: context.cancellationSignal });
        return new Map(result.failed.filter((f) => changed.includes(f.path)).map((f) => [f.path, f.reason]));
      },
      signal: context.cancellationSignal,
      onProgress: (message) => context.heartbeat(message),
      ...(options.prioritisation ? { prioritisation: options.prioritisation } : {}),
    });
    return { execution, ...(caseDocument ? { caseDocument: { path: caseDocument.path, content: caseDocument.content } } : {}) };
  } catch (err) {
    // A suite that hangs or crashes Jest may pass next time (the API was slow, the machine loaded): retryable.
    if (err instanceof SuiteRunError) throw new Error(`the suite could not be executed: ${err.message}`, { cause: err });
    // Without the framework's runtime (pytest and requests) no retry can help: the stage fails saying what to install.
    if (err instanceof FrameworkUnavailableError) throw permanent(`the suite could not be executed: ${err.message}`, err.failureType);
    // An API that answers nothing: nothing is verified, so nothing is delivered; the user fixes the target and asks again.
    if (err instanceof ApiUnreachableError) throw permanent(err.message, 'ApiUnreachable');
    throw err;
  }
}

/** test-cases.md of the suite, with the execution section appended. */
function caseDocumentDecision(document: { path: string; content: string }, section: string): DeliveryDecision {
  return { path: document.path, deliveredContent: `${document.content.trimEnd()}\n\n${section}\n` };
}

/**
 * The execute stage: between generate and commit, when the run has a target. Stores the
 * execution (per-test outcomes, findings, coverage) and decides what commit delivers: flaky and
 * unrepaired tests are removed, repaired ones replaced, test-cases.md gets the execution report.
 */
export function executeActivity(deps: ActivityDeps) {
  return async function execute(input: { subject: Subject; generation: GenerationOutcome; request: ExecutionRequest }): Promise<ExecutionSummary> {
    return recordStage(deps, 'execute', async () => {
      const { runId, workflowId } = currentRun();
      const { request } = input;
      // A retry starts from the generated suite: earlier attempts' decisions are forgotten first.
      await setDelivery(deps.db, runId, []);
      await startExecution(deps.db, { id: runId, runId, workflowId, kind: 'pipeline', target: request.target });
      try {
        const summary = await withRepositoryTemplates(deps, input.subject.repository, async (renderer) => {
          const run = { runId, repository: input.subject.repository, outDir: input.generation.outDir, executable: input.generation.executable };
          const result = await executeStoredSuite(deps, run, request, { heal: true, delivered: false, renderer });
          if ('skipped' in result) {
            const outcome = skipped(request.target, request.runs, result.skipped);
            await finishExecution(deps.db, runId, { status: 'skipped', summary: outcome });
            return outcome;
          }
          const { execution, caseDocument } = result;
          const document = caseDocument ? [caseDocumentDecision(caseDocument, executionReport(renderer, execution.summary))] : [];
          await setDelivery(deps.db, runId, [...execution.decisions, ...document]);
          await finishExecution(deps.db, runId, { status: 'completed', summary: execution.summary, report: storedReport(execution.report) });
          return execution.summary;
        });
        await updateRun(deps.db, runId, { details: { execution: summary } });
        return summary;
      } catch (err) {
        await finishExecution(deps.db, runId, { status: 'failed', error: (err as Error).message });
        throw err;
      }
    });
  };
}

/** How many earlier executions of the same suite a later execution's order learns from. */
const HISTORY_EXECUTIONS = 50;

/**
 * A later execution runs its tests most-likely-to-fail first, learned from the completed executions
 * of the same repository and spec (all its revisions; of the run alone for an issue run), tests of
 * operations this revision added or changed first. Seeded by the execution id: a retried attempt
 * runs the same tests in the same order.
 */
async function prioritisationOf(
  deps: ActivityDeps,
  run: { id: string; repository: string; subject: Subject | null },
  executionId: string,
  request: ExecutionRequest,
): Promise<PrioritisationRequest> {
  const subject = run.subject?.kind === 'spec' ? run.subject : undefined;
  const history = await executionHistory(deps.db, { repository: run.repository, specName: subject?.name, runId: run.id }, HISTORY_EXECUTIONS);
  const changes = subject?.revision?.changes;
  return {
    history: history as RecordedExecutionTests[],
    ...(changes ? { changedOperations: [...changes.added, ...changes.changed].map((c) => c.operationId) } : {}),
    seed: executionId,
    ...(request.budget !== undefined ? { budget: request.budget } : {}),
    ...(request.failFast ? { failFast: true } : {}),
  };
}

/**
 * `POST /api/v1/runs/:id/execute`: runs a finished run's suite against a target again and stores
 * the report as its own execution. Nothing is repaired or delivered: the commit is not touched.
 */
export function executeRunActivity(deps: ActivityDeps) {
  return async function executeRun(input: { runId: string; request: ExecutionRequest; kind?: ExecuteRunInput['kind'] }): Promise<ExecutionSummary> {
    const { runId: executionId, workflowId } = currentRun();
    const run = await getRun(deps.db, input.runId);
    if (!run) throw permanent(`run ${input.runId} is not stored`, 'UnknownRun');
    await startExecution(deps.db, { id: executionId, runId: run.id, workflowId, kind: input.kind ?? 'request', target: input.request.target });
    const stopHeartbeat = keepHeartbeating();
    const { generation } = run.details;
    try {
      const outDir = generation?.outDir ?? '';
      const stored = { runId: run.id, repository: run.repository, outDir, executable: generation?.executable };
      // The delivered tests, not the ones the execute stage left out.
      const prioritisation = await prioritisationOf(deps, run, executionId, input.request);
      const result = await executeStoredSuite(deps, stored, input.request, { heal: false, delivered: true, prioritisation });
      if ('skipped' in result) {
        const outcome = skipped(input.request.target, input.request.runs, result.skipped);
        await finishExecution(deps.db, executionId, { status: 'skipped', summary: outcome });
        return outcome;
      }
      await finishExecution(deps.db, executionId, { status: 'completed', summary: result.execution.summary, report: storedReport(result.execution.report) });
      return result.execution.summary;
    } catch (err) {
      await finishExecution(deps.db, executionId, { status: 'failed', error: (err as Error).message });
      throw err;
    } finally {
      stopHeartbeat();
    }
  };
}
