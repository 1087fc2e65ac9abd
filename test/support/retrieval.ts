/** Retrieval against the test run's real Chroma server with the real embedding weights. */
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../lib/config';
import { loadEmbedder, type Embedder } from '../../lib/embeddings';
import { CaseRetriever, ChromaCaseStore } from '../../lib/retrieval';

export function testChromaUrl(): string {
  const url = process.env.TESTLOOM_TEST_CHROMA_URL;
  if (!url) throw new Error('TESTLOOM_TEST_CHROMA_URL is unset: run tests through jest (global setup starts Chroma)');
  return url;
}

/** The embedder a worker would load with the default configuration (weights from setup). */
export function testEmbedder(): Promise<Embedder> {
  return loadEmbedder({ ...loadConfig().retrieval.embedding, offline: true });
}

export async function testRetriever(settings = { topK: 5, minScore: 0.35 }): Promise<CaseRetriever> {
  return new CaseRetriever(await testEmbedder(), new ChromaCaseStore(testChromaUrl()), settings);
}

/** A repository name no other test uses, so each test gets its own Chroma collection. */
export function uniqueRepository(prefix = 'test'): string {
  return `${prefix}/repo-${randomBytes(4).toString('hex')}`;
}
