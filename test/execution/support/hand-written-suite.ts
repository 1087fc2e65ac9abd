import type { SuiteFile } from '../../../lib/execution';

/** A hand-written Jest suite for the inventory API, so that what it sends (and so its coverage) is known exactly. */

export const SUITE_DIR = 'tests/inventory';

const JEST_CONFIG = JSON.stringify({
  testEnvironment: 'node',
  testMatch: ['<rootDir>/**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { swcrc: false, jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }] },
  testTimeout: 30000,
  maxWorkers: 1,
});

const HELPER = `
export interface Answer { status: number; text: string; json(): any }

export async function call(method: string, path: string, init: { body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(process.env.API_BASE_URL + path, { method, headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  const text = await response.text();
  return { status: response.status, text, json: () => JSON.parse(text) };
}

export function expectStatus(answer: Answer, status: number): void {
  if (answer.status !== status) throw new Error(\`expected \${status}, got \${answer.status}: \${answer.text.slice(0, 200)}\`);
}
`;

/** `tests` maps test file names to their bodies (the import of the helper is added). */
export function suiteFiles(tests: Record<string, string>): SuiteFile[] {
  return [
    { path: `${SUITE_DIR}/jest.config.json`, content: JEST_CONFIG },
    { path: `${SUITE_DIR}/api.ts`, content: HELPER },
    ...Object.entries(tests).map(([name, body]) => ({ path: `${SUITE_DIR}/${name}`, content: `import { call, expectStatus } from './api';\n${body}` })),
  ];
}
