import type { Operation, SecurityRequirement } from '../openapi';
import type { CaseDraft } from './case-draft';
import type { RequestAuth, TestRequest } from './types';

/** What the tests expect when credentials are missing or wrong. */
const AUTH_FAILURE_STATUS = '401|403';

export interface AuthPlan {
  /** Credentials the valid requests send; absent when the operation needs none or none can be sent. */
  valid?: RequestAuth;
  notes: string[];
}

function isSupported(requirement: SecurityRequirement): boolean {
  return requirement.length > 0 && requirement.every((scheme) => scheme.kind !== 'unsupported');
}

/** The first requirement whose schemes the generated helpers can send. */
export function planAuth(operation: Operation): AuthPlan {
  if (!operation.securityRequirements.length) return { notes: [] };
  const requirement = operation.securityRequirements.find(isSupported);
  if (!requirement) {
    const declared = operation.securityRequirements.flat().map((scheme) => `"${scheme.name}" (${scheme.declared})`);
    return { notes: [`no auth cases: security schemes ${[...new Set(declared)].join(', ')} cannot be sent by the generated helpers`] };
  }
  return { valid: { credentials: 'valid', schemes: requirement.map((scheme) => scheme.name) }, notes: [] };
}

/** Without credentials, and with credentials of the right form but a wrong value: both 401 or 403. */
export function authCases(operation: Operation, happy: TestRequest): CaseDraft[] {
  const valid = happy.auth;
  if (!valid) return [];
  const allSchemes = [...new Set(operation.securityRequirements.flat().map((scheme) => scheme.name))];
  const byName = new Map(operation.securityRequirements.flat().map((scheme) => [scheme.name, scheme]));
  const describe = valid.schemes.map((name) => `${byName.get(name)?.declared ?? name} "${name}"`).join(' and ');
  return [
    {
      id: `${operation.operationId}/missing-auth`,
      kind: 'missing-auth',
      title: 'rejects a request without credentials with 401 or 403',
      request: { ...structuredClone(happy), auth: { credentials: 'missing', schemes: allSchemes } },
      expectedStatus: AUTH_FAILURE_STATUS,
    },
    {
      id: `${operation.operationId}/invalid-auth/${valid.schemes.join('+')}`,
      kind: 'invalid-auth',
      title: `rejects invalid credentials for ${describe} with 401 or 403`,
      request: { ...structuredClone(happy), auth: { credentials: 'invalid', schemes: valid.schemes } },
      expectedStatus: AUTH_FAILURE_STATUS,
    },
  ];
}
