import { updateRun } from '../lib/db/runs';
import { listOperations } from '../lib/openapi';
import { issueQueries, specQueries } from '../lib/retrieval/texts';
import type { RetrievalOutcome, Subject } from '../lib/core/contract';
import { currentRun, recordStage, reportProgress, type ActivityDeps } from './stage';
import { loadDereferencedSpec } from './receive';

async function queriesFor(deps: ActivityDeps, subject: Subject): Promise<string[]> {
  if (subject.kind === 'issue') return issueQueries(subject);
  const { api } = await loadDereferencedSpec(deps, subject.specId);
  reportProgress('spec loaded');
  return specQueries(subject.title, listOperations(api));
}

/**
 * The repository's most similar existing test cases: each operation of a spec (or an issue and
 * each of its acceptance criteria) is embedded and searched in the vector store, the best matches above the threshold go to generate. A vector
 * store error is thrown and retried by Temporal; when the retries run out, the workflow goes on
 * without context and marks the run degraded.
 */
export function retrieveActivity(deps: ActivityDeps) {
  return async function retrieve(subject: Subject): Promise<RetrievalOutcome> {
    return recordStage(deps, 'retrieve', async () => {
      const { runId } = currentRun();
      let outcome: RetrievalOutcome;
      if (!deps.retrieval) {
        outcome = { status: 'not configured', documents: [], reason: 'retrieval is switched off (TESTLOOM_RETRIEVAL=off)' };
      } else {
        const similar = await deps.retrieval.findSimilar(subject.repository, await queriesFor(deps, subject));
        outcome = {
          status: 'ok',
          documents: similar.map(({ id, title, score, kind, path, origin, text }) => ({ id, title, score, kind, path, origin, text })),
        };
      }
      await updateRun(deps.db, runId, { details: { retrieval: outcome } });
      return outcome;
    });
  };
}
