import fs from 'node:fs/promises';
import path from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { Artifact } from '../../lib/core/run';

export const REPO_ROOT = path.resolve(__dirname, '../..');
export const NODE_MODULES = path.join(REPO_ROOT, 'node_modules');

export const SPECS = {
  petstore: path.join(REPO_ROOT, 'examples/petstore.yaml'),
  swagger2: path.join(REPO_ROOT, 'test/fixtures/specs/inventory.swagger2.yaml'),
  openapi31: path.join(REPO_ROOT, 'test/fixtures/specs/users.openapi31.yaml'),
  /** ReadMe's legacy API (36 operations, HTTP basic auth), from @readme/oas-examples 8.2.2. */
  readme: path.join(REPO_ROOT, 'test/fixtures/specs/readme-legacy.json'),
  /** OpenAPI links between operations, from @readme/oas-examples 8.2.2. */
  links: path.join(REPO_ROOT, 'test/fixtures/specs/link-example.json'),
} as const;

export type SpecName = keyof typeof SPECS;

/** A fresh dereferenced document each call, as the receive stage hands it over. */
export async function loadSpec(name: SpecName): Promise<object> {
  return SwaggerParser.dereference(SPECS[name]);
}

export async function writeArtifacts(root: string, artifacts: Artifact[]): Promise<void> {
  for (const artifact of artifacts) {
    const file = path.join(root, artifact.path);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, artifact.content);
  }
}
