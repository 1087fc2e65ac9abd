export * from './types';
export * from './gateway';
export * from './ollama';
export * from './prices';
export { parseJsonOutput } from './json-output';
export * from './openai-compatible';
export * from './llama-cpp';
