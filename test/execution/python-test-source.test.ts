import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { generateSpecSuite, type GeneratedSuite } from '../../lib/generation';
import { listPythonTests, removePythonTests } from '../../lib/frameworks/pytest/test-source';
import { scriptPython } from '../../lib/frameworks/pytest/python';
import { suiteCases } from '../../lib/execution/suite-cases';
import { INVENTORY_SPEC } from './support/inventory-api';

const run = promisify(execFile);
const OUT_DIR = 'tests/testloom/inventory';
const TEST_FILE = `${OUT_DIR}/test_untagged.py`;

/** Compiles the source with the interpreter itself (independently of the module under test): the error, or '' when it compiles. */
async function compileError(source: string): Promise<string> {
  const python = await scriptPython();
  try {
    await run(python, ['-I', '-c', 'import sys; compile(sys.argv[1], "edited.py", "exec")', source]);
    return '';
  } catch (err) {
    return (err as { stderr: string }).stderr.trim().split('\n').pop() ?? 'failed';
  }
}

async function names(source: string): Promise<string[]> {
  return (await listPythonTests(source)).map((t) => t.fullName);
}

/** The edit must leave a compiling file listing exactly the tests it had, minus the removed ones. */
async function expectCleanRemoval(before: string, after: string, removedNames: string[]): Promise<void> {
  expect(await compileError(after)).toBe('');
  expect(await names(after)).toEqual((await names(before)).filter((name) => !removedNames.includes(name)));
}

const HAND_WRITTEN = `"""Pets, written by hand."""
import pytest

import api

OFFSET = 2  # not a test


# GET /pets
class TestListPets:
    """Listing pets."""

    # the first one
    def test_lists(self):
        """lists pets"""
        assert api.get("/pets").status_code == 200

    @pytest.mark.slow
    @pytest.mark.timeout(5)
    def test_pages(self):
        """pages through pets"""
        text = """
    def test_in_a_string(self):
        pass
"""
        assert text

    def test_without_docstring(self):
        assert True
        # trailing note of this test

    def helper(self):
        return OFFSET

    class TestNested:
        def test_inner(self):
            """inner"""
            assert OFFSET


# GET /status
class TestStatus:
    # only one
    def test_ok(self):
        """status is ok"""
        assert True


class NotCollected:
    def test_never(self):
        """never collected"""


class TestWithInit:
    def __init__(self):
        pass

    def test_never_either(self):
        """not collected: the class has __init__"""


@pytest.mark.parametrize("n", [1, 2])
def test_numbers(n):
    """numbers"""
    assert n


def test_module_level():
    """a module-level test"""
    assert OFFSET == 2
`;

