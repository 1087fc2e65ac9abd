export { loadEmbedder, type Embedder, type EmbeddingSettings } from './embedder';
export { DEFAULT_EMBEDDING_MODEL, EMBEDDING_DIMENSIONS, EmbeddingModelMissingError, missingModelFiles, modelFolder } from './model-files';
export { CachingEmbedder } from './vector-cache';
