import { FRAMEWORKS } from '../../lib/core/frameworks';
import { checkSuite, generateSpecSuite } from '../../lib/generation';
import { loadSpec, type SpecName } from './spec-fixtures';

const SPECS: SpecName[] = ['petstore', 'swagger2', 'openapi31', 'readme', 'links'];

describe('generated suites pass the quality gates', () => {
  test.each(SPECS.flatMap((spec) => FRAMEWORKS.map((framework) => [spec, framework] as const)))(
    '%s as %s: type-checks / compiles with zero diagnostics, every test file asserts',
    async (spec, framework) => {
      const suite = generateSpecSuite({ api: await loadSpec(spec), specId: spec, outDir: `tests/testloom/${spec}`, framework });
      const tests = suite.artifacts.filter((a) => a.kind === 'test');
      expect(tests.length).toBeGreaterThan(0);
      expect(tests.every((a) => a.path.endsWith(framework === 'jest' ? '.test.ts' : '.py'))).toBe(true);
      const result = await checkSuite(suite.artifacts);
      expect(result.failed).toEqual([]);
      expect(result.passed).toEqual(suite.artifacts);
    },
  );
});
