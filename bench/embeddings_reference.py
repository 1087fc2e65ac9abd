"""Python reference for bench/embeddings.ts: the same ONNX file and tokenizer.json through
onnxruntime and Hugging Face `tokenizers`, mean pooling and L2 normalisation, truncating at 256
word pieces like testloom's embedder.

Usage: python bench/embeddings_reference.py MODEL_FOLDER < sentences.json
Reads a JSON list of sentences on stdin; prints one JSON object: sentences/second single and
batched, and the batched vectors (for checking agreement with Node).
Needs: pip install onnxruntime tokenizers numpy (bench/embeddings.ts installs them into .venv).
"""

import json
import sys
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

MAX_TOKENS = 256
BATCH = 32


def main() -> None:
    folder = Path(sys.argv[1])
    sentences = json.load(sys.stdin)
    session = ort.InferenceSession(str(folder / "onnx" / "model_quantized.onnx"), providers=["CPUExecutionProvider"])
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    # tokenizer.json ships fixed padding and truncation at 128; pad per batch and cut at 256 instead.
    tokenizer.enable_truncation(MAX_TOKENS)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")

    def embed(texts: list[str]) -> np.ndarray:
        encodings = tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        (hidden,) = session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)

    def rate(batch_size: int) -> tuple[float, np.ndarray]:
        embed(sentences[:batch_size])  # warm-up
        start = time.perf_counter()
        vectors = np.concatenate([embed(sentences[i : i + batch_size]) for i in range(0, len(sentences), batch_size)])
        return len(sentences) / (time.perf_counter() - start), vectors

    single, _ = rate(1)
    batched, vectors = rate(BATCH)
    json.dump({"single": single, "batched": batched, "onnxruntime": ort.__version__, "vectors": vectors.round(7).tolist()}, sys.stdout)


if __name__ == "__main__":
    main()
