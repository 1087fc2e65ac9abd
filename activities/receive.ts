import { updateRun, upsertRun } from '../lib/db/runs';
import { listOperations } from '../lib/openapi';
import { SpecValidationError } from '../lib/spec/dereference';
import { loadStoredSpec, UnknownSpecError } from '../lib/spec/stored';
import type { GenerateTestsInput, SpecSubject } from '../lib/runs/contract';
import { currentRun, permanent, recordStage, type ActivityDeps } from './deps';

export function slugify(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 48) || 'api';
}

/** The stored spec, dereferenced; a missing or invalid spec ends the run (retrying cannot fix it). */
export async function loadDereferencedSpec(deps: ActivityDeps, specId: string) {
  try {
    return await loadStoredSpec(deps.db, specId);
  } catch (err) {
    if (err instanceof UnknownSpecError) throw permanent(err.message, 'UnknownSpec');
    if (err instanceof SpecValidationError) throw permanent(err.message, 'InvalidSpec');
    throw err;
  }
}

export function receiveActivity(deps: ActivityDeps) {
  return async function receive(input: GenerateTestsInput): Promise<SpecSubject> {
    const { runId, workflowId } = currentRun();
    // The starter normally created the row already; this makes the stage correct on its own.
    await upsertRun(deps.db, { id: runId, workflowId, trigger: input.trigger, repository: input.repository, specId: input.spec.id });
    return recordStage(deps, 'receive', async () => {
      const { api } = await loadDereferencedSpec(deps, input.spec.id);
      const info = (api as { info?: { title?: string; version?: string } }).info ?? {};
      const subject: SpecSubject = {
        kind: 'spec',
        specId: input.spec.id,
        repository: input.repository,
        title: info.title ?? 'API',
        version: info.version,
        openapiVersion: String((api as { openapi?: string; swagger?: string }).openapi ?? (api as { swagger?: string }).swagger),
        operationCount: listOperations(api).length,
        source: input.spec.source,
        slug: slugify(info.title ?? 'api'),
      };
      await updateRun(deps.db, runId, { subject });
      return subject;
    });
  };
}
