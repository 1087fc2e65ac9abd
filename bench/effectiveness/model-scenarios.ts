import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../lib/config';
import { openDatabase } from '../../lib/db/open';
import { JEST_SCENARIOS } from '../../lib/frameworks/jest';
import { writeScenarioTests } from '../../lib/generation/model/scenarios';
import { createModelAccess } from '../../lib/llm/from-config';
import { modelProviderProbe } from '../../lib/monitoring/health';
import { listOperations } from '../../lib/openapi';
import type { Artifact } from '../../lib/core/run';
import { createTemplateRenderer } from '../../lib/templates';

/**
 * The model-planned scenario file, as a spec run would add it, when the configured model provider
 * answers (TESTLOOM_LLM_PROVIDERS, OLLAMA_HOST…); otherwise the reason there is none.
 */

export type ModelScenarios = { artifact: Artifact; model: string; scenarios: number; notes: string[] } | { unavailable: string };

export const SCENARIO_FILE = JEST_SCENARIOS.file;

export async function modelScenarios(api: object, title: string, specId: string, outDir: string): Promise<ModelScenarios> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    return { unavailable: `configuration: ${(err as Error).message}` };
  }
  const probe = await modelProviderProbe(config)().catch((err: Error) => ({ status: 'down', reason: err.message }));
  if (probe.status !== 'ok') return { unavailable: probe.reason ?? probe.status };

  // The model gateway records calls and budgets in the database: a throw-away PGlite.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'testloom-effectiveness-'));
  const database = await openDatabase({ dataDir });
  try {
    const models = await createModelAccess(config.llm, database.db);
    if (!models) return { unavailable: 'no model provider is configured' };
    const result = await writeScenarioTests({
      operations: listOperations(api),
      title,
      specId,
      repository: 'bench/effectiveness',
      outDir,
      rendering: JEST_SCENARIOS,
      related: [],
      feedback: [],
      runId: `bench-effectiveness-${Date.now()}`,
      models,
      renderer: createTemplateRenderer({}),
    });
    if (!result.artifact) return { unavailable: `the model planned no usable scenario${result.notes.length ? `: ${result.notes.join(' ')}` : ''}` };
    return { artifact: result.artifact, model: `${result.completion.provider}/${result.completion.model}`, scenarios: result.scenarios.length, notes: result.notes };
  } catch (err) {
    return { unavailable: `${(err as Error).name}: ${(err as Error).message}` };
  } finally {
    await database.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
