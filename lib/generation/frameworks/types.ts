import type { ArtifactKind } from '../../core/run';
import type { FrameworkName } from '../types';

/** A rendered request of one step, in the target language's calling convention. */
export interface RequestCall {
  method: string;
  path: string;
  pathParams?: Record<string, unknown>;
  query?: Record<string, unknown>;
  headers?: Record<string, string>;
  body?: unknown;
  mediaType?: string;
  auth?: unknown;
}

/** What differs between output frameworks: file names, identifiers, templates; the cases are shared. */
export interface FrameworkAdapter {
  name: FrameworkName;
  /** `pets` → `pets.test.ts` / `test_pets.py`. */
  testFileName(slug: string): string;
  testTemplate: string;
  /** Support files rendered with the shared context: helpers, configuration. */
  supportFiles: { file: string; kind: ArtifactKind; template: string }[];
  /** How test files import the helpers. */
  helpersModule: string;
  /** A variable for a step's parsed body: `body` for one-step cases, else `createdBody` / `created_body`. */
  bodyVariable(responseVar: string, singleStep: boolean): string;
  /** Extra per-step template context for the request (the Jest template takes an object literal, pytest positional and keyword arguments). */
  requestContext(call: RequestCall): object;
  /** Per-case and per-operation identifiers (pytest needs function and class names). */
  caseContext(title: string, used: Set<string>): object;
  operationContext(operationId: string): object;
}
