import type { PreTrainedModel, PreTrainedTokenizer, Tensor } from '@huggingface/transformers';
import { lengthGroups } from './length-groups';
import { EMBEDDING_DIMENSIONS, EmbeddingModelMissingError, missingModelFiles } from './model-files';
import type { EmbeddingSettings } from '../config';

export type { EmbeddingSettings } from '../config';

export interface Embedder {
  readonly modelId: string;
  readonly dimensions: number;
  /** One L2-normalised vector per text, in order. */
  embed(texts: string[]): Promise<number[][]>;
  /** Whether the model is in memory now (loaded on first use, released when idle). */
  isLoaded(): boolean;
}

/**
 * sentence-transformers truncates all-MiniLM-L6-v2 input at 256 word pieces (its
 * max_seq_length), while the tokenizer's own limit is 512. Truncating the same way keeps long
 * texts' vectors equal to the reference implementation's.
 */
const MAX_TOKENS = 256;

/** How long a loaded model stays in memory without a call (~170 MB resident); the next call loads it again (~1 s). */
export const EMBEDDER_IDLE_MS = 5 * 60_000;

/** What is used of the onnxruntime session transformers.js made for the model (it types sessions as `any`). */
interface OnnxSession {
  readonly inputNames: readonly string[];
  run(feeds: Record<string, unknown>): Promise<Record<string, { dims: readonly number[]; data: Float32Array }>>;
}

interface LoadedModel {
  tokenizer: PreTrainedTokenizer;
  model: PreTrainedModel;
  session: OnnxSession;
  /** transformers.js's tensor class: it makes the onnxruntime tensors the session takes. */
  Tensor: typeof Tensor;
}

/**
 * The model is loaded on the first call and released after `idleMs` without one, so an idle
 * worker does not hold it. transformers.js itself (with onnxruntime and sharp) is imported then too.
 */
class TransformersEmbedder implements Embedder {
  readonly dimensions = EMBEDDING_DIMENSIONS;
  private model?: Promise<LoadedModel>;
  private calls = 0;
  private idleTimer?: NodeJS.Timeout;

  constructor(
    readonly modelId: string,
    private readonly settings: EmbeddingSettings,
    private readonly idleMs: number,
  ) {}

  isLoaded(): boolean {
    return this.model !== undefined;
  }

  async embed(texts: string[]): Promise<number[][]> {
    this.calls++;
    clearTimeout(this.idleTimer);
    try {
      const loaded = await (this.model ??= this.load());
      const pieces = texts.map((text) => wordPieces(loaded.tokenizer, text));
      const vectors = new Array<number[]>(texts.length);
      for (const group of lengthGroups(pieces.map((ids) => ids.length), this.settings.batchSize)) {
        const groupVectors = await embedGroup(loaded, group.map((i) => pieces[i]));
        group.forEach((textIndex, row) => (vectors[textIndex] = groupVectors[row]));
      }
      return vectors;
    } finally {
      if (--this.calls === 0) this.idleTimer = setTimeout(() => void this.release(), this.idleMs).unref();
    }
  }

  private load(): Promise<LoadedModel> {
    const loading = loadModel(this.settings);
    loading.catch(() => {
      if (this.model === loading) this.model = undefined; // the next call tries again
    });
    return loading;
  }

  private async release(): Promise<void> {
    const loaded = this.model;
    this.model = undefined;
    await (await loaded?.catch(() => undefined))?.model.dispose();
  }
}

/**
 * A text's word pieces as sentence-transformers makes them: [CLS] … [SEP], cut at MAX_TOKENS. A
 * long text keeps its closing [SEP] (transformers.js's own truncation would cut it off, and the
 * vectors of long texts would then differ from the reference).
 */
function wordPieces(tokenizer: PreTrainedTokenizer, text: string): number[] {
  const ids = tokenizer.encode(text);
  if (ids.length <= MAX_TOKENS) return ids;
  const sep = tokenizer.sep_token_id;
  return sep === undefined ? ids.slice(0, MAX_TOKENS) : [...ids.slice(0, MAX_TOKENS - 1), sep];
}

/**
 * Runs transformers.js's onnxruntime session directly on texts of similar length (padded to the
 * longest), pooling in plain typed arrays: the model's forward wrapper and transformers.js' tensor
 * operations cost ~7 % of a call at batch 1 and 32 (measured, bench/embeddings.ts) for the same vectors.
 */
