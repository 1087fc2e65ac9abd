/**
 * Executable tests for an issue: when the target repository keeps an OpenAPI spec and the issue
 * names some of its operations (`POST /pets`, `createPet`), the deterministic suite for just those
 * operations, next to the model's test-case document.
 */
import { operationsConcerned } from '../issues/concerned-operations';
import { listOperations, type Operation } from '../openapi';
import type { RepoHost } from '../repohost/types';
import type { IssueSubject } from '../core/contract';
import { dereferenceSpec } from '../openapi/dereference';
import { parseSpecDocument } from '../openapi/intake/document';
import { generateSpecSuite } from './spec-suite';
import type { GeneratedSuite } from './types';

export interface IssueApiTests {
  suite?: GeneratedSuite;
  /** The repository's spec the suite was generated from, to store for executing the suite. */
  spec?: { id: string; content: string; format: 'json' | 'yaml'; title?: string; openapiVersion?: string };
  /** What was found (or not) and why; goes into the run's notes. */
  note: string;
}

/** Only `operations` of the document: the same paths object, without the other path items and methods. */
function restrictTo(api: object, operations: Operation[]): object {
  const document = api as { paths?: Record<string, Record<string, unknown>> };
  const keep = new Map<string, Set<string>>();
  for (const op of operations) keep.set(op.path, (keep.get(op.path) ?? new Set()).add(op.method));
  const paths = Object.fromEntries(
    Object.entries(document.paths ?? {})
      .filter(([path]) => keep.has(path))
      .map(([path, item]) => [path, Object.fromEntries(Object.entries(item).filter(([key]) => !/^(get|put|post|delete|options|head|patch|trace)$/.test(key) || keep.get(path)!.has(key)))]),
  );
  return { ...document, paths };
}

export async function issueApiTests(repoHost: RepoHost, subject: IssueSubject, outDir: string, overrideTemplatesDir?: string): Promise<IssueApiTests> {
  const candidates = subject.specPaths ?? [];
  if (!candidates.length) return { note: 'No spec paths are configured for issue runs (TESTLOOM_ISSUE_SPEC_PATHS): test-case document only.' };
  for (const specPath of candidates) {
    const [file] = (await repoHost.readFiles(subject.repository, specPath)).filter((f) => f.path === specPath);
    if (!file) continue;
    let api: object;
    let parsed: ReturnType<typeof parseSpecDocument>;
    try {
      parsed = parseSpecDocument(file.content, specPath);
      api = await dereferenceSpec(parsed.document);
    } catch (err) {
      return { note: `${specPath} in ${subject.repository} is not a usable OpenAPI document (${(err as Error).message}): test-case document only.` };
    }
    const concerned = operationsConcerned(`${subject.title}\n${subject.body}`, listOperations(api));
    if (!concerned.length) {
      return { note: `The issue names none of the operations of ${specPath} (write them as \`POST /pets\` or by operationId for executable tests): test-case document only.` };
    }
    const suite = generateSpecSuite({
      api: restrictTo(api, concerned.map((c) => c.operation)),
      specId: parsed.id,
      outDir,
      title: `${subject.repository}#${subject.number}`,
      framework: subject.framework,
      overrideTemplatesDir,
    });
    const named = concerned.map((c) => `${c.operation.operationId} (${c.mention})`).join(', ');
    const spec = { id: parsed.id, content: file.content, format: parsed.format, title: parsed.title, openapiVersion: parsed.openapiVersion };
    return { suite, spec, note: `Executable tests in ${outDir}/ for the operations the issue names, from ${specPath}: ${named}.` };
  }
  return { note: `No OpenAPI spec in ${subject.repository} at ${candidates.join(', ')}: test-case document only.` };
}
