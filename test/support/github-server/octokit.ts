/**
 * The real `@octokit/rest` client. It ships ESM only; jest.config.js compiles it (and its ESM-only
 * dependencies) to CommonJS, and `import()` keeps this module loadable from CommonJS under tsx too.
 */
import type { Octokit as OctokitClass } from '@octokit/rest' with { 'resolution-mode': 'import' };

export type Octokit = OctokitClass;
export type OctokitConstructor = typeof OctokitClass;

export async function loadOctokit(): Promise<OctokitConstructor> {
  return (await import('@octokit/rest')).Octokit;
}
