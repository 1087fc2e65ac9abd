/**
 * The LLM gateway: the one way the stages call a model. It tries the configured providers in
 * fallback order, validates structured output against the task's JSON schema and asks the model
 * to repair invalid output a bounded number of times, answers repeated identical requests from a
 * response cache in the database, enforces per-run and per-repository token budgets, and records
 * every call (tokens, latency, estimated cost, cache hit, outcome) in `model_calls`.
 */
import { createHash } from 'node:crypto';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { Kysely } from 'kysely';
import { nullableJsonb } from '../db/json';
import type { ModelCallOutcome, Tables } from '../../schema/tables';
import { parseJsonOutput } from './json-output';
import { DEFAULT_PRICES, estimateCost, type PriceTable } from './prices';
import {
  BudgetExceededError,
  InvalidModelOutputError,
  type JSONSchema,
  type ModelProvider,
  ModelUnavailableError,
} from './types';

export interface Budget {
  /** Tokens (in + out, cache hits excluded) all calls of one run may use; checked when `runId` is given. */
  runTokens?: number;
  /** Tokens all calls for one repository may use since `repositorySince`; checked when `repository` is given. */
  repositoryTokens?: number;
  /** Start of the repository's budget window; default: all recorded calls. */
  repositorySince?: Date;
}

export interface GatewayOptions {
  /** In fallback order: the next is tried when one is unavailable. Names must be unique. */
  providers: ModelProvider[];
  db: Kysely<Tables>;
  cacheEnabled: boolean;
  /** Default budget, overridden field by field by a request's `budget`. */
  budget?: Budget;
  prices?: PriceTable;
}

export interface CompleteRequest {
  /** What the call is for (`issue-test-cases`, `scenario-tests`, …): recorded, and how a model is chosen per task. */
  task: string;
  /** Use only this provider (by name) instead of the fallback chain. */
  provider?: string;
  model: string;
  prompt: string;
  system?: string;
  /** Structured output: the answer must be JSON valid against this schema. */
  schema?: JSONSchema;
  temperature?: number;
  maxTokens?: number;
  runId?: string;
  repository?: string;
  /** Re-asks after invalid output; default 2. */
  maxRepairs?: number;
  budget?: Budget;
  signal?: AbortSignal;
  onProgress?: (tokensSoFar: number) => void;
}

export interface Completion {
  text: string;
  /** The validated JSON value when a schema was given. */
  json?: unknown;
  provider: string;
  model: string;
  /** Tokens of all attempts of the answering provider (0 for a cache hit). */
  tokensIn: number;
  tokensOut: number;
  latencyMs: number;
  costUsd: number | null;
  cacheHit: boolean;
  /** Repairs it took (0: valid first time). */
  repairs: number;
}

export interface ModelGateway {
  complete(request: CompleteRequest): Promise<Completion>;
}

const ERROR_TEXT_LIMIT = 4000;
const PREVIOUS_OUTPUT_LIMIT = 8000;

