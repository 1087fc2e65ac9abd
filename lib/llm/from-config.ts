/**
 * The configured model providers behind one gateway, and the model chosen for each generation
 * task: what the generate stage uses to call a model.
 */
import type { Kysely } from 'kysely';
import type { LlmSettings, ModelTask } from '../config';
import type { Tables } from '../../schema/tables';
import { createGateway, type CompleteRequest, type Completion, type ModelGateway } from './gateway';
import { OllamaProvider } from './ollama';
import type * as LlamaCpp from './llama-cpp';
import { OpenAICompatibleProvider } from './openai-compatible';
import type { ModelProvider } from './types';

export interface ModelAccess {
  /** Provider names in fallback order, for messages. */
  readonly providers: string[];
  modelFor(task: ModelTask): string;
  /** A call for `task` with its configured model, inside the repository's budget window. */
  complete(task: ModelTask, request: Omit<CompleteRequest, 'task' | 'model'>): Promise<Completion>;
}

function createProvider(kind: LlmSettings['providers'][number], settings: LlmSettings): ModelProvider {
  switch (kind) {
    case 'ollama':
      return new OllamaProvider({ host: settings.ollamaHost });
    case 'openai':
      return new OpenAICompatibleProvider({ baseUrl: settings.openai!.baseUrl, apiKey: settings.openai!.apiKey, name: 'openai' });
    case 'llama-cpp': {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- required only when configured: it brings node-llama-cpp's native binding along
      const { LlamaCppProvider } = require('./llama-cpp') as typeof LlamaCpp;
      return new LlamaCppProvider({ modelPath: settings.llamaModelPath! });
    }
  }
}

/** Undefined when no provider is configured (`TESTLOOM_LLM_PROVIDERS=none`). */
export function createModelAccess(settings: LlmSettings, db: Kysely<Tables>): Promise<ModelAccess | undefined> {
  if (!settings.providers.length) return Promise.resolve(undefined);
  const providers = settings.providers.map((kind) => createProvider(kind, settings));
  const gateway: ModelGateway = createGateway({
    providers,
    db,
    cacheEnabled: settings.cache,
    budget: { runTokens: settings.runTokenBudget, repositoryTokens: settings.repositoryTokenBudget },
  });
  return Promise.resolve({
    providers: providers.map((p) => p.name),
    modelFor: (task) => settings.models[task],
    complete: (task, request) =>
      gateway.complete({
        ...request,
        task,
        model: settings.models[task],
        budget: { repositorySince: new Date(Date.now() - settings.repositoryBudgetWindowMs), ...request.budget },
      }),
  });
}
