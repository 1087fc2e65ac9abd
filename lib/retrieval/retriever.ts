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

  /** Embeds and upserts the documents; returns how many were written. */
  async index(documents: CaseDocument[]): Promise<number> {
    const byRepository = new Map<string, CaseDocument[]>();
    for (const doc of documents) byRepository.set(doc.repository, [...(byRepository.get(doc.repository) ?? []), doc]);
    for (const [repository, docs] of byRepository) {
      const embeddings = await this.embedder.embed(docs.map((d) => d.text));
      await this.store.upsert(repository, docs.map((d, i) => ({ ...d, embedding: embeddings[i] })));
    }
    return documents.length;
  }
}
