/** pytest + requests, the usual pair for HTTP API tests in Python. */
import type { TestFramework } from '../types';
import { pythonGate } from './gate';
import { className, pytestRendering } from './render';
import { pytestRunner } from './runner';
import { listPythonTests, removePythonTests } from './test-source';

export { PYTEST_HELPERS_FILE, PYTEST_REQUIREMENTS_FILE } from './render';
export { PytestUnavailableError } from './python';

export const pytestFramework: TestFramework & { name: 'pytest' } = {
  name: 'pytest',
  title: 'pytest',
  rendering: pytestRendering,
  gate: pythonGate,
  runner: pytestRunner,
  // No `repair`: model repairs splice a Jest test(...) statement, a pytest test at fault is dropped.
  testSource: { listTests: listPythonTests, removeTests: removePythonTests },
  // As testloom_pytest_plugin.py names a test in its operation's class: `TestCreatePet returns 201 …`.
  caseFullName: (operationId, title) => `${className(operationId)} ${title}`,
};
