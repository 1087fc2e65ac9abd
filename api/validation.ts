import Ajv, { type ErrorObject, type JSONSchemaType } from 'ajv';
import addFormats from 'ajv-formats';
import { HttpError } from './errors';

const ajv = new Ajv({ allErrors: true, coerceTypes: false });
addFormats(ajv);

export interface StartRunBody {
  spec: { content?: string; path?: string; url?: string };
  repository?: string;
}

export const REPOSITORY_PATTERN = '^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$';

const startRunSchema: JSONSchemaType<StartRunBody> = {
  type: 'object',
  additionalProperties: false,
  required: ['spec'],
  properties: {
    spec: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      maxProperties: 1,
      properties: {
        content: { type: 'string', minLength: 1, nullable: true },
        path: { type: 'string', minLength: 1, nullable: true },
        url: { type: 'string', format: 'uri', nullable: true },
      },
    },
    repository: { type: 'string', pattern: REPOSITORY_PATTERN, nullable: true },
  },
};

export interface ListRunsQuery {
  status?: 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
  trigger?: 'spec' | 'issue';
  repository?: string;
  limit?: string;
  cursor?: string;
}

const listRunsSchema: JSONSchemaType<ListRunsQuery> = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: ['queued', 'running', 'completed', 'failed', 'cancelled'], nullable: true },
    trigger: { type: 'string', enum: ['spec', 'issue'], nullable: true },
    repository: { type: 'string', pattern: REPOSITORY_PATTERN, nullable: true },
    limit: { type: 'string', pattern: '^(100|[1-9][0-9]?)$', nullable: true },
    cursor: { type: 'string', minLength: 1, nullable: true },
  },
};

function describe(error: ErrorObject, root: string) {
  const base = [root, ...error.instancePath.split('/').filter(Boolean)].filter(Boolean).join('.');
  const field = error.keyword === 'additionalProperties' ? `${base ? base + '.' : ''}${error.params.additionalProperty}`
    : error.keyword === 'required' ? `${base ? base + '.' : ''}${error.params.missingProperty}` : base || root;
  const message =
    error.keyword === 'additionalProperties' ? 'is not a known field'
    : error.keyword === 'required' ? 'is required'
    : error.keyword === 'minProperties' || error.keyword === 'maxProperties' ? 'must have exactly one of content, path or url'
    : error.keyword === 'enum' ? `must be one of ${(error.params.allowedValues as string[]).join(', ')}`
    : error.keyword === 'pattern' && field.endsWith('limit') ? 'must be a whole number from 1 to 100'
    : error.keyword === 'pattern' ? `must match ${error.params.pattern}`
    : (error.message ?? 'is invalid');
  return { field, message };
}

function validator<T>(schema: JSONSchemaType<T>, root: string) {
  const validate = ajv.compile(schema);
  return (value: unknown): T => {
    if (validate(value)) return value;
    const details = (validate.errors ?? []).map((e) => describe(e, root));
    throw new HttpError(400, 'invalid_request', details.map((d) => `${d.field}: ${d.message}`).join('; '), details);
  };
}

export const parseStartRunBody = validator(startRunSchema, '');
export const parseListRunsQuery = validator(listRunsSchema, '');
