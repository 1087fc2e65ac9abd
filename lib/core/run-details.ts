/** What a run's stages record beside its result (`runs.details`), for the API and the next stages. */
import type { ExecutionSummary, GenerationOutcome, IndexingOutcome, RetrievalOutcome } from './contract';

/** The part of a generation later requests need: where the suite is and what it holds. */
export type GenerationRecord = Pick<GenerationOutcome, 'outDir' | 'caseCount' | 'casesByKind' | 'model' | 'executable'>;

/** Each stage writes its own keys; they are merged into the stored object (lib/db/runs.ts updateRun). */
export interface RunDetails {
  retrieval?: RetrievalOutcome;
  generation?: GenerationRecord;
  /** Reviewer feedback the generation took into account. */
  feedback?: string[];
  execution?: ExecutionSummary;
  indexing?: IndexingOutcome;
  cancelReason?: string;
  /** The failed or cancelled run this one retries (`POST /api/v1/runs/:id/retry`). */
  retryOf?: string;
  /** What finalize did with the spec's schedule (one `.testloom.yml` asks for, or one of an earlier revision). */
  schedule?: ScheduleOutcome;
}

export interface ScheduleOutcome {
  status: 'none' | 'unchanged' | 'created' | 'replaced' | 'retargeted' | 'skipped';
  scheduleId?: string;
  /** Why a schedule `.testloom.yml` asks for was not made (e.g. no target). */
  reason?: string;
}
