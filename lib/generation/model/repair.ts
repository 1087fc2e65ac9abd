/**
 * The quality gates' second chance: a file a gate rejected goes to the model once, with the
 * compiler's messages; what still fails is dropped with the reason.
 */
import type { ModelAccess } from '../../llm/from-config';
import type { Artifact } from '../../core/run';
import type { TemplateRenderer } from '../../templates';
import { TEST_FRAMEWORKS, type GateFailure, type GateResult } from '../../frameworks';

export interface GatedSuite {
  artifacts: Artifact[];
  dropped: GateFailure[];
  repaired: string[];
}

export interface GateRequest {
  artifacts: Artifact[];
  repository: string;
  runId: string;
  models?: ModelAccess;
  renderer: TemplateRenderer;
  /** Runs the gates over a whole suite. */
  check(artifacts: Artifact[]): Promise<GateResult>;
  /** Cancellation and progress reporting for one model call (a fresh stall watchdog each). */
  watchModelCall(): { signal: AbortSignal; onProgress: () => void; stop: () => void };
}

const REPAIR_SCHEMA = { type: 'object', additionalProperties: false, required: ['content'], properties: { content: { type: 'string', minLength: 1 } } };

/** The language of the framework whose gate checks the file. */
function languageOf(path: string): string {
  return TEST_FRAMEWORKS.find(({ gate }) => gate.checks(path))?.gate.language ?? 'TypeScript';
}

export async function gateSuite(request: GateRequest): Promise<GatedSuite> {
  const first = await request.check(request.artifacts);
  if (!first.failed.length) return { artifacts: request.artifacts, dropped: [], repaired: [] };

  const failedPaths = [...new Set(first.failed.map((f) => f.path))];
  let artifacts = request.artifacts;
  if (request.models) {
    const fixed = new Map<string, string>();
    for (const path of failedPaths) {
      const artifact = artifacts.find((a) => a.path === path)!;
      const failures = first.failed.filter((f) => f.path === path);
      const watch = request.watchModelCall();
      try {
        const completion = await request.models.complete('repair', {
          system: request.renderer.render('prompts/system.md', { repository: request.repository }),
          prompt: request.renderer.render('prompts/repair.md', {
            path,
            language: languageOf(path),
            content: artifact.content,
            gate: failures.map((f) => f.gate).join(', '),
            diagnostics: failures.flatMap((f) => f.diagnostics).slice(0, 30),
          }),
          schema: REPAIR_SCHEMA,
          temperature: 0,
          runId: request.runId,
          repository: request.repository,
          maxRepairs: 1,
          signal: watch.signal,
          onProgress: watch.onProgress,
        });
        fixed.set(path, (completion.json as { content: string }).content);
      } catch (err) {
        if (watch.signal.aborted) throw err;
        // No repair (model unavailable or its answer unusable): the file is dropped below with the gate's reason.
      } finally {
        watch.stop();
      }
    }
    artifacts = artifacts.map((a) => (fixed.has(a.path) ? { ...a, content: fixed.get(a.path)! } : a));
  }
  const second = request.models ? await request.check(artifacts) : first;
  const stillFailing = new Set(second.failed.map((f) => f.path));
  const dropped = second.failed.filter((f, i, all) => all.findIndex((o) => o.path === f.path) === i);
  return {
    artifacts: artifacts.filter((a) => !stillFailing.has(a.path)),
    dropped,
    repaired: failedPaths.filter((p) => !stillFailing.has(p)),
  };
}
