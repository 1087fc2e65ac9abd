/**
 * The test frameworks a generated suite can be written in: the one list of their names. Each has
 * an adapter in lib/frameworks/<name>/ (rendering, quality gate, runner, test-source editing);
 * lib/frameworks/index.ts checks at compile time that its registry covers exactly this list.
 */
export const FRAMEWORKS = ['jest', 'pytest'] as const;

export type FrameworkName = (typeof FRAMEWORKS)[number];

/** A spec run's framework when neither the request nor TESTLOOM_TEST_FRAMEWORK names one, and that of runs from before the choice existed. */
export const DEFAULT_FRAMEWORK: FrameworkName = 'jest';

export function isFrameworkName(value: unknown): value is FrameworkName {
  return (FRAMEWORKS as readonly unknown[]).includes(value);
}
