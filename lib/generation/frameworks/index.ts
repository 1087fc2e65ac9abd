import type { FrameworkName } from '../types';
import { jestAdapter } from './jest';
import { pytestAdapter } from './pytest';
import type { FrameworkAdapter } from './types';

export { jestAdapter, JEST_CONFIG_FILE, JEST_HELPERS_FILE, TSCONFIG_FILE } from './jest';
export { pytestAdapter, PYTEST_HELPERS_FILE, PYTEST_REQUIREMENTS_FILE } from './pytest';
export type { FrameworkAdapter, RequestCall } from './types';

const ADAPTERS: Record<FrameworkName, FrameworkAdapter> = { jest: jestAdapter, pytest: pytestAdapter };

export function frameworkAdapter(name: FrameworkName = 'jest'): FrameworkAdapter {
  const adapter = ADAPTERS[name];
  if (!adapter) throw new Error(`unknown test framework "${String(name)}": use ${Object.keys(ADAPTERS).map((n) => `"${n}"`).join(' or ')}`);
  return adapter;
}