export function createGateway(options: GatewayOptions): ModelGateway {
  const { providers, db, cacheEnabled } = options;
  const prices = options.prices ?? DEFAULT_PRICES;
  const names = new Set<string>();
  for (const p of providers) {
    if (names.has(p.name)) throw new Error(`llm gateway: two providers are named "${p.name}"; give each a unique name`);
    names.add(p.name);
  }
  const validators = new Map<string, ValidateFunction>();
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);

  function validatorFor(schema: JSONSchema): ValidateFunction {
    const key = canonicalJson(schema);
    let validate = validators.get(key);
    if (!validate) {
      validate = ajv.compile(schema);
      validators.set(key, validate);
    }
    return validate;
  }

  async function record(row: {
    request: CompleteRequest;
    provider: string;
    model: string;
    attempt?: number;
    tokensIn?: number;
    tokensOut?: number;
    latencyMs?: number;
    costUsd: number | null;
    cacheHit?: boolean;
    outcome: ModelCallOutcome;
    error?: string;
  }): Promise<void> {
    await db
      .insertInto('modelCalls')
      .values({
        runId: row.request.runId ?? null,
        repository: row.request.repository ?? null,
        task: row.request.task,
        provider: row.provider,
        model: row.model,
        attempt: row.attempt ?? 0,
        tokensIn: row.tokensIn ?? 0,
        tokensOut: row.tokensOut ?? 0,
        latencyMs: Math.round(row.latencyMs ?? 0),
        costUsd: row.costUsd,
        cacheHit: row.cacheHit ?? false,
        outcome: row.outcome,
        error: row.error ? row.error.slice(0, ERROR_TEXT_LIMIT) : null,
      })
      .execute();
  }

  async function checkBudget(request: CompleteRequest, provider: ModelProvider): Promise<void> {
    const budget = { ...options.budget, ...request.budget };
    let exceeded: BudgetExceededError | undefined;
    if (budget.runTokens !== undefined && request.runId) {
      const used = await tokensUsed(db, { runId: request.runId });
      if (used >= budget.runTokens) {
        exceeded = new BudgetExceededError(`run ${request.runId} used ${used} of ${budget.runTokens} tokens`, 'run', request.runId, used, budget.runTokens);
      }
    }
    if (!exceeded && budget.repositoryTokens !== undefined && request.repository) {
      const used = await tokensUsed(db, { repository: request.repository, since: budget.repositorySince });
      if (used >= budget.repositoryTokens) {
        const window = budget.repositorySince ? ` since ${budget.repositorySince.toISOString()}` : '';
        exceeded = new BudgetExceededError(
          `repository ${request.repository} used ${used} of ${budget.repositoryTokens} tokens${window}`,
          'repository',
          request.repository,
          used,
          budget.repositoryTokens,
        );
      }
    }
    if (exceeded) {
      await record({ request, provider: provider.name, model: request.model, costUsd: 0, outcome: 'budget_exceeded', error: exceeded.message });
      throw exceeded;
    }
  }

  async function fromCache(request: CompleteRequest, candidates: ModelProvider[]): Promise<Completion | undefined> {
    const started = performance.now();
    for (const provider of candidates) {
      const row = await db.selectFrom('modelResponses').selectAll().where('key', '=', cacheKey(provider.name, request)).executeTakeFirst();
      if (!row) continue;
      const latencyMs = performance.now() - started;
      await record({ request, provider: provider.name, model: row.model, latencyMs, costUsd: 0, cacheHit: true, outcome: 'ok' });
      return {
        text: row.text,
        ...(request.schema ? { json: row.json } : {}),
        provider: provider.name,
        model: row.model,
        tokensIn: 0,
        tokensOut: 0,
        latencyMs,
        costUsd: 0,
        cacheHit: true,
        repairs: 0,
      };
    }
    return undefined;
  }

  /** The first answer and its repairs, all from one provider. Throws ModelUnavailableError to move on to the next. */
  async function askProvider(request: CompleteRequest, provider: ModelProvider): Promise<Completion> {
    const maxRepairs = request.maxRepairs ?? 2;
    const validate = request.schema ? validatorFor(request.schema) : undefined;
    let prompt = request.prompt;
    let tokensIn = 0;
    let tokensOut = 0;
    let latencyMs = 0;
    let costUsd: number | null = 0;
    for (let attempt = 0; ; attempt++) {
      await checkBudget(request, provider);
      const started = performance.now();
      let result;
      try {
        result = await provider.generate({
          model: request.model,
          system: request.system,
          prompt,
          schema: request.schema,
          temperature: request.temperature,
          maxTokens: request.maxTokens,
          signal: request.signal,
          onProgress: request.onProgress,
        });
      } catch (err) {
        const elapsed = performance.now() - started;
        const outcome: ModelCallOutcome = err instanceof ModelUnavailableError ? 'unavailable' : request.signal?.aborted ? 'cancelled' : 'error';
        await record({ request, provider: provider.name, model: request.model, attempt, latencyMs: elapsed, costUsd: 0, outcome, error: errorText(err) });
        throw err;
      }
      const elapsed = performance.now() - started;
      // Hosted APIs report dated names (`gpt-4o-mini-2024-07-18`): fall back to the price of the model asked for.
      const cost =
        estimateCost(prices, result.model, provider.local ?? false, result.tokensIn, result.tokensOut) ??
        estimateCost(prices, request.model, false, result.tokensIn, result.tokensOut);
      tokensIn += result.tokensIn;
      tokensOut += result.tokensOut;
      latencyMs += elapsed;
      costUsd = costUsd === null || cost === null ? null : costUsd + cost;
      const base = {
        request, provider: provider.name, model: result.model, attempt,
        tokensIn: result.tokensIn, tokensOut: result.tokensOut, latencyMs: elapsed, costUsd: cost,
      };

      const completion: Completion = {
        text: result.text, provider: provider.name, model: result.model, tokensIn, tokensOut, latencyMs, costUsd, cacheHit: false, repairs: attempt,
      };
      if (!validate) {
        await record({ ...base, outcome: 'ok' });
        return completion;
      }
      const problems = checkOutput(validate, result.text, result.json);
      if (problems.ok) {
        await record({ ...base, outcome: 'ok' });
        return { ...completion, json: problems.value };
      }
      await record({ ...base, outcome: 'invalid', error: problems.errors.join('; ') });
      if (attempt >= maxRepairs) {
        throw new InvalidModelOutputError(
          `${request.task}: ${provider.name} model ${result.model} gave output that does not match the schema, also after ${maxRepairs} repair${maxRepairs === 1 ? '' : 's'}: ${problems.errors.slice(0, 5).join('; ')}`,
          result.text,
          problems.errors,
        );
      }
      prompt = repairPrompt(request.prompt, request.schema!, result.text, problems.errors);
    }
  }

  return {
    async complete(request) {
      request.signal?.throwIfAborted();
      let candidates = providers;
      if (request.provider !== undefined) {
        candidates = providers.filter((p) => p.name === request.provider);
        if (!candidates.length) throw new Error(`llm gateway: no provider named "${request.provider}" (configured: ${providers.map((p) => p.name).join(', ') || 'none'})`);
      }
      if (!candidates.length) throw new ModelUnavailableError(`${request.task}: no model provider is configured`);

      if (cacheEnabled) {
        const cached = await fromCache(request, candidates);
        if (cached) return cached;
      }

      const failures: Array<{ provider: string; message: string }> = [];
      for (const provider of candidates) {
        try {
          const completion = await askProvider(request, provider);
          if (cacheEnabled) await store(db, cacheKey(provider.name, request), completion);
          return completion;
        } catch (err) {
          if (!(err instanceof ModelUnavailableError)) throw err;
          failures.push({ provider: provider.name, message: err.message });
        }
      }
      throw new ModelUnavailableError(
        `${request.task}: no model provider could answer (model ${request.model}): ${failures.map((f) => f.message).join('; ')}`,
        failures,
      );
    },
  };
}

