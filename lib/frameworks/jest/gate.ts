import { createHash } from 'node:crypto';
import path from 'node:path';
import type * as TS from 'typescript';
import { ts } from './typescript';
import type { Artifact } from '../../core/run';
import type { QualityGate } from '../types';
import type { GateFailure } from '../shared/gate';

/** Where the in-memory files pretend to live; nothing is read or written there. */
const VIRTUAL_ROOT = path.join(path.parse(process.cwd()).root, 'testloom-virtual-repo');
/**
 * The files a check reads from disk (TypeScript's lib files, @types/node, @types/jest) do not change
 * while testloom runs: parsed once, shared by every later check of the process (check-process.ts
 * keeps that process warm).
 */
const LIBRARY_FILES = new Map<string, TS.SourceFile>();
/**
 * How the library files' own imports resolve (`node:events` inside @types/node, say) does not
 * change either: a cache per set of compiler options, kept as long as LIBRARY_FILES.
 */
const LIBRARY_RESOLUTIONS = new Map<string, TS.ModuleResolutionCache>();

function libraryResolutionCache(host: TS.CompilerHost, options: TS.CompilerOptions): TS.ModuleResolutionCache {
  const key = JSON.stringify(options);
  let cache = LIBRARY_RESOLUTIONS.get(key);
  if (!cache) {
    cache = ts.createModuleResolutionCache(host.getCurrentDirectory(), (file) => host.getCanonicalFileName(file), options);
    LIBRARY_RESOLUTIONS.set(key, cache);
  }
  return cache;
}
/**
 * Files found clean before, by compiler options and text, which are not checked again. Only a file
 * that imports library modules alone, in a program whose files are all modules adding nothing
 * global, qualifies: its diagnostics then depend on its own text (and the library files, which do
 * not change while this process runs). helpers.ts, the same in every suite, is such a file, and its
 * check is most of a suite's (TypeScript resolving the library types it uses, in each new checker).
 */
const KNOWN_CLEAN = new Set<string>();
const KNOWN_CLEAN_LIMIT = 256;

function rememberClean(key: string): void {
  KNOWN_CLEAN.add(key);
  if (KNOWN_CLEAN.size > KNOWN_CLEAN_LIMIT) KNOWN_CLEAN.delete(KNOWN_CLEAN.values().next().value!);
}

/** A module with no global declarations, module augmentations or triple-slash references: nothing it says reaches another file uninvited. */
function addsNothingGlobal(file: TS.SourceFile): boolean {
  if (!ts.isExternalModule(file) || file.referencedFiles.length || file.typeReferenceDirectives.length || file.libReferenceDirectives.length) return false;
  return !file.statements.some((statement) => ts.isModuleDeclaration(statement)
    && ((statement.flags & ts.NodeFlags.GlobalAugmentation) !== 0 || ts.isStringLiteral(statement.name)));
}

/** An in-memory file's path as the suite names it (`tests/…/helpers.ts`). */
const suitePath = (fileName: string) => path.relative(VIRTUAL_ROOT, fileName).split(path.sep).join('/');

/** A library file as a message names it: from its `node_modules/` on, not where testloom is installed. */
const libraryPath = (fileName: string) => {
  const at = fileName.lastIndexOf('node_modules/');
  return at >= 0 ? fileName.slice(at) : path.basename(fileName);
};

/** `jest` and `node` types come from testloom's own dependencies. */
const TYPE_ROOTS = [path.resolve(__dirname, '../../../node_modules/@types')];

const DEFAULT_OPTIONS = {
  target: 'ES2022', lib: ['ES2022'], module: 'preserve', moduleResolution: 'bundler', strict: true,
  isolatedModules: true, skipLibCheck: true, noEmit: true, types: ['jest', 'node'],
};

