/**
 * The in-process llama.cpp provider's speed on this machine. Prints the model's load time (the
 * llama.cpp runtime included) and output tokens/second of a JSON-schema-constrained call and of
 * a free completion (median of a few runs; each call makes and frees its own context).
 *
 * Usage: tsx bench/llama-cpp.ts [model.gguf] [threads]
 * The model defaults to TESTLOOM_LLAMA_MODEL_PATH, else the smoke-test model `infra/setup.sh` installed.
 */
import { loadConfig } from '../lib/config';
import type { GenerateRequest, JSONSchema } from '../lib/llm';
import { LlamaCppProvider, unloadLlamaModels } from '../lib/llm/llama-cpp';
import { installedSmokeTestGguf, missingSmokeTestGgufMessage } from '../lib/llm/smoke-test-gguf';
import { quantile } from './stats';

const RUNS = 5;

const schema: JSONSchema = {
  type: 'object',
  required: ['title', 'priority', 'steps'],
  additionalProperties: false,
  properties: {
    title: { type: 'string', maxLength: 80 },
    priority: { enum: ['low', 'medium', 'high'] },
    steps: { type: 'array', minItems: 1, maxItems: 4, items: { type: 'string', maxLength: 80 } },
  },
};

function modelPath(): string {
  const given = process.argv[2] || process.env.TESTLOOM_LLAMA_MODEL_PATH;
  if (given) return given;
  const { modelDir } = loadConfig().retrieval.embedding;
  const installed = installedSmokeTestGguf(modelDir);
  if (!installed) throw new Error(missingSmokeTestGgufMessage(modelDir));
  return installed;
}

async function tokensPerSecond(provider: LlamaCppProvider, request: Omit<GenerateRequest, 'model'>): Promise<string> {
  const rates: number[] = [];
  let tokens = 0;
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    const result = await provider.generate({ model: 'bench', ...request });
    rates.push(result.tokensOut / ((performance.now() - started) / 1000));
    tokens += result.tokensOut;
  }
  return `${quantile(rates, 0.5).toFixed(1)} tokens/s (median of ${RUNS}, ${Math.round(tokens / RUNS)} tokens per call)`;
}

async function main(): Promise<void> {
  const file = modelPath();
  const threads = process.argv[3] ? Number(process.argv[3]) : undefined;
  const provider = new LlamaCppProvider({ modelPath: file, ...(threads ? { threads } : {}) });
  const started = performance.now();
  await provider.load();
  console.log(`model          ${file}${threads ? `, ${threads} threads` : ''}`);
  console.log(`load           ${Math.round(performance.now() - started)} ms (runtime and weights)`);
  const system = 'You write test cases for an API as JSON.';
  console.log(`schema call    ${await tokensPerSecond(provider, { system, prompt: 'Write one test case for creating a pet.', schema, maxTokens: 256 })}`);
  console.log(`free call      ${await tokensPerSecond(provider, { prompt: 'Once upon a time', maxTokens: 128 })}`);
  await unloadLlamaModels();
}

main().catch((err) => {
  console.error(`bench: ${(err as Error).message}`);
  process.exit(1);
});
