import type { TargetConfig } from '../core/target';
import { checkCredentialEnv } from '../generation/suite-plan';
import { dereferenceSpec, SpecValidationError } from '../openapi/dereference';
import type { PreparedSpec } from '../openapi/intake/prepare';

/**
 * A requested target's `API_AUTH_*` variables checked against the spec's security schemes, before
 * anything is stored. Only a document that validates is checked: an invalid one fails the run at
 * receive with the parser's message, before any suite runs.
 */
export async function checkSpecCredentials(prepared: PreparedSpec, target: TargetConfig | undefined): Promise<void> {
  if (!Object.keys(target?.env ?? {}).some((name) => name.startsWith('API_AUTH_'))) return;
  let api: object;
  try {
    api = await dereferenceSpec(prepared.spec.document);
  } catch (err) {
    if (err instanceof SpecValidationError) return;
    throw err;
  }
  checkCredentialEnv(target?.env, api);
}
