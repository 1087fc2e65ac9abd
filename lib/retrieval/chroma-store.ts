import { createHash } from 'node:crypto';
import { ChromaClient, ChromaConnectionError, type Collection, type Metadata } from 'chromadb';
import type { CaseOrigin } from '../core/contract';
import type { CaseDocument, SimilarCase } from './documents';

export interface IndexedCase extends CaseDocument {
  embedding: number[];
}

/** The vector store cannot be reached. Retrying later may help; the message names the server. */
export class VectorStoreUnavailableError extends Error {
  constructor(url: string, cause: unknown) {
    super(`Chroma at ${url} does not answer (${cause instanceof ChromaConnectionError ? 'connection failed' : (cause as Error).message})`);
    this.name = 'VectorStoreUnavailableError';
  }
}

/**
 * Test cases in Chroma, one collection per repository. Separate collections keep every query
 * scoped to its repository without relying on a metadata filter (a forgotten `where` cannot leak
 * another repository's tests), keep each HNSW index small, and let a repository's index be
 * dropped or rebuilt on its own. Vectors are computed by testloom, so no embedding function is
 * attached, and the space is cosine to match the normalised sentence embeddings.
 */
export class ChromaCaseStore {
  private readonly client: ChromaClient;
  private readonly collections = new Map<string, Promise<Collection>>();

  constructor(readonly url: string) {
    const parsed = new URL(url);
    this.client = new ChromaClient({
      host: parsed.hostname,
      port: Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80)),
      ssl: parsed.protocol === 'https:',
    });
  }

  async heartbeat(): Promise<void> {
    await this.reachable(() => this.client.heartbeat());
  }

  /** Writes the cases with their vectors; `embeddingModel` (the model that computed them) is kept with each. */
  async upsert(repository: string, cases: IndexedCase[], embeddingModel: string): Promise<void> {
    if (cases.length === 0) return;
    const collection = await this.collection(repository);
    await this.reachable(() => collection.upsert({
      ids: cases.map((c) => c.id),
      embeddings: cases.map((c) => c.embedding),
      documents: cases.map((c) => c.text),
      metadatas: cases.map((c) => ({ ...toMetadata(c), embeddingModel })),
    }));
  }

  /** The text and vector stored under each of `ids` that `embeddingModel` computed; others are absent. */
  async storedVectors(repository: string, ids: string[], embeddingModel: string): Promise<Map<string, { text: string; embedding: number[] }>> {
    const stored = new Map<string, { text: string; embedding: number[] }>();
    if (ids.length === 0) return stored;
    const collection = await this.collection(repository);
    const found = await this.reachable(() => collection.get({ ids, include: ['documents', 'embeddings', 'metadatas'] }));
    found.ids.forEach((id, i) => {
      const [text, embedding] = [found.documents[i], found.embeddings[i]];
      if (found.metadatas[i]?.embeddingModel === embeddingModel && typeof text === 'string' && embedding) stored.set(id, { text, embedding: [...embedding] });
    });
    return stored;
  }

  /**
   * The `topK` most similar cases per query vector whose similarity reaches `minScore`, merged
   * over all queries (best score per case), best first.
   */
  async query(repository: string, embeddings: number[][], options: { topK: number; minScore: number }): Promise<SimilarCase[]> {
    const collection = await this.collection(repository);
    const result = await this.reachable(() =>
      collection.query({ queryEmbeddings: embeddings, nResults: options.topK, include: ['documents', 'metadatas', 'distances'] }),
    );
    const best = new Map<string, SimilarCase>();
    result.ids.forEach((ids, q) => {
      ids.forEach((id, i) => {
        const distance = result.distances[q]?.[i];
        if (distance === null || distance === undefined) return;
        const score = 1 - distance;
        if (score < options.minScore || (best.get(id)?.score ?? -Infinity) >= score) return;
        best.set(id, fromMetadata(id, result.documents[q]?.[i] ?? '', result.metadatas[q]?.[i] ?? {}, score));
      });
    });
    return [...best.values()].sort((a, b) => b.score - a.score || a.id.localeCompare(b.id)).slice(0, options.topK);
  }

  async count(repository: string): Promise<number> {
    const collection = await this.collection(repository);
    return this.reachable(() => collection.count());
  }

  async deleteRepository(repository: string): Promise<void> {
    this.collections.delete(repository);
    await this.client.deleteCollection({ name: collectionName(repository) }).catch(() => undefined);
  }

  private async reachable<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (err instanceof ChromaConnectionError) throw new VectorStoreUnavailableError(this.url, err);
      throw err;
    }
  }

  private collection(repository: string): Promise<Collection> {
    let collection = this.collections.get(repository);
    if (!collection) {
      collection = this.reachable(() =>
        this.client.getOrCreateCollection({
          name: collectionName(repository),
          embeddingFunction: null,
          configuration: { hnsw: { space: 'cosine' } },
          metadata: { repository },
        }),
      );
      collection.catch(() => this.collections.delete(repository)); // retry after Chroma comes back
      this.collections.set(repository, collection);
    }
    return collection;
  }
}

/**
 * Chroma names allow [a-zA-Z0-9._-], 3-512 characters, starting and ending alphanumeric. The
 * readable part keeps the Chroma UI legible; the hash keeps `a/b-c` and `a-b/c` apart.
 */
export function collectionName(repository: string): string {
  const readable = repository.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 200);
  const hash = createHash('sha256').update(repository).digest('hex').slice(0, 10);
  return `testloom-${readable}-${hash}`;
}

function toMetadata(c: CaseDocument): Metadata {
  return {
    title: c.title,
    repository: c.repository,
    origin: c.origin,
    subject: c.subject,
    kind: c.kind,
    path: c.path,
    created: c.created,
    ...(c.runId ? { runId: c.runId } : {}),
  };
}

function fromMetadata(id: string, text: string, meta: Metadata, score: number): SimilarCase {
  const str = (key: string) => (typeof meta[key] === 'string' ? meta[key] : '');
  return {
    id,
    text,
    title: str('title'),
    kind: str('kind'),
    origin: (str('origin') || 'seed') as CaseOrigin,
    subject: str('subject'),
    path: str('path'),
    ...(str('runId') ? { runId: str('runId') } : {}),
    score: Math.round(score * 10_000) / 10_000,
  };
}