async function embedGroup({ session, Tensor, tokenizer }: LoadedModel, texts: number[][]): Promise<number[][]> {
  const width = Math.max(...texts.map((ids) => ids.length));
  const ids = new BigInt64Array(texts.length * width).fill(BigInt(tokenizer.pad_token_id ?? 0));
  const mask = new BigInt64Array(texts.length * width);
  texts.forEach((pieces, row) => pieces.forEach((id, column) => {
    ids[row * width + column] = BigInt(id);
    mask[row * width + column] = 1n;
  }));
  const dims = [texts.length, width];
  const inputs: Record<string, BigInt64Array> = { input_ids: ids, attention_mask: mask, token_type_ids: new BigInt64Array(ids.length) };
  const feeds = Object.fromEntries(session.inputNames.map((name) => [name, new Tensor('int64', inputs[name], dims).ort_tensor]));
  const { last_hidden_state: hidden } = await session.run(feeds);
  return normalisedMeans(hidden.data, texts.map((pieces) => pieces.length), hidden.dims as [number, number, number]);
}

/**
 * Mean of each text's token vectors (its first `tokens[row]`; the padding after them left out),
 * scaled to length 1: sentence-transformers' pooling.
 */
function normalisedMeans(hidden: Float32Array, tokens: number[], [rows, width, dimensions]: [number, number, number]): number[][] {
  const vectors: number[][] = [];
  for (let row = 0; row < rows; row++) {
    const sum = new Float64Array(dimensions);
    for (let token = 0; token < tokens[row]; token++) {
      const offset = (row * width + token) * dimensions;
      for (let d = 0; d < dimensions; d++) sum[d] += hidden[offset + d];
    }
    let length = 0;
    for (let d = 0; d < dimensions; d++) length += sum[d] * sum[d];
    // The mean's length is the sum's divided by the token count: dividing by the sum's length does both.
    length = Math.sqrt(length) || 1;
    // float32 like the model's own output (and CachingEmbedder's copies), summed in float64.
    const vector = new Array<number>(dimensions);
    for (let d = 0; d < dimensions; d++) vector[d] = Math.fround(sum[d] / length);
    vectors.push(vector);
  }
  return vectors;
}

const transformers = () => import('@huggingface/transformers');

const loaded = new Map<string, Promise<Embedder>>();

/**
 * The embedder of this process: one per settings, shared by every activity. Missing model files
 * are reported now (offline) or downloaded now (online), so a worker stops at start-up with
 * instructions instead of degrading every run; the model itself is loaded on first use.
 */
export function loadEmbedder(settings: EmbeddingSettings, idleMs = EMBEDDER_IDLE_MS): Promise<Embedder> {
  const key = JSON.stringify([settings, idleMs]);
  let embedder = loaded.get(key);
  if (!embedder) {
    embedder = createEmbedder(settings, idleMs);
    embedder.catch(() => loaded.delete(key)); // a failed load may succeed once the files are there
    loaded.set(key, embedder);
  }
  return embedder;
}

async function createEmbedder(settings: EmbeddingSettings, idleMs: number): Promise<Embedder> {
  const missing = missingModelFiles(settings.modelDir, settings.modelId);
  if (settings.offline && missing.length) throw new EmbeddingModelMissingError(settings.modelDir, settings.modelId, missing);
  const embedder = new TransformersEmbedder(settings.modelId, settings, idleMs);
  if (missing.length) await embedder.embed(['']); // download (or fail) now, not in the first run
  return embedder;
}

async function loadModel(settings: EmbeddingSettings): Promise<LoadedModel> {
  const missing = missingModelFiles(settings.modelDir, settings.modelId);
  const { AutoModel, AutoTokenizer, Tensor, env } = await transformers();
  // transformers.js reads these globals; every testloom embedder in a process uses the same folder.
  env.localModelPath = settings.modelDir;
  env.cacheDir = settings.modelDir;
  env.allowLocalModels = true;
  env.allowRemoteModels = !settings.offline;
  if (settings.hubUrl) env.remoteHost = settings.hubUrl.endsWith('/') ? settings.hubUrl : `${settings.hubUrl}/`;
  try {
    const tokenizer = await AutoTokenizer.from_pretrained(settings.modelId);
    const model = await AutoModel.from_pretrained(settings.modelId, { dtype: 'q8' });
    return { tokenizer, model, session: model.sessions.model as OnnxSession, Tensor };
  } catch (err) {
    // Not on disk and the download failed (no network, unknown model): say how to get the files.
    if (missing.length) throw new EmbeddingModelMissingError(settings.modelDir, settings.modelId, missing, err as Error);
    throw err;
  }
}
