/**
 * `POST /api/v1/plans` and `testloom plan`: what a spec run would generate and which credential
 * variables its suite reads, from the spec read exactly as a run request reads it. Nothing is
 * stored and nothing is started.
 */
import type { Config } from '../config';
import type { FrameworkName } from '../core/frameworks';
import { caseLimitError, operationLimitError } from '../core/limits';
import type { TargetConfig } from '../core/target';
import { checkCredentialEnv, planSpecSuite, type SuitePlan } from '../generation/suite-plan';
import { dereferenceSpec, SpecValidationError } from '../openapi/dereference';
import { SpecInputError } from '../openapi/intake/errors';
import type { SpecReference } from '../openapi/intake/load';
import { prepareSpec, type PreparedSpec } from '../openapi/intake/prepare';
import { executionRequest } from './start';

export interface PlanRequest {
  spec: SpecReference;
  repository?: string;
  framework?: FrameworkName;
  target?: TargetConfig;
}

export interface RunPlan extends SuitePlan {
  specId: string;
  title: string | null;
  openapiVersion: string | null;
  repository: string;
  framework: FrameworkName;
  /** The target the execute stage would use (requested, else the repository's configured one); null: no execute stage. */
  target: (TargetConfig & { source: 'request' | 'configured' }) | null;
  /** Why the run would fail (TESTLOOM_MAX_OPERATIONS, TESTLOOM_MAX_CASES); empty when it would not. */
  limitErrors: string[];
}

function specField(ref: SpecReference): string {
  return ref.content !== undefined ? 'spec.content' : ref.path !== undefined ? 'spec.path' : 'spec.url';
}

/** The prepared spec validated and dereferenced, as receive will; an invalid document is the request's fault. */
async function dereferenced(ref: SpecReference, prepared: PreparedSpec) {
  try {
    return await dereferenceSpec(prepared.spec.document);
  } catch (err) {
    if (err instanceof SpecValidationError) throw new SpecInputError(`${specField(ref)}: ${err.message}`, specField(ref));
    throw err;
  }
}

/** What `startSpecRun` would generate for this request, checked the same way (target policy, spec intake, credential names). */
export async function planSpecRun(deps: { config: Config }, request: PlanRequest): Promise<RunPlan> {
  const { config } = deps;
  const repository = request.repository ?? config.repos.defaultRepository;
  const framework = request.framework ?? config.generation.framework;
  const execution = executionRequest(config, repository, request.target);
  const prepared = await prepareSpec(request.spec, {
    maxBytes: config.api.maxSpecBytes, roots: config.api.specRoots, urlHosts: config.api.specUrlHosts,
  });
  const api = await dereferenced(request.spec, prepared);
  if (request.target) checkCredentialEnv(execution?.target.env, api);
  const { spec } = prepared;
  const plan = planSpecSuite(api, { specId: spec.id, framework });
  const limits = config.generation.limits;
  return {
    specId: spec.id,
    title: spec.title ?? null,
    openapiVersion: spec.openapiVersion ?? null,
    repository,
    framework,
    target: execution ? { ...execution.target, source: request.target ? 'request' : 'configured' } : null,
    ...plan,
    limitErrors: [operationLimitError(plan.operationCount, limits), caseLimitError(plan.cases.total, limits)].filter((error) => error !== undefined),
  };
}
