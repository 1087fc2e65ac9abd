/**
 * Embedding throughput and vector-search latency. Prints
 *   - sentences/second of testloom's embedder (transformers.js) one at a time and in batches of 32,
 *     next to a Python reference (onnxruntime + tokenizers) on the same ONNX file, the two taking
 *     turns on the same sentences, and their ratio;
 *   - Chroma top-5 query latency (p50/p99) with 10k and 100k stored 384-d vectors, on a Chroma
 *     server of its own.
 * Installs the Python reference's packages into .venv when missing, onnxruntime at the version Node runs
 * (onnxruntime-node's), so both sides run the same runtime. Usage: tsx bench/embeddings.ts
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { ChromaClient } from 'chromadb';
import { loadConfig, PROJECT_ROOT } from '../lib/config';
import { loadEmbedder, modelFolder, type Embedder } from '../lib/embeddings';
import { freePort } from '../lib/net/free-port';
import { quantile } from './stats';
import { ensureChromaServer } from '../lib/retrieval/chroma-server';

const SENTENCES = 256;
const BATCH = 32;
/** Sentences per side in one round, and rounds per batch size. */
const BLOCK = 128;
const ROUNDS = 10;
const QUERIES = 200;
const SIZES = [10_000, 100_000];

const dot = (a: number[], b: number[]) => a.reduce((sum, x, i) => sum + x * b[i], 0);
const rate = (n: number, ms: number) => `${(n / (ms / 1000)).toFixed(1)}/s`;

/** Test titles and issue sentences of the kind testloom embeds, all different. */
function realisticSentences(n: number): string[] {
  const resources = ['pets', 'orders', 'users', 'invoices', 'projects', 'webhooks', 'sessions', 'files'];
  const checks = [
    (r: string) => `GET /${r}/{id} returns 404 for an unknown id`,
    (r: string) => `POST /${r} rejects a request without required field "name" with 4xx`,
    (r: string) => `PATCH /${r}/{id} with an invalid enum value returns 400 and a problem+json body`,
    (r: string) => `DELETE /${r}/{id} without the admin scope answers 403`,
    (r: string) => `GET /${r}?limit=500 is capped at the maximum page size of 100`,
    (r: string) => `Creating ${r} concurrently with the same idempotency key yields one record`,
    (r: string) => `The ${r} list endpoint times out after the last release when the filter is empty`,
    (r: string) => `Updating ${r} returns 500 when the description contains emoji or non-ASCII text`,
  ];
  const versions = ['', ' (v1)', ' (v2)', ' in the EU region'];
  const sentences: string[] = [];
  for (const version of versions) for (const check of checks) for (const resource of resources) sentences.push(check(resource) + version);
  return sentences.slice(0, n);
}

/** The onnxruntime Node runs (transformers.js's onnxruntime-node): the Python reference runs the same version. */
function nodeOnnxruntimeVersion(): string {
  const manifest = path.join(PROJECT_ROOT, 'node_modules', 'onnxruntime-node', 'package.json');
  return (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version: string }).version;
}

function ensurePythonReference(): string {
  const python = path.join(PROJECT_ROOT, '.venv', 'bin', 'python');
  if (!fs.existsSync(python)) execFileSync('python3', ['-m', 'venv', path.join(PROJECT_ROOT, '.venv')], { stdio: 'inherit' });
  const wanted = nodeOnnxruntimeVersion();
  let installed = '';
  try {
    installed = execFileSync(python, ['-c', 'import onnxruntime, tokenizers, numpy; print(onnxruntime.__version__)']).toString().trim();
  } catch {
    // not installed yet
  }
  if (installed !== wanted) {
    console.log(`installing onnxruntime ${wanted} (the version of Node's onnxruntime-node), tokenizers, numpy into .venv for the Python reference …`);
    execFileSync(path.join(PROJECT_ROOT, '.venv', 'bin', 'pip'), ['install', '--quiet', `onnxruntime==${wanted}`, 'tokenizers', 'numpy'], { stdio: 'inherit' });
  }
  return python;
}

/** The Python reference as a process answering one JSON line per request (bench/embeddings_reference.py). */
class PythonReference {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly answers: AsyncIterator<string>;

  constructor(python: string, folder: string) {
    this.child = spawn(python, [path.join(__dirname, 'embeddings_reference.py'), folder]);
    this.child.stderr.pipe(process.stderr);
    this.answers = readline.createInterface({ input: this.child.stdout })[Symbol.asyncIterator]();
  }

  async ask<Answer>(request: object): Promise<Answer> {
    this.child.stdin.write(`${JSON.stringify(request)}\n`);
    const { value, done } = await this.answers.next();
    if (done) throw new Error('the Python reference ended without answering');
    return JSON.parse(value) as Answer;
  }

  close(): void {
    this.child.stdin.end();
  }
}

/**
 * Node and Python take turns on the same slices of sentences, Python timing its own share; which
 * side goes first alternates per round. Returns milliseconds per side, summed over the rounds, and
 * the lowest and highest ratio of one round.
 */
