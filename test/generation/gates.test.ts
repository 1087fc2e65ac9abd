import { checkSuite, generateSpecSuite } from '../../lib/generation';
import type { Artifact } from '../../lib/core/run';
import { loadSpec } from './spec-fixtures';

const OUT = 'tests/testloom/petstore';

describe('checkSuite', () => {
  let jest: Artifact[];
  let pytest: Artifact[];
  beforeAll(async () => {
    jest = generateSpecSuite({ api: await loadSpec('petstore'), specId: 'petstore', outDir: OUT }).artifacts;
    pytest = generateSpecSuite({ api: await loadSpec('petstore'), specId: 'petstore', outDir: OUT, framework: 'pytest' }).artifacts;
  });

  test('rejects a TypeScript file with a type error, with the compiler message and position, and keeps the good files', async () => {
    const good = jest.find((a) => a.path.endsWith('pets.test.ts')) as Artifact;
    const broken: Artifact = { path: `${OUT}/broken.test.ts`, kind: 'test', content: "import * as api from './helpers';\n\ntest('x', () => {\n  const wrong: number = api.baseUrl();\n  expect(wrong).toBe(1);\n});\n" };
    const result = await checkSuite([...jest, broken]);
    expect(result.failed).toEqual([
      {
        path: broken.path,
        gate: 'typescript',
        reason: `does not type-check (1 error): ${broken.path}:4:9: error TS2322: Type 'string' is not assignable to type 'number'.`,
        diagnostics: [`${broken.path}:4:9: error TS2322: Type 'string' is not assignable to type 'number'.`],
      },
    ]);
    expect(result.passed).toEqual(jest);
    expect(result.passed).toContain(good);
  });

  test('rejects a Python file that does not compile, naming line and error, and keeps the good files', async () => {
    const broken: Artifact = { path: `${OUT}/test_broken.py`, kind: 'test', content: 'import testloom_api as api\n\n\ndef test_x():\n    assert api.base_url( == "x"\n' };
    const result = await checkSuite([...pytest, broken]);
    expect(result.failed).toHaveLength(1);
    expect(result.failed[0]).toMatchObject({ path: broken.path, gate: 'python-compile' });
    expect(result.failed[0].diagnostics[0]).toMatch(new RegExp(`^${broken.path}:5:\\d+: SyntaxError: `));
    expect(result.failed[0].diagnostics[0]).toContain('assert api.base_url( == "x"');
    expect(result.passed).toEqual(pytest);
  });

  test('compiling never runs the code: a file that would write a marker at import leaves none', async () => {
    const marker = `/tmp/testloom-gate-marker-${process.pid}`;
    const sneaky: Artifact = { path: `${OUT}/test_sneaky.py`, kind: 'test', content: `open(${JSON.stringify(marker)}, "w").write("ran")\n\ndef test_x():\n    assert True\n` };
    const result = await checkSuite([sneaky]);
    expect(result.failed).toEqual([]);
    await expect(import('node:fs/promises').then((fs) => fs.access(marker))).rejects.toThrow();
  });

  test('rejects test files without assertions in either language and keeps test files with them', async () => {
    const emptyTs: Artifact = { path: `${OUT}/empty.test.ts`, kind: 'test', content: "test('does nothing', async () => {\n  await Promise.resolve();\n});\n" };
    const emptyPy: Artifact = { path: `${OUT}/test_empty.py`, kind: 'test', content: 'def test_nothing():\n    pass\n' };
    const assertsPy: Artifact = { path: `${OUT}/test_plain.py`, kind: 'test', content: 'def test_sum():\n    assert 1 + 1 == 2\n' };
    const result = await checkSuite([...jest, emptyTs, emptyPy, assertsPy]);
    expect(result.failed.map((f) => [f.path, f.gate])).toEqual([
      [emptyTs.path, 'assertions'],
      [emptyPy.path, 'assertions'],
    ]);
    expect(result.failed[0].reason).toBe('has no assertion: a test file must check something (expect/assert calls)');
    expect(result.passed).toEqual([...jest, assertsPy]);
  });
});