describe('pytest test files through Python\'s parser', () => {
  let suite: GeneratedSuite;
  let generated: string;

  beforeAll(() => {
    const spec = JSON.parse(JSON.stringify(INVENTORY_SPEC));
    spec.paths['/items/{itemId}'].get.parameters[0].example = 1;
    suite = generateSpecSuite({ api: spec, specId: 'inventory', outDir: OUT_DIR, framework: 'pytest' });
    generated = suite.artifacts.find((a) => a.path === TEST_FILE)!.content;
  });

  test('lists the generated tests under the names execution gives them, the names suiteCases computes for a pytest suite', async () => {
    const tests = await listPythonTests(generated);
    // Stored cases name their file relative to the output folder (GeneratedCase.file).
    const cases = suiteCases(suite.cases.map((c) => ({ caseId: c.id, kind: c.kind, title: c.title, operationId: c.operationId, file: path.posix.relative(OUT_DIR, c.file) })), OUT_DIR, 'pytest');
    expect(cases.every((c) => c.file === TEST_FILE)).toBe(true);
    expect(tests.map((t) => t.fullName)).toEqual(cases.map((c) => c.fullName));
    expect(tests.map((t) => t.title)).toEqual(suite.cases.map((c) => c.title));
    expect(tests[0]).toEqual({
      fullName: 'TestListItems returns 200 for a valid request',
      title: 'returns 200 for a valid request',
      nodeName: 'TestListItems::test_returns_200_for_a_valid_request',
      startLine: 9,
      endLine: 15, // status, JSON, required properties, schema
    });
    const lines = generated.split('\n');
    for (const test of tests) {
      expect(lines[test.startLine - 1]).toMatch(/^ {4}def test_\w+\(self\):$/);
      expect(lines[test.endLine - 1]).toMatch(/^ {8}api\.\w+\(/);
    }
    // The Jest names stay as they were.
    expect(suiteCases([{ caseId: 'x', kind: 'happy-path', title: 'returns 200 for a valid request', operationId: 'showItem', file: 'a.test.ts' }], OUT_DIR)[0].fullName)
      .toBe('showItem returns 200 for a valid request');
  });

  test('removes tests with the comment above them; a class left without tests goes with its comment', async () => {
    const removedNames = ['TestShowItem returns 200 for a valid request', 'TestGetStatus returns 200 for a valid request', 'TestListItems accepts query parameter "limit" set to 1 (minimum 1)'];
    const edited = await removePythonTests(generated, removedNames);
    // Source order.
    expect(edited.removed).toEqual(['TestListItems accepts query parameter "limit" set to 1 (minimum 1)', 'TestShowItem returns 200 for a valid request', 'TestGetStatus returns 200 for a valid request']);
    expect(edited.remaining).toBe(19);
    await expectCleanRemoval(generated, edited.source, removedNames);
    expect(edited.source).not.toContain('class TestGetStatus');
    expect(edited.source).not.toContain('# GET /status');
    expect(edited.source).not.toContain('# showItem/happy-path');
    expect(edited.source).not.toContain('# listItems/at-boundary/query.limit.minimum');
    // The first test of a class went: the next one moves up under the class's clean-up; the last of one: the class ends, two blank lines, the next.
    expect(edited.source).toContain('class TestShowItem:\n    def teardown_method(self):\n        # What a test created is deleted after it, whatever its outcome.\n        api.clean_up()\n\n    # showItem/wrong-type/path.itemId\n    def test_rejects_path_parameter_itemid');
    expect(edited.source).toContain('        api.expect_matches_schema(body, "listItems 200")\n\n\n# POST /items\nclass TestCreateItem:');
    expect(edited.source).toContain('        api.expect_matches_schema(body, "createItem 201")\n\n\n# GET /items/{itemId}\nclass TestShowItem:');
    expect(edited.source).toContain('        api.expect_documented_media_type(response, "showItem")\n\n\n# DELETE /items/{itemId}\nclass TestDeleteItem:');
    // Nothing else changed: the edit is exactly these three cuts (found by their text, not by the module under test).
    const cut = (text: string, from: string, to: string, offset = 0) => {
      const start = text.indexOf(from) + offset;
      return text.slice(0, start) + text.slice(text.indexOf(to, start) + offset);
    };
    let expected = cut(generated, '\n\n\n# GET /status', '\n\n\n# DELETE /items', 1);
    expected = cut(expected, '    # showItem/happy-path', '    # showItem/wrong-type');
    expected = cut(expected, '\n\n    # listItems/at-boundary', '\n\n    # listItems/special-characters', 1);
    expect(edited.source).toBe(expected);
  });

  test('lists only what pytest collects, named by class and docstring, by node id without a docstring or when parametrized', async () => {
    expect((await listPythonTests(HAND_WRITTEN)).map((t) => [t.fullName, t.nodeName, t.startLine, t.endLine])).toEqual([
      ['TestListPets lists pets', 'TestListPets::test_lists', 14, 16],
      // Decorators included; the def inside the string literal is not a test.
      ['TestListPets pages through pets', 'TestListPets::test_pages', 18, 26],
      ['TestListPets::test_without_docstring', 'TestListPets::test_without_docstring', 28, 29],
      ['TestListPets TestNested inner', 'TestListPets::TestNested::test_inner', 36, 38],
      ['TestStatus status is ok', 'TestStatus::test_ok', 44, 46],
      ['test_numbers', 'test_numbers', 62, 65],
      ['a module-level test', 'test_module_level', 68, 70],
    ]);
  });

  test('removes decorated, nested and module-level tests, keeps helpers while tests remain, and a parametrized test by its node id', async () => {
    const edited = await removePythonTests(HAND_WRITTEN, [
      'TestListPets pages through pets', 'TestListPets::test_without_docstring', 'TestListPets TestNested inner', 'test_numbers[2]', 'not in the file',
    ]);
    expect(edited.removed).toEqual(['TestListPets pages through pets', 'TestListPets::test_without_docstring', 'TestListPets TestNested inner', 'test_numbers']);
    expect(edited.remaining).toBe(3);
    expect(await compileError(edited.source)).toBe('');
    expect(edited.source).toBe(`"""Pets, written by hand."""
import pytest

import api

OFFSET = 2  # not a test


# GET /pets
class TestListPets:
    """Listing pets."""

    # the first one
    def test_lists(self):
        """lists pets"""
        assert api.get("/pets").status_code == 200

    def helper(self):
        return OFFSET


# GET /status
class TestStatus:
    # only one
    def test_ok(self):
        """status is ok"""
        assert True


class NotCollected:
    def test_never(self):
        """never collected"""


class TestWithInit:
    def __init__(self):
        pass

    def test_never_either(self):
        """not collected: the class has __init__"""


def test_module_level():
    """a module-level test"""
    assert OFFSET == 2
`);
  });

  test('a class whose tests all go is removed with its helpers and docstring; a file without tests left has none remaining', async () => {
    const edited = await removePythonTests(HAND_WRITTEN, ['TestListPets lists pets', 'TestListPets pages through pets', 'TestListPets::test_without_docstring', 'TestListPets TestNested inner']);
    expect(edited.remaining).toBe(3);
    expect(edited.source).not.toContain('TestListPets');
    expect(edited.source).not.toContain('def helper');
    expect(edited.source).toContain('OFFSET = 2  # not a test\n\n\n# GET /status\nclass TestStatus:');
    await expectCleanRemoval(HAND_WRITTEN, edited.source, ['TestListPets lists pets', 'TestListPets pages through pets', 'TestListPets::test_without_docstring', 'TestListPets TestNested inner']);

    const everything = await removePythonTests(generated, await names(generated));
    expect(everything.remaining).toBe(0);
    expect(everything.removed).toHaveLength(22);
    expect(await compileError(everything.source)).toBe('');
    expect(everything.source).toBe(generated.slice(0, generated.indexOf('import testloom_api as api\n') + 'import testloom_api as api\n'.length));
  });

  test('a file that does not parse is an error naming the line, and nothing is guessed', async () => {
    await expect(listPythonTests('def test_x(:\n    pass\n')).rejects.toThrow(/^the Python test file does not parse: SyntaxError: .* \(line 1\)$/);
    await expect(removePythonTests('class TestX:\n  def test_a(self):\n    pass\n   x = 1\n', ['TestX::test_a'])).rejects.toThrow(/does not parse: IndentationError: .*\(line 4\)/);
  });
});
