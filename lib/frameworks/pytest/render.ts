import type { SuiteRendering } from '../types';

export const PYTEST_HELPERS_FILE = 'testloom_api.py';
export const PYTEST_REQUIREMENTS_FILE = 'requirements.txt';

const MAX_NAME_LENGTH = 80;

/** `returns 201 for a valid request` → `test_returns_201_for_a_valid_request`, unique within its class. */
function functionName(title: string, used: Set<string>): string {
  const words = title.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  const full = `test_${words}`;
  const cut = full.length > MAX_NAME_LENGTH ? full.slice(0, full.lastIndexOf('_', MAX_NAME_LENGTH)) : full;
  const base = cut.length > 'test'.length ? cut : full.slice(0, MAX_NAME_LENGTH);
  let name = base;
  for (let suffix = 2; used.has(name); suffix++) name = `${base}_${suffix}`;
  used.add(name);
  return name;
}

/** `createPet` → `TestCreatePet`: the class holding an operation's cases (execution names its tests by it too). */
export function className(operationId: string): string {
  const cleaned = operationId.replace(/[^A-Za-z0-9_]/g, '_');
  return `Test${cleaned.charAt(0).toUpperCase()}${cleaned.slice(1)}`;
}

/** pytest + requests, the usual pair for HTTP API tests in Python. */
export const pytestRendering: SuiteRendering = {
  testFileName: (slug) => `test_${slug.replace(/-/g, '_')}.py`,
  testTemplate: 'pytest/test_operation.py',
  supportFiles: [
    { file: PYTEST_HELPERS_FILE, kind: 'helper', template: 'pytest/helpers.py' },
    { file: PYTEST_REQUIREMENTS_FILE, kind: 'helper', template: 'pytest/requirements.txt' },
  ],
  helpersModule: PYTEST_HELPERS_FILE.replace(/\.py$/, ''),
  bodyVariable: (responseVar, singleStep) => (singleStep ? 'body' : `${responseVar}_body`),
  requestContext: ({ method, path, pathParams, query, headers, body, mediaType, auth }) => {
    const keywords = { path_params: pathParams, query, headers, body, media_type: mediaType, auth };
    const named = Object.entries(keywords).filter(([, value]) => value !== undefined).map(([name, value]) => ({ name, value }));
    const args = [{ value: method }, { value: path }, ...named];
    return { args };
  },
  caseContext: (title, used) => ({ functionName: functionName(title, used) }),
  operationContext: (operationId) => ({ className: className(operationId) }),
  runCommand: (outDir) => `API_BASE_URL=<your API> pytest ${outDir}`,
  readmeContext: {},
};
