/**
 * Which generated case a test of the executed suite is: the generator's knowledge of why a test
 * exists (a missing required field, a value at a limit…) tells triage what the spec itself says the
 * answer must be.
 */
import { frameworkFor, type FrameworkName, type TestFramework } from '../frameworks';
import type { FailingTest } from './triage';

/** A generated case as the run stored it; `file` is relative to the repository root (in runs before that, to the output folder). */
export interface GeneratedCase {
  caseId: string;
  kind: string;
  title: string;
  operationId?: string;
  file: string;
}

export interface SuiteCase {
  caseId: string;
  kind: string;
  /** The operation the case tests; absent for scenarios that span several. */
  operationId?: string;
  /** Relative to the repository root, like the test files of an execution. */
  file: string;
  /**
   * The name execution gives the test. Jest: `operationId title` for a case in an operation's
   * describe block, the title for a scenario. pytest: `<class> title` for a case in its operation's
   * class (`TestCreatePet returns 201 …`, see TestFramework.caseFullName), the title otherwise.
   */
  fullName: string;
}

const EXPECTATIONS: Record<string, NonNullable<FailingTest['expectation']>> = {
  'missing-required': { outcome: 'rejection', because: 'a required field is missing' },
  'wrong-type': { outcome: 'rejection', because: 'a value has the wrong type' },
  boundary: { outcome: 'rejection', because: 'a value lies just outside a documented limit' },
  'missing-auth': { outcome: 'rejection', because: 'the operation declares security and no credentials were sent' },
  'invalid-auth': { outcome: 'rejection', because: 'the operation declares security and the credentials were wrong' },
  'at-boundary': { outcome: 'acceptance', because: 'every value is within its documented limits, one exactly at a limit' },
  'special-characters': { outcome: 'acceptance', because: 'a free-text query value within its documented limits may hold any character' },
  'required-only': { outcome: 'acceptance', because: 'every required field is sent with a valid value and the optional ones are left out' },
  conflict: { outcome: 'rejection', because: 'it conflicts with the state an earlier request made, and the operation documents 409' },
  'dangling-reference': { outcome: 'rejection', because: 'a field names a resource that does not exist' },
  behaviour: {
    outcome: 'behaviour',
    because: 'an API of this shape promises it: a partial update keeps what it did not send, a filter narrows, pages follow on, a read-only value is not kept',
  },
};

function fullNameOf(c: GeneratedCase, framework: TestFramework): string {
  if (c.kind === 'scenario' || !c.operationId) return c.title;
  return framework.caseFullName(c.operationId, c.title);
}

export function suiteCases(cases: GeneratedCase[], outDir: string, frameworkName?: FrameworkName): SuiteCase[] {
  const framework = frameworkFor(frameworkName);
  return cases.map((c) => ({
    caseId: c.caseId,
    kind: c.kind,
    ...(c.operationId ? { operationId: c.operationId } : {}),
    file: c.file.startsWith(`${outDir}/`) ? c.file : `${outDir}/${c.file}`,
    fullName: fullNameOf(c, framework),
  }));
}

export function caseLookup(cases: SuiteCase[]): (test: { file: string; fullName: string }) => SuiteCase | undefined {
  const byKey = new Map(cases.map((c) => [`${c.file}\u0000${c.fullName}`, c]));
  return (test) => byKey.get(`${test.file}\u0000${test.fullName}`);
}

export function expectationOfKind(kind: string | undefined): FailingTest['expectation'] {
  return kind ? EXPECTATIONS[kind] : undefined;
}
