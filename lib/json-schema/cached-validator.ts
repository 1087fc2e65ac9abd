/**
 * Validators of testloom's own fixed schemas (its config files, the OpenAPI meta-schemas, the API's
 * request bodies), compiled by Ajv once per machine instead of once per process. Ajv turns a schema
 * into JavaScript source and then into a function; making the source is the costly part (50–100 ms
 * of CPU for a large schema, with the meta-schema checks of a new Ajv instance), and every worker,
 * API or CLI process paid it again. The first process to need a validator writes Ajv's standalone
 * source (`ajv/dist/standalone`) into a cache directory under a hash of everything the source depends
 * on; later processes evaluate that file, and never build an Ajv instance for it.
 *
 * Only for schemas that ship with testloom: a spec's schemas (user input) are compiled in memory.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { AnySchema, ValidateFunction } from 'ajv';
import type AjvCore from 'ajv/dist/core';
import standaloneCode from 'ajv/dist/standalone';

/** The generated source requires Ajv's runtime helpers (and ajv-formats' formats): resolved from Ajv's own place. */
const requireForValidators = createRequire(require.resolve('ajv'));
const VERSIONS = ['ajv', 'ajv-formats', 'ajv-draft-04'].map((name) => `${name}@${(requireForValidators(`${name}/package.json`) as { version: string }).version}`).join(' ');

/** Where the sources go: node_modules/.cache beside Ajv, the usual home of tools' caches. */
const CACHE_DIR = path.resolve(requireForValidators.resolve('ajv/package.json'), '..', '..', '.cache', 'testloom-validators');

/**
 * The validator of `schema`, from the cache when a process compiled it before. `context` names
 * whatever else shapes the generated code (the schemas added to the Ajv instance, its options);
 * `makeAjv` is called only when compiling, and must make its Ajv with `code: { source: true }`.
 */
export function cachedValidator<T = unknown>(schema: AnySchema, context: string, makeAjv: () => AjvCore, cacheDir = CACHE_DIR): ValidateFunction<T> {
  const key = createHash('sha256').update(`${VERSIONS}\n${context}\n${JSON.stringify(schema)}`).digest('hex').slice(0, 40);
  const file = path.join(cacheDir, `${key}.js`);
  const cached = readSource(file);
  if (cached !== undefined) {
    try {
      return evaluate<T>(cached);
    } catch {
      // A damaged file: compiled again below, and replaced.
    }
  }
  const ajv = makeAjv();
  if (!ajv.opts.code.source) throw new Error('cachedValidator: the Ajv instance must be made with code: { source: true }');
  const validate = ajv.compile<T>(schema);
  writeSource(file, standaloneCode(ajv, validate));
  return validate;
}

function readSource(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Written beside and renamed into place: a process reading it never sees half a file. The cache is optional: a read-only directory only costs the compile. */
function writeSource(file: string, source: string): void {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const partial = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(partial, source);
    fs.renameSync(partial, file);
  } catch {
    // not cached
  }
}

function evaluate<T>(source: string): ValidateFunction<T> {
  const module: { exports: unknown } = { exports: {} };
  // The source Ajv generated for one of testloom's own schemas: a CommonJS module exporting the function.
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const load = new Function('module', 'exports', 'require', source) as (module: object, exports: unknown, load: NodeJS.Require) => void;
  load(module, module.exports, requireForValidators);
  if (typeof module.exports !== 'function') throw new Error('not a validator');
  return module.exports as ValidateFunction<T>;
}
