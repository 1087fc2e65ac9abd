import type { SchemaObject } from '../../openapi';
import { seededRandom } from './random';
import { validValue } from './valid-value';
import { ValueValidator } from './validator';

export { seededRandom, type Random } from './random';
export { stringFromPattern } from './strings';
export { ValueValidator, type ValueCheck } from './validator';

/** No value satisfying the schema could be built; `reason` names what failed. */
export class NoValidValueError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'NoValidValueError';
  }
}

const validator = new ValueValidator();
const accepts = (schema: SchemaObject, value: unknown) => validator.check(schema, value).valid !== false;

/**
 * Tried in order until Ajv accepts one: the fullest request first (the spec's examples, every
 * optional property), then without examples, then required properties only (optional ones may
 * exclude each other through oneOf), then the other branches of a oneOf/anyOf.
 */
const VARIANTS = [
  { examples: true, optional: true, branch: 0 },
  { examples: false, optional: true, branch: 0 },
  { examples: true, optional: false, branch: 0 },
  { examples: false, optional: false, branch: 0 },
  ...[1, 2, 3].flatMap((branch) => [{ examples: false, optional: true, branch }, { examples: false, optional: false, branch }]),
];

/**
 * A request value valid for `schema`, proven by Ajv before it is rendered: the spec's example when
 * it is valid, else one built from the schema (seeded by `seed`, so the same spec gives the same
 * value). Throws NoValidValueError with Ajv's reasons when neither is valid.
 */
export function validRequestValue(schema: SchemaObject, seed: string, hint?: string): unknown {
  let errors: string[] = [];
  for (const variant of VARIANTS) {
    const value = validValue(schema, { random: seededRandom(seed), direction: 'request', accepts, ...variant }, hint);
    const check = validator.check(schema, value);
    if (check.valid !== false) return value;
    if (!errors.length) errors = check.errors;
  }
  throw new NoValidValueError(`no generated value satisfies the schema (${errors.slice(0, 3).join('; ')})`);
}

export function checkValue(schema: SchemaObject, value: unknown) {
  return validator.check(schema, value);
}
