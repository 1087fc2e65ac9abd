import { Context } from '@temporalio/activity';
import { replaceArtifacts } from '../lib/db/artifacts';
import { updateRun } from '../lib/db/runs';
import { replaceTestCases } from '../lib/db/test-cases';
import { generateSpecSuite } from '../lib/generation/spec-suite';
import type { GenerationOutcome, RetrievalOutcome, Subject } from '../lib/runs/contract';
import { outputDir } from '../lib/runs/subject';
import { currentRun, permanent, recordStage, type ActivityDeps } from './deps';
import { loadDereferencedSpec } from './receive';

/**
 * Deterministic, schema-driven suite for every operation, with the retrieved similar tests listed
 * in its test-case document. Files and cases go to the database, replacing any earlier attempt's,
 * so a retry after a crash leaves exactly one set.
 */
export function generateActivity(deps: ActivityDeps) {
  return async function generate(subject: Subject, retrieval?: RetrievalOutcome, feedback: string[] = []): Promise<GenerationOutcome> {
    return recordStage(deps, 'generate', async () => {
      const { runId } = currentRun();
      if (subject.kind === 'issue') {
        // Test cases from an issue's prose need a language model; without one the run says so.
        throw permanent(`no model provider is configured: an issue run needs one to write test cases from ${subject.repository}#${subject.number}`, 'ModelUnavailable');
      }
      const { api } = await loadDereferencedSpec(deps, subject.specId);
      Context.current().heartbeat('spec loaded');
      const suite = generateSpecSuite({
        api,
        specId: subject.specId,
        outDir: outputDir(subject),
        title: subject.title,
        related: retrieval?.documents.map(({ title, path, kind, score }) => ({ title, path, kind, score })),
      });
      Context.current().heartbeat('suite rendered');
      await replaceArtifacts(deps.db, runId, suite.artifacts);
      await replaceTestCases(
        deps.db,
        runId,
        suite.cases.map((c) => ({ caseId: c.id, kind: c.kind, title: c.title, operationId: c.operationId, method: c.method, path: c.path, expectedStatus: c.expectedStatus, file: c.file })),
      );

      const casesByKind: Record<string, number> = {};
      for (const testCase of suite.cases) casesByKind[testCase.kind] = (casesByKind[testCase.kind] ?? 0) + 1;
      const outcome: GenerationOutcome = {
        outDir: outputDir(subject),
        files: suite.artifacts.map(({ path, kind }) => ({ path, kind })),
        caseCount: suite.cases.length,
        casesByKind,
        notes: suite.notes,
      };
      // The retrieval outcome is recorded here too: when retrieve gave up, only the workflow knows.
      await updateRun(deps.db, runId, {
        details: {
          generation: { caseCount: outcome.caseCount, casesByKind },
          ...(retrieval ? { retrieval } : {}),
          // The deterministic spec suite does not use reviewer feedback; model-written tests will.
          ...(feedback.length ? { feedback } : {}),
        },
      });
      return outcome;
    });
  };
}