function compilerOptions(artifacts: Artifact[], tsFiles: Artifact[]): { options: TS.CompilerOptions; errors: string[] } {
  const tsconfig = artifacts.find((a) => path.posix.basename(a.path) === 'tsconfig.json' && tsFiles.some((f) => f.path.startsWith(path.posix.dirname(a.path))));
  let raw: unknown = DEFAULT_OPTIONS;
  if (tsconfig) {
    const parsed = ts.parseConfigFileTextToJson(tsconfig.path, tsconfig.content);
    if (parsed.error) return { options: {}, errors: [`${tsconfig.path}: ${ts.flattenDiagnosticMessageText(parsed.error.messageText, '\n')}`] };
    raw = (parsed.config as { compilerOptions?: unknown }).compilerOptions ?? {};
  }
  const dir = tsconfig ? path.dirname(path.join(VIRTUAL_ROOT, tsconfig.path)) : VIRTUAL_ROOT;
  const converted = ts.convertCompilerOptionsFromJson(raw, dir);
  return {
    options: { ...converted.options, noEmit: true, typeRoots: TYPE_ROOTS },
    errors: converted.errors.map((d) => `${tsconfig?.path ?? 'tsconfig'}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`),
  };
}

/**
 * Type-checks the `.ts` artifacts together, in memory, with the compiler options of the generated
 * tsconfig.json (strict defaults without one). Returns diagnostics by artifact path.
 */
export function typeCheckArtifacts(artifacts: Artifact[]): { byPath: Map<string, string[]>; global: string[] } {
  const tsFiles = artifacts.filter((a) => a.path.endsWith('.ts'));
  const byPath = new Map<string, string[]>();
  if (!tsFiles.length) return { byPath, global: [] };
  const { options, errors } = compilerOptions(artifacts, tsFiles);
  if (errors.length) return { byPath, global: errors };

  const files = new Map(tsFiles.map((a) => [path.join(VIRTUAL_ROOT, a.path), a.content]));
  const host = ts.createCompilerHost(options);
  const fileExists = host.fileExists.bind(host);
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  const directoryExists = host.directoryExists?.bind(host);
  const isVirtualDir = (dir: string) => [...files.keys()].some((file) => file.startsWith(`${dir}${path.sep}`));
  host.fileExists = (file) => files.has(file) || fileExists(file);
  host.readFile = (file) => files.get(file) ?? readFile(file);
  host.directoryExists = (dir) => isVirtualDir(dir) || (directoryExists?.(dir) ?? true);
  // As tsc does: JSDoc is parsed only where it can change a type (JavaScript files), not in the
  // library's .d.ts files, whose comments are most of their text.
  host.jsDocParsingMode = ts.JSDocParsingMode.ParseForTypeErrors;
  const libraryResolutions = libraryResolutionCache(host, options);
  host.resolveModuleNameLiterals = (literals, containingFile, redirected, literalOptions, containingSourceFile) => {
    // What a suite's own file imports depends on the suite's files, so only the library's imports share a cache.
    const cache = containingFile.startsWith(VIRTUAL_ROOT) ? undefined : libraryResolutions;
    return literals.map((literal) => ts.resolveModuleName(
      literal.text, containingFile, literalOptions, host, cache, redirected, ts.getModeForUsageLocation(containingSourceFile, literal, literalOptions),
    ));
  };
  host.getModuleResolutionCache = () => libraryResolutions;
  host.getSourceFile = (file, languageVersion, onError, shouldCreate) => {
    const content = files.get(file);
    if (content !== undefined) return ts.createSourceFile(file, content, languageVersion);
    const key = `${file}\0${JSON.stringify(languageVersion)}`;
    let parsed = LIBRARY_FILES.get(key);
    if (!parsed) {
      parsed = getSourceFile(file, languageVersion, onError, shouldCreate);
      if (parsed) LIBRARY_FILES.set(key, parsed);
    }
    return parsed;
  };
  const program = ts.createProgram({ rootNames: [...files.keys()], options, host });
  const suiteFiles = program.getSourceFiles().filter((file) => files.has(file.fileName));
  // A file importing only what lies outside the suite: a bare name resolved to a library file, or
  // not resolved to a file at all (`node:fs`: a library's `declare module`; the suite's files declare none).
  const importsLibrariesOnly = (file: TS.SourceFile) => ts.preProcessFile(file.text, true, true).importedFiles.every(({ fileName }) => {
    if (fileName.startsWith('.') || path.isAbsolute(fileName)) return false;
    const resolved = ts.resolveModuleName(fileName, file.fileName, options, host).resolvedModule;
    return !resolved?.resolvedFileName.startsWith(VIRTUAL_ROOT);
  });
  const isolated = suiteFiles.every(addsNothingGlobal);
  const optionsKey = JSON.stringify(options);
  const cleanKey = (file: TS.SourceFile) => createHash('sha256').update(`${optionsKey}\0${file.text}`).digest('hex');
  const reusable = new Map(isolated ? suiteFiles.filter(importsLibrariesOnly).map((file) => [file, cleanKey(file)]) : []);
  const checked = suiteFiles.filter((file) => !KNOWN_CLEAN.has(reusable.get(file) ?? ''));
  // What ts.getPreEmitDiagnostics gathers, for the files not known clean; global diagnostics once the files are checked.
  const found = [
    ...program.getOptionsDiagnostics(),
    ...checked.flatMap((file) => [
      ...program.getSyntacticDiagnostics(file),
      ...program.getSemanticDiagnostics(file),
      ...(options.declaration || options.composite ? program.getDeclarationDiagnostics(file) : []),
    ]),
    // The library's declarations, as tsc checks them: TypeScript itself skips them under skipLibCheck.
    ...program.getSourceFiles().filter((file) => !files.has(file.fileName)).flatMap((file) => program.getSemanticDiagnostics(file)),
    ...program.getGlobalDiagnostics(),
  ];
  const global: string[] = [];
  for (const diagnostic of ts.sortAndDeduplicateDiagnostics(found)) {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    if (!diagnostic.file || diagnostic.start === undefined) {
      global.push(message);
      continue;
    }
    const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    const at = (where: string) => `${where}:${line + 1}:${character + 1}: error TS${diagnostic.code}: ${message}`;
    if (!files.has(diagnostic.file.fileName)) {
      global.push(at(libraryPath(diagnostic.file.fileName)));
      continue;
    }
    const relative = suitePath(diagnostic.file.fileName);
    byPath.set(relative, [...(byPath.get(relative) ?? []), at(relative)]);
  }
  if (!global.length) {
    for (const file of checked) {
      const key = reusable.get(file);
      if (key && !byPath.has(suitePath(file.fileName))) rememberClean(key);
    }
  }
  return { byPath, global };
}

