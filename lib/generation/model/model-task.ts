/** What every model-written part of a generation gets: context for the prompt and the means to call a model. */
import type { ModelAccess } from '../../llm/from-config';
import type { RetrievedDocument } from '../../core/contract';
import type { TemplateRenderer } from '../../templates';

export interface ModelTaskRequest {
  /** Similar existing tests found by retrieval. */
  related: RetrievedDocument[];
  /** Reviewer feedback (`/testloom regenerate …`). */
  feedback: string[];
  runId: string;
  models: ModelAccess;
  renderer: TemplateRenderer;
  signal?: AbortSignal;
  onProgress?: (tokensSoFar: number) => void;
}

/** The prompt templates' shared context: similar tests with readable scores, feedback that says something. */
export function promptContext(request: Pick<ModelTaskRequest, 'related' | 'feedback'>) {
  return {
    related: request.related.map((doc) => ({ ...doc, score: doc.score.toFixed(2) })),
    feedback: request.feedback.filter((f) => f.trim()),
  };
}
