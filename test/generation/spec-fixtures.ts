import fs from 'node:fs/promises';
import os from 'node:os';
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

/**
 * A temporary target repository holding the suite as a user would have it: the artifacts, a
 * package.json (Jest 30 anchors its project root on one) and the project's node_modules.
 */
export async function targetRepository(artifacts: Artifact[], prefix: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  await writeArtifacts(dir, artifacts);
  await fs.writeFile(path.join(dir, 'package.json'), '{ "name": "target-repository", "private": true }\n');
  await fs.symlink(NODE_MODULES, path.join(dir, 'node_modules'), 'dir');
  return dir;
}
