/**
 * GGUF models loaded in this process through node-llama-cpp: one llama.cpp runtime per GPU
 * setting and one loaded model per file, both loaded on first use and shared by every provider
 * that names the same file. Loading is what takes time and memory (the weights); contexts are cheap
 * and made per call by the provider.
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import type * as NodeLlamaCppModule from 'node-llama-cpp' with { 'resolution-mode': 'import' };
import type { Llama, LlamaModel } from 'node-llama-cpp' with { 'resolution-mode': 'import' };
import { ModelUnavailableError } from './types';

type NodeLlamaCpp = typeof NodeLlamaCppModule;

export interface LoadedModel {
  llama: Llama;
  model: LlamaModel;
  /** The file's name (`stories260K.gguf`): what the provider reports as the answering model. */
  fileName: string;
  /** Whether the GGUF carries a chat template; base models (like stories260K) have none. */
  hasChatTemplate: boolean;
}

const GGUF_HELP =
  'download a GGUF model (e.g. a quantised one from Hugging Face) and set TESTLOOM_LLAMA_MODEL_PATH to its file, ' +
  'or run `bash infra/setup.sh`, which installs a tiny smoke-test model (stories260K.gguf) into TESTLOOM_MODEL_DIR (default .models)';

let bindings: Promise<NodeLlamaCpp> | undefined;
const runtimes = new Map<boolean, Promise<Llama>>();
const models = new Map<string, Promise<LoadedModel>>();

export function nodeLlamaCpp(): Promise<NodeLlamaCpp> {
  bindings ??= import('node-llama-cpp');
  return bindings;
}

function runtime(gpu: boolean): Promise<Llama> {
  let llama = runtimes.get(gpu);
  if (!llama) {
    llama = nodeLlamaCpp().then(({ getLlama, LlamaLogLevel }) =>
      getLlama({
        gpu: gpu ? 'auto' : false,
        // Only the prebuilt binaries shipped in the npm packages: never compile llama.cpp or download its source.
        build: 'never',
        skipDownload: true,
        progressLogs: false,
        logLevel: LlamaLogLevel.error,
      }),
    );
    runtimes.set(gpu, llama);
    llama.catch(() => runtimes.delete(gpu));
  }
  return llama;
}

/** The model in `modelPath`, loading it on first use. Missing or unloadable → ModelUnavailableError. */
export function loadModel(modelPath: string, gpu: boolean): Promise<LoadedModel> {
  const file = path.resolve(modelPath);
  const key = `${gpu ? 'gpu' : 'cpu'}:${file}`;
  let loaded = models.get(key);
  if (!loaded) {
    loaded = load(file, gpu);
    models.set(key, loaded);
    // A failed load is not remembered: the file may be installed before the next call.
    loaded.catch(() => models.delete(key));
  }
  return loaded;
}

async function load(file: string, gpu: boolean): Promise<LoadedModel> {
  try {
    await access(file, constants.R_OK);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read (${(err as NodeJS.ErrnoException).code})`;
    throw new ModelUnavailableError(`llama-cpp: GGUF model file ${file} ${reason}; ${GGUF_HELP}`, [], { cause: err });
  }
  let llama: Llama;
  try {
    llama = await runtime(gpu);
  } catch (err) {
    throw new ModelUnavailableError(`llama-cpp: the llama.cpp runtime (node-llama-cpp) could not start: ${messageOf(err)}`, [], { cause: err });
  }
  try {
    const model = await llama.loadModel({ modelPath: file });
    const template = model.fileInfo.metadata?.tokenizer?.chat_template;
    return { llama, model, fileName: path.basename(file), hasChatTemplate: typeof template === 'string' && template.trim() !== '' };
  } catch (err) {
    throw new ModelUnavailableError(`llama-cpp: cannot load ${file} as a GGUF model: ${messageOf(err)}; ${GGUF_HELP}`, [], { cause: err });
  }
}

/** Frees every loaded model and runtime of this process (for shutdown and tests); later calls load again. */
export async function unloadLlamaModels(): Promise<void> {
  const loaded = [...models.values()];
  const llamas = [...runtimes.values()];
  models.clear();
  runtimes.clear();
  for (const entry of await Promise.allSettled(loaded)) if (entry.status === 'fulfilled') await entry.value.model.dispose();
  for (const entry of await Promise.allSettled(llamas)) if (entry.status === 'fulfilled') await entry.value.dispose();
}

/** Errors of node-llama-cpp come from another realm under Jest: read the message, don't rely on instanceof. */
export function messageOf(err: unknown): string {
  const message = (err as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(err);
}