async function alternate(embedder: Embedder, reference: PythonReference, sentences: string[], batch: number) {
  const total = { node: 0, python: 0 };
  const ratios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const start = (round * BLOCK) % sentences.length;
    const block = sentences.slice(start, start + BLOCK);
    const timeNode = async () => {
      const began = performance.now();
      for (let i = 0; i < block.length; i += batch) await embedder.embed(block.slice(i, i + batch));
      return performance.now() - began;
    };
    const timePython = async () => (await reference.ask<{ seconds: number }>({ time: { start, count: block.length, batch } })).seconds * 1000;
    const [node, python] = round % 2 ? [await timeNode(), await timePython()] : await timePython().then(async (p) => [await timeNode(), p]);
    total.node += node;
    total.python += python;
    ratios.push(python / node);
  }
  return { ...total, lowest: Math.min(...ratios), highest: Math.max(...ratios) };
}

async function benchEmbeddings(): Promise<void> {
  // A batch size above the largest one timed: the embedder gives each call's texts to the model at once.
  const settings = { ...loadConfig().retrieval.embedding, offline: true, batchSize: SENTENCES };
  const python = ensurePythonReference();
  const embedder = await loadEmbedder(settings);
  const sentences = realisticSentences(SENTENCES);
  const reference = new PythonReference(python, modelFolder(settings.modelDir, settings.modelId));
  try {
    const { onnxruntime } = await reference.ask<{ onnxruntime: string }>({ sentences });
    // Warm-up: both sides once over every sentence.
    await embedder.embed(sentences.slice(0, BATCH));
    await reference.ask({ time: { start: 0, count: BATCH, batch: BATCH } });
    const load = os.loadavg()[0];
    const single = await alternate(embedder, reference, sentences, 1);
    const batched = await alternate(embedder, reference, sentences, BATCH);
    const nodeVectors = await embedder.embed(sentences);
    const { vectors: pythonVectors } = await reference.ask<{ vectors: number[][] }>({ vectors: { batch: BATCH } });
    const agreement = Math.min(...nodeVectors.map((v, i) => dot(v, pythonVectors[i])));

    const sentencesTimed = ROUNDS * BLOCK;
    console.log(`\nEmbeddings: ${settings.modelId} (int8 ONNX), ${ROUNDS} rounds of ${BLOCK} sentences per side and batch size,`);
    console.log(`Node and Python taking turns, after a warm-up; ${os.cpus().length} CPUs, load average ${load.toFixed(1)} at start`);
    console.log('                                   batch 1    batch 32');
    console.log(`Node  transformers.js          ${rate(sentencesTimed, single.node).padStart(10)} ${rate(sentencesTimed, batched.node).padStart(11)}`);
    const pythonRates = `${rate(sentencesTimed, single.python).padStart(10)} ${rate(sentencesTimed, batched.python).padStart(11)}`;
    console.log(`Python onnxruntime ${onnxruntime.padEnd(8)}     ${pythonRates}`);
    const ratio = (side: typeof single) => `${(side.python / side.node).toFixed(2)}×`;
    const spread = (side: typeof single) => `${side.lowest.toFixed(2)}–${side.highest.toFixed(2)}`;
    console.log(`Node / Python                  ${ratio(single).padStart(10)} ${ratio(batched).padStart(11)}`);
    console.log(`  one round's ratio            ${spread(single).padStart(10)} ${spread(batched).padStart(11)}`);
    console.log(`Node vs Python vectors: lowest cosine ${agreement.toFixed(6)}`);
  } finally {
    reference.close();
  }
}

function randomUnitVector(): number[] {
  const v = Array.from({ length: 384 }, () => Math.random() * 2 - 1);
  const norm = Math.sqrt(dot(v, v));
  return v.map((x) => x / norm);
}

async function benchChroma(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'testloom-bench-chroma-'));
  const port = await freePort();
  const server = await ensureChromaServer({ url: `http://127.0.0.1:${port}`, dataDir: path.join(dataDir, 'data'), logFile: path.join(dataDir, 'chroma.log') });
  try {
    const client = new ChromaClient({ host: '127.0.0.1', port });
    const batchSize = Math.min(5000, await client.getMaxBatchSize());
    const collection = await client.createCollection({ name: 'bench', embeddingFunction: null, configuration: { hnsw: { space: 'cosine' } } });
    console.log(`\nChroma top-5 query with one 384-d vector, ${QUERIES} queries after 10 warm-up ones (random unit vectors, inserted ${batchSize} per request)`);
    console.log('  stored   added in this step     p50 ms   p99 ms');
    let stored = 0;
    for (const size of SIZES) {
      const [before, start] = [stored, performance.now()];
      while (stored < size) {
        const ids = Array.from({ length: Math.min(batchSize, size - stored) }, (_, i) => `v${stored + i}`);
        await collection.add({ ids, embeddings: ids.map(() => randomUnitVector()) });
        stored += ids.length;
      }
      const insertMs = performance.now() - start;
      const latencies: number[] = [];
      for (let i = -10; i < QUERIES; i++) {
        const t = performance.now();
        await collection.query({ queryEmbeddings: [randomUnitVector()], nResults: 5, include: ['documents', 'metadatas', 'distances'] });
        if (i >= 0) latencies.push(performance.now() - t);
      }
      console.log(
        `${size.toLocaleString('en').padStart(8)}   ${`+${(size - before).toLocaleString('en')} in ${(insertMs / 1000).toFixed(1)} s`.padEnd(20)} ${quantile(latencies, 0.5).toFixed(2).padStart(8)} ${quantile(latencies, 0.99).toFixed(2).padStart(8)}`,
      );
    }
  } finally {
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  await benchEmbeddings();
  await benchChroma();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
