/** The model side of healing: the prompt for one failing test, and the answer's shape. */
import type { ModelAccess } from '../llm/from-config';
import type { TemplateRenderer } from '../templates';
import type { TestRepairer } from './heal';

const HEAL_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['code', 'explanation'],
  properties: { code: { type: 'string', minLength: 1 }, explanation: { type: 'string' } },
};

const BODY_EXCERPT = 1500;

export interface ModelRepairerOptions {
  models: ModelAccess;
  renderer: TemplateRenderer;
  runId: string;
  repository: string;
  /** Cancellation and progress reporting for one model call (a fresh stall watchdog each). */
  watchModelCall(): { signal: AbortSignal; onProgress: () => void; stop: () => void };
}

function excerpt(text: string | undefined): string {
  if (!text) return '(empty body)';
  return text.length > BODY_EXCERPT ? `${text.slice(0, BODY_EXCERPT)}…` : text;
}

export function modelRepairer(options: ModelRepairerOptions): TestRepairer {
  return async (request) => {
    const { exchange, operation } = request;
    const prompt = options.renderer.render('prompts/heal-test.md', {
      file: request.file,
      fullName: request.fullName,
      test: request.testSource,
      fileSource: request.fileSource,
      failure: excerpt(request.failureMessage),
      reasons: request.reasons,
      exchange: exchange && exchange.status !== undefined
        ? { request: `${exchange.method} ${exchange.path ?? exchange.url}${exchange.requestBody ? ` ${excerpt(exchange.requestBody)}` : ''}`, status: exchange.status, body: excerpt(exchange.responseBody) }
        : undefined,
      operation: operation && {
        operationId: operation.operationId,
        method: operation.method.toUpperCase(),
        path: operation.path,
        statuses: operation.responses.map((r) => r.status).join(', '),
        body: operation.requestBody ? excerpt(JSON.stringify(operation.requestBody.schema)) : undefined,
      },
      previous: request.previous,
    });
    const watch = options.watchModelCall();
    try {
      const completion = await options.models.complete('heal', {
        system: options.renderer.render('prompts/system.md', { repository: options.repository }),
        prompt,
        schema: HEAL_SCHEMA,
        temperature: 0,
        runId: options.runId,
        repository: options.repository,
        maxRepairs: 1,
        signal: watch.signal,
        onProgress: watch.onProgress,
      });
      return completion.json as { code: string; explanation: string };
    } finally {
      watch.stop();
    }
  };
}
