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