describe('TypeScript gate: the library\'s declarations', () => {
  // lib ES5 lacks Symbol.toStringTag, which TypeScript's own esnext declarations (pulled in by @types/jest) use.
  const suite = (skipLibCheck: boolean): Artifact[] => [
    { path: 'tests/tsconfig.json', kind: 'helper', content: JSON.stringify({ compilerOptions: { strict: true, target: 'ES2015', lib: ['ES5'], types: ['jest'], skipLibCheck } }) },
    { path: 'tests/sum.test.ts', kind: 'test', content: "test('sum', () => {\n  expect(1 + 1).toBe(2);\n});\n" },
  ];

  test('are checked as tsc checks them when the suite\'s tsconfig turns skipLibCheck off; their errors name the library file', async () => {
    const [failure, ...others] = (await checkSuite(suite(false))).failed;
    expect(others).toEqual([]);
    expect(failure).toMatchObject({ path: 'tests/sum.test.ts', gate: 'typescript' });
    expect(failure.diagnostics).toContain(
      "node_modules/typescript/lib/lib.esnext.disposable.d.ts:111:22: error TS2339: Property 'toStringTag' does not exist on type 'SymbolConstructor'.",
    );
  });

  test('are not checked under skipLibCheck', async () => {
    expect((await checkSuite(suite(true))).failed).toEqual([]);
  });
});

describe('TypeScript gate: files found clean before', () => {
  // Unique per test run: the gate's memory lives as long as this Jest worker.
  const tag = `${process.pid}-${Date.now()}`;
  const file = (path: string, content: string): Artifact => ({ path, kind: path.endsWith('.test.ts') ? 'test' : 'helper', content });
  const typeErrors = async (artifacts: Artifact[]) =>
    (await checkSuite(artifacts)).failed.filter((f) => f.gate === 'typescript').map((f) => [f.path, f.diagnostics.map((d) => d.replace(/^[^ ]+ /, ''))]);
  const library = (dir: string) => file(`${dir}/lib.ts`, `// ${tag}\nexport const biggest: number = Math.max(1, 2);\n`);
  const lines = (...text: string[]) => `${text.join('\n')}\n`;
  const usesLibrary = (dir: string) => file(`${dir}/uses.test.ts`, lines("import { biggest } from './lib';", "test('x', () => {", '  expect(biggest).toBe(2);', '});'));

  test('a file importing only libraries, clean before, is not checked again; its importers are', async () => {
    expect(await typeErrors([library('a'), usesLibrary('a')])).toEqual([]);
    const wrong = file('b/wrong.test.ts', lines("import { biggest } from './lib';", "test('x', () => {", '  const text: string = biggest;', "  expect(text).toBe('2');", '});'));
    expect(await typeErrors([library('b'), wrong])).toEqual([
      ['b/wrong.test.ts', ["error TS2322: Type 'number' is not assignable to type 'string'."]],
    ]);
  });

  test('is checked again when another file of the suite changes what is global, and its new errors are reported', async () => {
    expect(await typeErrors([library('c'), usesLibrary('c')])).toEqual([]);
    // Math.max now answers a string for everyone: lib.ts no longer type-checks.
    const augments = file('d/augments.test.ts', lines(
      'export {};',
      'declare global {',
      '  interface Math {',
      '    max(a: number, b: number): string;',
      '  }',
      '}',
      "test('x', () => {",
      "  expect('augmented').toHaveLength(9);",
      '});',
    ));
    expect(await typeErrors([library('d'), augments])).toEqual([
      ['d/lib.ts', ["error TS2322: Type 'string' is not assignable to type 'number'."]],
    ]);
  });

  test('a file with an error is never remembered as clean; one importing the suite\'s files is checked every time', async () => {
    const broken = file('e/lib.ts', `// ${tag}\nexport const biggest: number = 'two';\n`);
    for (let i = 0; i < 2; i++) {
      expect(await typeErrors([broken, usesLibrary('e')])).toEqual([['e/lib.ts', ["error TS2322: Type 'string' is not assignable to type 'number'."]]]);
    }
    const values = file('f/values.ts', 'export const two = 2;\n');
    const reexports = (content: string) => file('f/lib.ts', `// ${tag}\nimport { two } from './values';\nexport const biggest: ${content} = two;\n`);
    expect(await typeErrors([values, reexports('number'), usesLibrary('f')])).toEqual([]);
    const textValue = file('f/values.ts', "export const two = 'two';\n");
    expect(await typeErrors([textValue, reexports('number'), usesLibrary('f')])).toEqual([
      ['f/lib.ts', ["error TS2322: Type 'string' is not assignable to type 'number'."]],
    ]);
  });
});
