/** pytest + requests, the usual pair for HTTP API tests in Python. */
import type { CiJob, TestFramework } from '../types';
import { pythonGate } from './gate';
import { className, PYTEST_REQUIREMENTS_FILE, pytestRendering } from './render';
import { pytestRunner } from './runner';
import { listPythonTests, removePythonTests } from './test-source';

export { PYTEST_HELPERS_FILE, PYTEST_REQUIREMENTS_FILE } from './render';
export { PytestUnavailableError } from './python';

/**
 * Each suite's requirements are installed, then each suite runs on its own (their helper modules
 * share a name) with an empty configuration (`-c /dev/null`) and conftest lookup stopped at its
 * folder, so the repository's own pytest settings and plugins do not reach it.
 */
const pytestCi: CiJob = {
  title: 'pytest suites',
  setupSteps: [
    { name: 'Set up Python', uses: 'actions/setup-python@v5', with: { 'python-version': '3.12' } },
    {
      name: 'Install the suites\' requirements',
      run: [
        'while IFS= read -r suite; do',
        `  python -m pip install --disable-pip-version-check -r "$suite/${PYTEST_REQUIREMENTS_FILE}"`,
        'done <<< "$TESTLOOM_SUITES"',
      ].join('\n'),
    },
  ],
  runSuite: 'python -m pytest -c /dev/null --rootdir "$SUITE" --confcutdir "$SUITE" -p no:cacheprovider -rfE --junitxml="$REPORT" "$SUITE"',
  reportExtension: 'xml',
};

export const pytestFramework: TestFramework & { name: 'pytest' } = {
  name: 'pytest',
  title: 'pytest',
  rendering: pytestRendering,
  gate: pythonGate,
  runner: pytestRunner,
  ci: pytestCi,
  // No `repair`: model repairs splice a Jest test(...) statement, a pytest test at fault is dropped.
  testSource: { listTests: listPythonTests, removeTests: removePythonTests },
  // As testloom_pytest_plugin.py names a test in its operation's class: `TestCreatePet returns 201 …`.
  caseFullName: (operationId, title) => `${className(operationId)} ${title}`,
};
