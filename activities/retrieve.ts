import { updateRun } from '../lib/db/runs';
import type { RetrievalOutcome, SpecSubject } from '../lib/runs/contract';
import { currentRun, recordStage, type ActivityDeps } from './deps';

/**
 * Similar past tests from the vector store. Embeddings and Chroma are not wired in yet, so the
 * stage says so in the run's status instead of pretending to have found nothing.
 */
export function retrieveActivity(deps: ActivityDeps) {
  return async function retrieve(_subject: SpecSubject): Promise<RetrievalOutcome> {
    return recordStage(deps, 'retrieve', async () => {
      const outcome: RetrievalOutcome = { status: 'not configured', documents: [] };
      await updateRun(deps.db, currentRun().runId, { details: { retrieval: outcome } });
      return outcome;
    });
  };
}
