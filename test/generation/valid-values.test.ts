import path from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { listOperations, type SchemaObject } from '../../lib/openapi';
import { checkValue, seededRandom, stringFromPattern, validRequestValue } from '../../lib/generation/values';
import { generateSpecSuite } from '../../lib/generation/spec-suite';
import { SPECS } from './spec-fixtures';

const OAS_EXAMPLES = path.dirname(require.resolve('@readme/oas-examples/package.json'));
/** Real public specs of many shapes: polymorphism, discriminators, every schema type and validation keyword, deep nesting. */
const PUBLIC_SPECS = [
  '3.0/json/polymorphism.json',
  '3.0/json/discriminators.json',
  '3.0/json/schema-types.json',
  '3.0/json/schema-validation.json',
  '3.0/json/complex-nesting.json',
  '3.0/json/schema-enums.json',
  '3.0/json/uspto.json',
  '3.0/json/star-trek.json',
  '3.1/json/train-travel.json',
  '3.1/json/schema-types.json',
].map((file) => path.join(OAS_EXAMPLES, file));

const ALL_SPECS = [...Object.values(SPECS), ...PUBLIC_SPECS];

/** Bodies no value can satisfy (allOf of a string and an integer): skipping them, with the reason, is right. */
const IMPOSSIBLE = ['quirks_entirelyIncompatibleAllOf body', 'quirks_partiallyUsableIncompatibleAllOf body'];

describe('generated request values are valid by construction', () => {
  it.each(ALL_SPECS.map((file) => [path.relative(process.cwd(), file), file]))('%s: every body and parameter value passes Ajv', async (_name, file) => {
    const api = await SwaggerParser.dereference(file);
    const failures: string[] = [];
    let checked = 0;
    for (const operation of listOperations(api)) {
      const schemas: [string, SchemaObject][] = [
        ...operation.parameters.map((p) => [`${operation.operationId} ${p.in}.${p.name}`, p.schema] as [string, SchemaObject]),
        ...(operation.requestBody ? [[`${operation.operationId} body`, operation.requestBody.schema] as [string, SchemaObject]] : []),
      ];
      for (const [what, schema] of schemas) {
        checked++;
        try {
          const check = checkValue(schema, validRequestValue(schema, what));
          if (check.valid === false) failures.push(`${what}: ${check.errors.join('; ')}`);
        } catch {
          failures.push(what);
        }
      }
    }
    expect(checked).toBeGreaterThan(0);
    expect(failures.filter((what) => !IMPOSSIBLE.includes(what))).toEqual([]);
  });

  it.each(ALL_SPECS.map((file) => [path.relative(process.cwd(), file), file]))('%s: no operation is skipped for want of a valid value', async (_name, file) => {
    const suite = generateSpecSuite({ api: await SwaggerParser.dereference(file), specId: 'values', outDir: 'tests/values' });
    const skipped = suite.notes.filter((note) => note.includes('cannot build a valid value')).map((note) => note.split(':')[0]);
    expect(skipped.filter((id) => !IMPOSSIBLE.includes(`${id} body`))).toEqual([]);
  });

  it('builds strings from patterns, formats and limits, and the same seed gives the same value', () => {
    const cases: SchemaObject[] = [
      { type: 'string', pattern: '^PAT-[0-9]{6}$' },
      { type: 'string', pattern: '^usr_[a-z0-9]{12}$' },
      { type: 'string', pattern: '^[A-Z][A-Z0-9]{1,9}$', minLength: 4 },
      { type: 'string', format: 'email', maxLength: 40 },
      { type: 'string', format: 'uuid' },
      { type: 'string', format: 'date-time' },
      { type: 'string', format: 'date' },
      { type: 'string', format: 'uri' },
      { type: 'string', minLength: 12, maxLength: 12 },
      { type: 'integer', minimum: 10, maximum: 120, multipleOf: 5 },
      { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
      { type: 'array', items: { type: 'string', enum: ['a', 'b'] }, minItems: 2, uniqueItems: true },
      { oneOf: [{ type: 'object', required: ['kind', 'size'], properties: { kind: { const: 'box' }, size: { type: 'integer', minimum: 3 } } }, { type: 'string' }] },
      { type: 'object', required: ['id'], properties: { id: { type: 'string', readOnly: true, format: 'uuid' }, name: { type: 'string', nullable: true } } },
    ];
    for (const schema of cases) {
      const value = validRequestValue(schema, 'seed');
      expect({ schema, check: checkValue(schema, value) }).toEqual({ schema, check: { valid: true } });
      expect(validRequestValue(schema, 'seed')).toEqual(value);
    }
    expect(stringFromPattern('^PAT-[0-9]{6}$', seededRandom('a'))).toMatch(/^PAT-[0-9]{6}$/);
  });
});
