/**
 * How much one run may generate. Past these, a run fails with the count and the setting to raise,
 * instead of producing a suite too large to check, store or review (DESIGN §6: one request must not
 * be able to exhaust the service for everyone else).
 */
export interface GenerationLimits {
  /** TESTLOOM_MAX_OPERATIONS: checked at receive. */
  maxOperations: number;
  /** TESTLOOM_MAX_CASES: checked at generate. */
  maxCases: number;
}

export const DEFAULT_GENERATION_LIMITS: GenerationLimits = { maxOperations: 1_000, maxCases: 10_000 };

export function operationLimitError(count: number, limits: GenerationLimits): string | undefined {
  if (count <= limits.maxOperations) return undefined;
  return `the spec has ${count} operations, more than the ${limits.maxOperations} one run generates tests for (TESTLOOM_MAX_OPERATIONS): split the spec or raise the limit`;
}

export function caseLimitError(count: number, limits: GenerationLimits): string | undefined {
  if (count <= limits.maxCases) return undefined;
  return `generation produced ${count} test cases, more than the ${limits.maxCases} one run may deliver (TESTLOOM_MAX_CASES): split the spec or raise the limit`;
}
