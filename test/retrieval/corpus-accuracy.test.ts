/**
 * Retrieval quality on a labelled corpus (test/fixtures/retrieval/corpus.json) with the real
 * weights and the real Chroma server: each query is phrased unlike its target case, and the
 * target must come first for at least 90% of them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { caseDocumentId, type CaseDocument, type CaseRetriever } from '../../lib/retrieval';
import { testRetriever, uniqueRepository } from '../support/retrieval';

interface Corpus {
  cases: { id: string; domain: string; text: string }[];
  queries: { query: string; expected: string }[];
}

const corpus: Corpus = JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/retrieval/corpus.json'), 'utf8'));
const MIN_ACCURACY = 0.9;
const UNRELATED = 'Preheat the oven to 200 degrees and knead the dough for ten minutes before baking the bread.';

function corpusDocuments(repository: string): CaseDocument[] {
  return corpus.cases.map((c) => ({
    id: caseDocumentId(repository, 'corpus.json', c.id),
    text: c.text,
    title: c.text.split(' › ').pop()!,
    repository,
    origin: 'seed',
    subject: 'corpus.json',
    kind: c.domain,
    path: 'corpus.json',
    created: 0,
  }));
}

describe('retrieval over the labelled corpus', () => {
  const repositories: string[] = [];
  let ranking: CaseRetriever;
  let thresholded: CaseRetriever;
  let indexed: string;
  let corpusIdOf: Map<string, string>;

  const repository = () => {
    const name = uniqueRepository('corpus');
    repositories.push(name);
    return name;
  };

  beforeAll(async () => {
    ranking = await testRetriever({ topK: 5, minScore: 0 });
    thresholded = await testRetriever({ topK: 5, minScore: 0.35 });
    indexed = repository();
    await ranking.index(corpusDocuments(indexed));
    corpusIdOf = new Map(corpus.cases.map((c) => [caseDocumentId(indexed, 'corpus.json', c.id), c.id]));
  });

  afterAll(async () => {
    for (const name of repositories) await ranking?.store.deleteRepository(name);
  });

  test('is a corpus worth measuring: ≥ 36 cases in ≥ 6 domains, ≥ 12 queries with known targets', () => {
    expect(corpus.cases.length).toBeGreaterThanOrEqual(36);
    expect(new Set(corpus.cases.map((c) => c.domain)).size).toBeGreaterThanOrEqual(6);
    expect(new Set(corpus.cases.map((c) => c.id)).size).toBe(corpus.cases.length);
    expect(corpus.queries.length).toBeGreaterThanOrEqual(12);
    for (const q of corpus.queries) expect(corpus.cases.map((c) => c.id)).toContain(q.expected);
  });

  test(`finds the labelled case first for at least ${MIN_ACCURACY * 100}% of the queries`, async () => {
    const misses: string[] = [];
    for (const { query, expected } of corpus.queries) {
      const [best] = await ranking.findSimilar(indexed, [query]);
      const found = best && corpusIdOf.get(best.id);
      if (found !== expected) misses.push(`"${query}": expected ${expected}, got ${found ?? 'nothing'} (${best?.score})`);
    }
    const accuracy = (corpus.queries.length - misses.length) / corpus.queries.length;
    if (accuracy < MIN_ACCURACY) {
      throw new Error(`top-1 accuracy ${accuracy.toFixed(3)} is below ${MIN_ACCURACY}; misses:\n  ${misses.join('\n  ')}`);
    }
  });

  test('returns cosine scores in (0, 1], best first, at most topK', async () => {
    for (const { query } of corpus.queries) {
      const found = await ranking.findSimilar(indexed, [query]);
      expect(found.length).toBe(5);
      for (const c of found) {
        expect(c.score).toBeGreaterThan(0);
        expect(c.score).toBeLessThanOrEqual(1);
      }
      expect(found.map((c) => c.score)).toEqual([...found.map((c) => c.score)].sort((a, b) => b - a));
    }
    const [exact] = await ranking.findSimilar(indexed, [corpus.cases[0].text]);
    expect(corpusIdOf.get(exact.id)).toBe(corpus.cases[0].id);
    expect(exact.score).toBeCloseTo(1, 3);
  });

  test('indexing the same documents again replaces them instead of adding copies', async () => {
    const name = repository();
    await ranking.index(corpusDocuments(name));
    expect(await ranking.store.count(name)).toBe(corpus.cases.length);
    await ranking.index(corpusDocuments(name).map((d) => ({ ...d, created: 1 })));
    expect(await ranking.store.count(name)).toBe(corpus.cases.length);
  });

  test('the score threshold drops a query about something else entirely', async () => {
    expect(await thresholded.findSimilar(indexed, [UNRELATED])).toEqual([]);
    expect((await thresholded.findSimilar(indexed, [corpus.queries[0].query])).length).toBeGreaterThan(0);
  });

  test('a query only sees its own repository', async () => {
    const empty = repository();
    expect(await ranking.findSimilar(empty, [corpus.queries[0].query])).toEqual([]);

    const other = repository();
    const [single] = corpusDocuments(other);
    await ranking.index([single]);
    const found = await ranking.findSimilar(other, corpus.queries.map((q) => q.query));
    expect(found.map((c) => c.id)).toEqual([single.id]);
  });
});
