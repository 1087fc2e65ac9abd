import type { RetrievalSettings } from '../config';
import { loadEmbedder } from '../embeddings/embedder';
import { CachingEmbedder } from '../embeddings/vector-cache';
import { ChromaCaseStore } from './chroma-store';
import { CaseRetriever } from './retriever';

/**
 * The retriever of a worker process, or undefined when retrieval is switched off. Checks the
 * embedding model's files now, so missing weights stop the worker at start-up with instructions
 * instead of degrading every run; an unreachable Chroma only degrades runs (checked per run).
 * The vectors of the texts it embedded last are kept (CachingEmbedder): runs of one spec ask the same queries.
 */
export async function createRetriever(settings: RetrievalSettings): Promise<CaseRetriever | undefined> {
  if (!settings.enabled) return undefined;
  const embedder = new CachingEmbedder(await loadEmbedder(settings.embedding));
  return new CaseRetriever(embedder, new ChromaCaseStore(settings.chroma.url), { topK: settings.topK, minScore: settings.minScore });
}
