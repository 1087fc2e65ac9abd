/**
 * testloom's embedder (transformers.js, int8 ONNX) against the original sentence-transformers
 * all-MiniLM-L6-v2 (PyTorch, float32): the vectors in the fixture were made by
 * test/fixtures/embeddings/make-reference.py.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../lib/config';
import { EMBEDDING_DIMENSIONS, EmbeddingModelMissingError, loadEmbedder, modelFolder, type Embedder } from '../../lib/embeddings';
import { testEmbedder } from '../support/retrieval';

interface Reference {
  sentences: { text: string; embedding: number[] }[];
}

const reference: Reference = JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/embeddings/reference.json'), 'utf8'));
const texts = reference.sentences.map((s) => s.text);

const dot = (a: number[], b: number[]) => a.reduce((sum, x, i) => sum + x * b[i], 0);
const norm = (a: number[]) => Math.sqrt(dot(a, a));
const cosine = (a: number[], b: number[]) => dot(a, b) / (norm(a) * norm(b));

describe('embedder against the sentence-transformers reference', () => {
  let embedder: Embedder;
  let singles: number[][];

  beforeAll(async () => {
    embedder = await testEmbedder();
    singles = [];
    for (const text of texts) singles.push(...(await embedder.embed([text])));
  });

  it('gives every fixture sentence a vector with cosine similarity >= 0.99 to the reference', () => {
    const scores = reference.sentences.map((s, i) => ({ text: s.text, cosine: cosine(singles[i], s.embedding) }));
    const worst = scores.reduce((a, b) => (b.cosine < a.cosine ? b : a));
    const summary = `worst cosine ${worst.cosine.toFixed(5)} for ${JSON.stringify(worst.text.slice(0, 80))}`;
    expect(worst.cosine >= 0.99 ? 'ok' : summary).toBe('ok');
  });

  it('cuts a long text at 256 word pieces, as the reference does (the fixture holds texts beyond it)', async () => {
    const { AutoTokenizer, env } = await import('@huggingface/transformers');
    const { modelDir, modelId } = loadConfig().retrieval.embedding;
    env.localModelPath = modelDir;
    const tokenizer = await AutoTokenizer.from_pretrained(modelId);
    expect(Math.max(...texts.map((text) => tokenizer.encode(text).length))).toBeGreaterThan(256);
  });

  it('returns 384-d unit vectors', () => {
    expect(embedder.dimensions).toBe(EMBEDDING_DIMENSIONS);
    for (const vector of singles) {
      expect(vector).toHaveLength(384);
      expect(norm(vector)).toBeCloseTo(1, 5);
    }
  });

  it('gives the same vectors in one batch as one at a time', async () => {
    const batched = await embedder.embed(texts);
    expect(batched).toHaveLength(texts.length);
    const maxDiff = Math.max(...batched.flatMap((vector, i) => vector.map((x, j) => Math.abs(x - singles[i][j]))));
    expect(maxDiff).toBeLessThan(1e-5);
  });
});

describe('embedder memory', () => {
  it('loads the model on the first call, releases it when idle, and loads it again for the next call', async () => {
    const embedder = await loadEmbedder({ ...loadConfig().retrieval.embedding, offline: true }, 300);
    expect(embedder.isLoaded()).toBe(false);
    const [first] = await embedder.embed([texts[0]]);
    expect(embedder.isLoaded()).toBe(true);
    for (let waited = 0; embedder.isLoaded() && waited < 5_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(embedder.isLoaded()).toBe(false);
    const [again] = await embedder.embed([texts[0]]);
    expect(Math.max(...again.map((x, i) => Math.abs(x - first[i])))).toBeLessThan(1e-6);
  });

  it('keeps the model while calls overlap the idle time', async () => {
    const embedder = await loadEmbedder({ ...loadConfig().retrieval.embedding, offline: true }, 200);
    for (let i = 0; i < 4; i++) {
      await embedder.embed(texts.slice(0, 2));
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(embedder.isLoaded()).toBe(true);
    }
  });
});

describe('embedder without its model files', () => {
  let emptyDir: string;
  beforeAll(() => {
    emptyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'testloom-no-model-'));
  });
  afterAll(() => fs.rmSync(emptyDir, { recursive: true, force: true }));

  it('rejects offline with EmbeddingModelMissingError naming the folder, the files and infra/setup.sh', async () => {
    const { modelId } = loadConfig().retrieval.embedding;
    const load = loadEmbedder({ modelId, modelDir: emptyDir, offline: true, batchSize: 32 });
    await expect(load).rejects.toBeInstanceOf(EmbeddingModelMissingError);
    const message = await load.catch((err: Error) => err.message);
    for (const part of [modelFolder(emptyDir, modelId), 'config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model_quantized.onnx', 'infra/setup.sh']) {
      expect(message).toContain(part);
    }
  });
});