const ASSERTION_CALL = /^(expect|assert)/;

/** Calls of `expect(...)`, `expect.x(...)`, `api.expectStatus(...)`, `assert...(...)` in a TypeScript file. */
export function countTypeScriptAssertions(file: string, content: string): number {
  const source = ts.createSourceFile(file, content, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  let count = 0;
  const visit = (node: TS.Node): void => {
    if (ts.isCallExpression(node)) {
      let callee: TS.Expression = node.expression;
      while (ts.isCallExpression(callee) || ts.isPropertyAccessExpression(callee)) {
        if (ts.isPropertyAccessExpression(callee) && ASSERTION_CALL.test(callee.name.text)) break;
        callee = callee.expression;
      }
      const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : '';
      if (ASSERTION_CALL.test(name)) count++;
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return count;
}

const isTypeScript = (file: string) => file.endsWith('.ts');

/** TypeScript type-checks in memory: every `.ts` file with the diagnostics of the whole program, once per file. */
export const typescriptGate: QualityGate = {
  name: 'typescript',
  language: 'TypeScript',
  checks: isTypeScript,
  check(artifacts) {
    const failed: GateFailure[] = [];
    const { byPath, global } = typeCheckArtifacts(artifacts);
    for (const artifact of artifacts.filter((a) => isTypeScript(a.path))) {
      const diagnostics = [...(byPath.get(artifact.path) ?? []), ...global];
      if (diagnostics.length) {
        const count = diagnostics.length === 1 ? '1 error' : `${diagnostics.length} errors`;
        failed.push({ path: artifact.path, gate: 'typescript', reason: `does not type-check (${count}): ${diagnostics[0]}`, diagnostics });
      }
    }
    const tests = artifacts.filter((a) => a.kind === 'test' && isTypeScript(a.path));
    return Promise.resolve({ failed, assertions: new Map(tests.map((a) => [a.path, countTypeScriptAssertions(a.path, a.content)])) });
  },
};
