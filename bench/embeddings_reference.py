"""Python reference for bench/embeddings.ts: the same ONNX file and tokenizer.json through
onnxruntime and Hugging Face `tokenizers`, mean pooling and L2 normalisation, truncating at 256
word pieces like testloom's embedder.

Usage: python bench/embeddings_reference.py MODEL_FOLDER
A JSON line per request on stdin, a JSON line per answer on stdout, so the bench can alternate
Node's blocks with this process's (a noisy machine's drift then falls on both sides alike):
  {"sentences": [...]}                            -> {"onnxruntime": version}   (first)
  {"time": {"start": i, "count": n, "batch": b}}  -> {"seconds": s}   sentences i..i+n in batches of b
  {"vectors": {"batch": b}}                       -> {"vectors": [...]}   every sentence's vector
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


def main() -> None:
    folder = Path(sys.argv[1])
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

    def in_batches(texts: list[str], batch: int) -> np.ndarray:
        return np.concatenate([embed(texts[i : i + batch]) for i in range(0, len(texts), batch)])

    sentences: list[str] = []
    for line in sys.stdin:
        request = json.loads(line)
        if "sentences" in request:
            sentences = request["sentences"]
            answer = {"onnxruntime": ort.__version__}
        elif "time" in request:
            start, count, batch = request["time"]["start"], request["time"]["count"], request["time"]["batch"]
            began = time.perf_counter()
            in_batches(sentences[start : start + count], batch)
            answer = {"seconds": time.perf_counter() - began}
        else:
            answer = {"vectors": in_batches(sentences, request["vectors"]["batch"]).round(7).tolist()}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
