import type { RetrievalSettings } from '../config';
import { loadEmbedder } from '../embeddings/embedder';
import { ChromaCaseStore } from './chroma-store';
import { CaseRetriever } from './retriever';

/**
 * The retriever of a worker process, or undefined when retrieval is switched off. Checks the
 * embedding model's files now, so missing weights stop the worker at start-up with instructions
 * instead of degrading every run; an unreachable Chroma only degrades runs (checked per run).
 */
export async function createRetriever(settings: RetrievalSettings): Promise<CaseRetriever | undefined> {
  if (!settings.enabled) return undefined;
  const embedder = await loadEmbedder(settings.embedding);
  return new CaseRetriever(embedder, new ChromaCaseStore(settings.chroma.url), { topK: settings.topK, minScore: settings.minScore });
}
