import type { Embedder } from '../embeddings/embedder';
import type { ChromaCaseStore } from './chroma-store';
import type { CaseDocument, SimilarCase } from './documents';

export interface RetrieverSettings {
  topK: number;
  /** Lowest cosine similarity a case must reach to be returned. */
  minScore: number;
}

/** Embeds text in-process and finds or stores test cases in the vector store. */
export class CaseRetriever {
  constructor(
    readonly embedder: Embedder,
    readonly store: ChromaCaseStore,
    readonly settings: RetrieverSettings,
  ) {}

  /** The most similar stored cases of `repository` for any of `queries`, best first (`settings`: other than the configured top-k and minimum score). */
  async findSimilar(repository: string, queries: string[], settings: RetrieverSettings = this.settings): Promise<SimilarCase[]> {
    if (queries.length === 0) return [];
    const embeddings = await this.embedder.embed(queries);
    return this.store.query(repository, embeddings, settings);
  }

  /**
   * Embeds and upserts the documents; returns how many were written. A document whose id already
   * holds the same text, embedded by the same model, keeps its stored vector: a spec's next revision
   * (or a retried stage) mostly re-indexes unchanged cases, and embedding is the costly part.
   */
  async index(documents: CaseDocument[]): Promise<number> {
    const byRepository = new Map<string, CaseDocument[]>();
    for (const doc of documents) byRepository.set(doc.repository, [...(byRepository.get(doc.repository) ?? []), doc]);
    for (const [repository, docs] of byRepository) {
      const stored = await this.store.storedVectors(repository, docs.map((d) => d.id), this.embedder.modelId);
      const unchanged = (doc: CaseDocument) => stored.get(doc.id)?.text === doc.text;
      const changed = docs.filter((d) => !unchanged(d));
      const computed = changed.length ? await this.embedder.embed(changed.map((d) => d.text)) : [];
      const vectors = new Map(changed.map((d, i) => [d.id, computed[i]]));
      const indexed = docs.map((d) => ({ ...d, embedding: unchanged(d) ? stored.get(d.id)!.embedding : vectors.get(d.id)! }));
      await this.store.upsert(repository, indexed, this.embedder.modelId);
    }
    return documents.length;
  }
}
