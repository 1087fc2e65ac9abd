import path from 'node:path';
import ts from 'typescript';
import { generateSpecSuite, TSCONFIG_FILE } from '../../lib/generation';
import type { Artifact } from '../../lib/runs/types';
import { loadSpec, NODE_MODULES, type SpecName } from './spec-fixtures';

/** Where the in-memory files pretend to live; nothing is written there. */
const VIRTUAL_ROOT = path.join(path.parse(process.cwd()).root, 'testloom-virtual-repo');

/**
 * Type-checks the generated files in memory with the compiler options of the generated
 * tsconfig.json; `jest` and `node` types come from this repository's node_modules.
 */
function typeCheck(artifacts: Artifact[]): string[] {
  const files = new Map(artifacts.map((a) => [path.join(VIRTUAL_ROOT, a.path), a.content]));
  const tsconfig = artifacts.find((a) => path.posix.basename(a.path) === TSCONFIG_FILE);
  if (!tsconfig) throw new Error('no generated tsconfig.json');
  const suiteDir = path.dirname(path.join(VIRTUAL_ROOT, tsconfig.path));
  const converted = ts.convertCompilerOptionsFromJson(JSON.parse(tsconfig.content).compilerOptions, suiteDir);
  expect(converted.errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([]);
  const options: ts.CompilerOptions = { ...converted.options, typeRoots: [path.join(NODE_MODULES, '@types')] };

  const host = ts.createCompilerHost(options);
  const { fileExists, readFile, getSourceFile, directoryExists } = host;
  const isVirtualDir = (dir: string) => [...files.keys()].some((file) => file.startsWith(`${dir}${path.sep}`));
  host.fileExists = (file) => files.has(file) || fileExists.call(host, file);
  host.readFile = (file) => files.get(file) ?? readFile.call(host, file);
  host.directoryExists = (dir) => isVirtualDir(dir) || (directoryExists?.call(host, dir) ?? true);
  host.getSourceFile = (file, languageVersion, onError, shouldCreate) => {
    const content = files.get(file);
    return content === undefined
      ? getSourceFile.call(host, file, languageVersion, onError, shouldCreate)
      : ts.createSourceFile(file, content, languageVersion);
  };

  const rootNames = [...files.keys()].filter((file) => file.endsWith('.ts'));
  const program = ts.createProgram({ rootNames, options, host });
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const where = diagnostic.file && diagnostic.start !== undefined
      ? `${path.relative(VIRTUAL_ROOT, diagnostic.file.fileName)}:${diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line + 1}: `
      : '';
    return `${where}${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;
  });
}

describe('generated TypeScript', () => {
  test.each<SpecName>(['petstore', 'swagger2', 'openapi31'])('type-checks with zero diagnostics (%s)', async (spec) => {
    const suite = generateSpecSuite({ api: await loadSpec(spec), specId: spec, outDir: `tests/testloom/${spec}` });
    expect(suite.artifacts.filter((a) => a.kind === 'test').length).toBeGreaterThan(0);
    expect(typeCheck(suite.artifacts)).toEqual([]);
  });

  test('the check does catch type errors in generated files', async () => {
    const suite = generateSpecSuite({ api: await loadSpec('petstore'), specId: 'petstore', outDir: 'tests/testloom/petstore' });
    const broken = suite.artifacts.map((a) =>
      a.kind === 'test' ? { ...a, content: `${a.content}\nconst wrong: number = api.baseUrl();\n` } : a,
    );
    const testFile = suite.artifacts.find((a) => a.kind === 'test');
    const brokenLine = (testFile?.content.split('\n').length ?? 0) + 1;
    expect(typeCheck(broken)).toEqual([`${testFile?.path}:${brokenLine}: Type 'string' is not assignable to type 'number'.`]);
  });
});
