import type { Embedder } from './embedder';

/** How many texts' vectors an embedder keeps by default: 5,000 × 384 float32 ≈ 7.5 MB. */
const CACHED_VECTORS = 5_000;
/**
 * Longer texts are embedded every time, not kept: a spec can make a query of any length, and the
 * model reads only the first 256 word pieces (~1–2 KB) anyway. Bounds the keys' memory (≤ 20 MB).
 */
const LONGEST_CACHED_TEXT = 4_096;

/**
 * An embedder that keeps the vectors of the texts it embedded last (the least recently used is
 * dropped first) and runs the model only for texts it does not hold. The same texts come back
 * run after run: a spec's operations are the retrieval queries of every run of that spec (its
 * schedule, its next revision, a retry), and the model is the costly part of retrieval. A vector
 * is the model's output as is (float32, unchanged), so a cached text gets the vector it had.
 */
export class CachingEmbedder implements Embedder {
  private readonly vectors = new Map<string, Float32Array>();

  constructor(
    private readonly model: Embedder,
    private readonly capacity = CACHED_VECTORS,
  ) {}

  get modelId(): string {
    return this.model.modelId;
  }

  get dimensions(): number {
    return this.model.dimensions;
  }

  isLoaded(): boolean {
    return this.model.isLoaded();
  }

  async embed(texts: string[]): Promise<number[][]> {
    const found = new Map<string, Float32Array>();
    for (const text of texts) {
      const vector = this.recall(text);
      if (vector) found.set(text, vector);
    }
    const missing = [...new Set(texts.filter((text) => !found.has(text)))];
    if (missing.length) {
      const computed = await this.model.embed(missing);
      missing.forEach((text, i) => found.set(text, this.remember(text, computed[i])));
    }
    // A new array each: a caller changing its vector changes no other caller's.
    return texts.map((text) => Array.from(found.get(text)!));
  }

  private recall(text: string): Float32Array | undefined {
    const vector = this.vectors.get(text);
    if (!vector) return undefined;
    this.vectors.delete(text); // re-inserted last: a Map iterates in insertion order, oldest first
    this.vectors.set(text, vector);
    return vector;
  }

  private remember(text: string, computed: number[]): Float32Array {
    const vector = Float32Array.from(computed);
    if (text.length > LONGEST_CACHED_TEXT) return vector;
    this.vectors.set(text, vector);
    for (const oldest of this.vectors.keys()) {
      if (this.vectors.size <= this.capacity) break;
      this.vectors.delete(oldest);
    }
    return vector;
  }
}
