/**
 * Indexing the same cases again (a spec's next revision, a retried stage) keeps the vectors Chroma
 * already holds for unchanged text from the same model: only new or changed texts are embedded,
 * and every case's metadata is still written anew. Real Chroma, real weights.
 */
import { CaseRetriever, ChromaCaseStore, caseDocumentId, type CaseDocument } from '../../lib/retrieval';
import type { Embedder } from '../../lib/embeddings';
import { testChromaUrl, testEmbedder, uniqueRepository } from '../support/retrieval';

/** The real embedder, remembering which texts it was asked to embed. */
function countingEmbedder(inner: Embedder, modelId = inner.modelId): Embedder & { embedded: string[] } {
  const embedded: string[] = [];
  return {
    modelId,
    dimensions: inner.dimensions,
    embedded,
    isLoaded: () => inner.isLoaded(),
    embed: (texts) => {
      embedded.push(...texts);
      return inner.embed(texts);
    },
  };
}

const documents = (repository: string, runId: string, texts: string[]): CaseDocument[] => texts.map((text, i) => ({
  id: caseDocumentId(repository, 'spec-1', `case-${i}`),
  text,
  title: `case ${i}`,
  repository,
  origin: 'spec',
  subject: 'spec-1',
  kind: 'happy-path',
  path: 'tests/testloom/api/pets.test.ts',
  runId,
  created: 1,
}));

test('unchanged cases keep their stored vectors; a changed text or another model is embedded again', async () => {
  const repository = uniqueRepository('reindex');
  const store = new ChromaCaseStore(testChromaUrl());
  const real = await testEmbedder();
  const settings = { topK: 5, minScore: 0.35 };
  const texts = ['listPets returns 200 with a page of pets', 'createPet rejects a pet without a name with 400', 'deletePet returns 404 for an unknown id'];

  const first = countingEmbedder(real);
  await new CaseRetriever(first, store, settings).index(documents(repository, 'run-1', texts));
  expect(first.embedded).toEqual(texts);

  const second = countingEmbedder(real);
  const changed = [texts[0], 'createPet rejects a pet whose name is empty with 400', texts[2]];
  await new CaseRetriever(second, store, settings).index(documents(repository, 'run-2', changed));
  expect(second.embedded).toEqual([changed[1]]);

  // What is stored is what embedding every text now would give, and the metadata is the new run's.
  const stored = await store.storedVectors(repository, documents(repository, 'run-2', changed).map((d) => d.id), real.modelId);
  const fresh = await real.embed(changed);
  changed.forEach((text, i) => {
    const vector = stored.get(caseDocumentId(repository, 'spec-1', `case-${i}`))!;
    expect(vector.text).toBe(text);
    expect(Math.max(...vector.embedding.map((x, j) => Math.abs(x - fresh[i][j])))).toBeLessThan(1e-5);
  });
  const [best] = await new CaseRetriever(real, store, settings).findSimilar(repository, [texts[2]]);
  expect(best).toMatchObject({ text: texts[2], runId: 'run-2' });

  const otherModel = countingEmbedder(real, 'another/model');
  await new CaseRetriever(otherModel, store, settings).index(documents(repository, 'run-3', changed));
  expect(otherModel.embedded).toEqual(changed);
  await store.deleteRepository(repository);
});