/** Total tokens (in + out) recorded for a run or a repository, cache hits excluded. */
export async function tokensUsed(db: Kysely<Tables>, where: { runId?: string; repository?: string; since?: Date }): Promise<number> {
  let query = db.selectFrom('modelCalls').select((eb) => eb.fn.sum<number | string | null>(eb('tokensIn', '+', eb.ref('tokensOut'))).as('used')).where('cacheHit', '=', false);
  if (where.runId !== undefined) query = query.where('runId', '=', where.runId);
  if (where.repository !== undefined) query = query.where('repository', '=', where.repository);
  if (where.since) query = query.where('createdAt', '>=', where.since);
  const row = await query.executeTakeFirst();
  return Number(row?.used ?? 0);
}

/** sha256 over everything that shapes the answer: provider, model, parameters, system, prompt and schema. */
export function cacheKey(provider: string, request: Pick<CompleteRequest, 'model' | 'prompt' | 'system' | 'schema' | 'temperature' | 'maxTokens'>): string {
  const material = canonicalJson({
    v: 1,
    provider,
    model: request.model,
    temperature: request.temperature ?? null,
    maxTokens: request.maxTokens ?? null,
    system: request.system ?? null,
    prompt: request.prompt,
    schema: request.schema ?? null,
  });
  return createHash('sha256').update(material).digest('hex');
}

async function store(db: Kysely<Tables>, key: string, completion: Completion): Promise<void> {
  const values = {
    provider: completion.provider,
    model: completion.model,
    text: completion.text,
    json: nullableJsonb(completion.json),
    tokensIn: completion.tokensIn,
    tokensOut: completion.tokensOut,
  };
  await db
    .insertInto('modelResponses')
    .values({ key, ...values })
    .onConflict((oc) => oc.column('key').doUpdateSet(values))
    .execute();
}

function checkOutput(validate: ValidateFunction, text: string, json: unknown): { ok: true; value: unknown } | { ok: false; errors: string[] } {
  let value = json;
  if (value === undefined) {
    const parsed = parseJsonOutput(text);
    if (!parsed.ok) return { ok: false, errors: [parsed.error] };
    value = parsed.value;
  }
  if (validate(value)) return { ok: true, value };
  return { ok: false, errors: (validate.errors ?? []).map(describeError) };
}

function describeError(error: ErrorObject): string {
  const at = error.instancePath || '(root)';
  const extra = error.keyword === 'additionalProperties' ? ` (${String((error.params as { additionalProperty?: unknown }).additionalProperty)})` : '';
  return `${at}: ${error.message ?? error.keyword}${extra}`;
}

export function repairPrompt(original: string, schema: JSONSchema, previous: string, errors: string[]): string {
  const shown = previous.length > PREVIOUS_OUTPUT_LIMIT ? `${previous.slice(0, PREVIOUS_OUTPUT_LIMIT)}\n…(truncated)` : previous;
  return [
    original,
    '',
    '---',
    'Your previous answer was not valid. It must be a single JSON document matching this JSON schema:',
    JSON.stringify(schema),
    '',
    'Problems found in your previous answer:',
    ...errors.map((e) => `- ${e}`),
    '',
    'Your previous answer:',
    '<<<',
    shown,
    '>>>',
    '',
    'Answer again with only the corrected JSON document, no explanation and no Markdown fence.',
  ].join('\n');
}

function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** JSON with object keys sorted, so equal schemas give equal cache keys. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}
