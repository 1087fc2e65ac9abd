import { AutoModel, AutoTokenizer, env, mean_pooling, type PreTrainedModel, type PreTrainedTokenizer, type Tensor } from '@huggingface/transformers';
import { EMBEDDING_DIMENSIONS, EmbeddingModelMissingError, missingModelFiles } from './model-files';
import type { EmbeddingSettings } from '../config';

export type { EmbeddingSettings } from '../config';

export interface Embedder {
  readonly modelId: string;
  readonly dimensions: number;
  /** One L2-normalised vector per text, in order. */
  embed(texts: string[]): Promise<number[][]>;
}

/**
 * sentence-transformers truncates all-MiniLM-L6-v2 input at 256 word pieces (its
 * max_seq_length), while the tokenizer's own limit is 512. Truncating the same way keeps long
 * texts' vectors equal to the reference implementation's.
 */
const MAX_TOKENS = 256;

class TransformersEmbedder implements Embedder {
  readonly dimensions = EMBEDDING_DIMENSIONS;

  constructor(
    readonly modelId: string,
    private readonly tokenizer: PreTrainedTokenizer,
    private readonly model: PreTrainedModel,
    private readonly batchSize: number,
  ) {}

  async embed(texts: string[]): Promise<number[][]> {
    const vectors: number[][] = [];
    for (let start = 0; start < texts.length; start += this.batchSize) {
      vectors.push(...(await this.embedBatch(texts.slice(start, start + this.batchSize))));
    }
    return vectors;
  }

  private async embedBatch(texts: string[]): Promise<number[][]> {
    const inputs = this.tokenizer(texts, { padding: true, truncation: true, max_length: MAX_TOKENS });
    this.endTruncatedWithSeparator(inputs.input_ids);
    const { last_hidden_state } = (await this.model(inputs)) as { last_hidden_state: Tensor };
    const pooled = mean_pooling(last_hidden_state, inputs.attention_mask).normalize(2, -1);
    return pooled.tolist() as number[][];
  }

  /**
   * transformers.js cuts a long input after adding the special tokens, so the closing [SEP] is
   * lost; BERT tokenizers (and sentence-transformers) keep it. Putting it back makes long texts'
   * vectors match the reference.
   */
  private endTruncatedWithSeparator(ids: Tensor): void {
    const { sep_token_id: sep, pad_token_id: pad } = this.tokenizer;
    const [rows, width] = ids.dims as [number, number];
    if (sep === undefined || width < MAX_TOKENS) return;
    const data = ids.data as BigInt64Array;
    for (let row = 0; row < rows; row++) {
      const last = row * width + width - 1;
      if (data[last] !== BigInt(pad)) data[last] = BigInt(sep); // a padded row is a shorter, untruncated text
    }
  }
}

const loaded = new Map<string, Promise<Embedder>>();

/**
 * The embedding model of this process: loaded once per settings and shared by every activity,
 * since loading costs about a second and ~100 MB.
 */
export function loadEmbedder(settings: EmbeddingSettings): Promise<Embedder> {
  const key = JSON.stringify(settings);
  let embedder = loaded.get(key);
  if (!embedder) {
    embedder = createEmbedder(settings);
    embedder.catch(() => loaded.delete(key)); // a failed load may succeed once the files are there
    loaded.set(key, embedder);
  }
  return embedder;
}

async function createEmbedder(settings: EmbeddingSettings): Promise<Embedder> {
  const missing = missingModelFiles(settings.modelDir, settings.modelId);
  if (settings.offline && missing.length) throw new EmbeddingModelMissingError(settings.modelDir, settings.modelId, missing);
  // transformers.js reads these globals; every testloom embedder in a process uses the same folder.
  env.localModelPath = settings.modelDir;
  env.cacheDir = settings.modelDir;
  env.allowLocalModels = true;
  env.allowRemoteModels = !settings.offline;
  if (settings.hubUrl) env.remoteHost = settings.hubUrl.endsWith('/') ? settings.hubUrl : `${settings.hubUrl}/`;
  try {
    const tokenizer = await AutoTokenizer.from_pretrained(settings.modelId);
    const model = await AutoModel.from_pretrained(settings.modelId, { dtype: 'q8' });
    return new TransformersEmbedder(settings.modelId, tokenizer, model, settings.batchSize);
  } catch (err) {
    // Not on disk and the download failed (no network, unknown model): say how to get the files.
    if (missing.length) throw new EmbeddingModelMissingError(settings.modelDir, settings.modelId, missing, err as Error);
    throw err;
  }
}
