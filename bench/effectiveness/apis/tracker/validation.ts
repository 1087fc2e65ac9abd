import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { integerFromText } from '../types';
import type { FaultName } from './faults';

/**
 * The tracker's own input rules, written as a developer would for Ajv (not read from spec.yaml:
 * the API is an implementation of the spec, and its validation faults are rules it forgot).
 */

export const ROLES = ['developer', 'manager', 'viewer'] as const;
export const VISIBILITIES = ['private', 'internal', 'public'] as const;
export const ISSUE_TYPES = ['bug', 'task', 'story'] as const;
export const PRIORITIES = ['low', 'medium', 'high', 'critical'] as const;
export const STATUSES = ['open', 'closed'] as const;
export const RESOLUTIONS = ['fixed', 'wont-fix', 'duplicate'] as const;

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const ISSUE_KEY = /^([A-Z][A-Z0-9]{1,9})-([1-9][0-9]{0,6})$/;
const USER_ID = /^usr_[a-z0-9]{12}$/;
const PROJECT_KEY = /^[A-Z][A-Z0-9]{1,9}$/;

export type Validated<T> = { ok: true; value: T } | { ok: false; message: string };

export interface NewProject {
  key: string;
  name: string;
  description?: string;
  visibility?: (typeof VISIBILITIES)[number];
}

export interface NewIssue {
  title: string;
  description?: string;
  type: (typeof ISSUE_TYPES)[number];
  priority?: (typeof PRIORITIES)[number];
  assigneeId?: string;
  labels?: string[];
  dueDate?: string;
}

export interface IssueUpdate {
  title?: string;
  description?: string | null;
  priority?: (typeof PRIORITIES)[number];
  assigneeId?: string | null;
  labels?: string[];
  dueDate?: string | null;
}

export interface IssueQuery {
  status?: (typeof STATUSES)[number];
  priority?: (typeof PRIORITIES)[number];
  assigneeId?: string;
  limit?: number;
  after?: number;
}

export interface ProjectQuery {
  visibility?: (typeof VISIBILITIES)[number];
  limit?: number;
  after?: string;
}

const userId = { type: 'string', pattern: USER_ID.source };
const title = { type: 'string', minLength: 1, maxLength: 200 };
const labels = { type: 'array', maxItems: 10, uniqueItems: true, items: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,29}$' } };
const limit = { type: 'integer', minimum: 1, maximum: 100 };
const orNull = (schema: object) => ({ anyOf: [schema, { type: 'null' }] });

function schemas(fault: FaultName | undefined) {
  return {
    newProject: {
      type: 'object',
      required: ['key', 'name'],
      properties: {
        key: fault === 'key-pattern-unchecked' ? { type: 'string', minLength: 2, maxLength: 10 } : { type: 'string', pattern: PROJECT_KEY.source },
        name: { type: 'string', minLength: 1, maxLength: 80 },
        description: { type: 'string', maxLength: 2000 },
        visibility: fault === 'visibility-enum-unchecked' ? { type: 'string' } : { enum: VISIBILITIES },
      },
    },
    newIssue: {
      type: 'object',
      required: ['title', 'type'],
      properties: {
        title,
        description: { type: 'string', maxLength: 5000 },
        type: { enum: ISSUE_TYPES },
        priority: { enum: PRIORITIES },
        assigneeId: userId,
        labels,
        dueDate: { type: 'string', format: 'date' },
      },
    },
    issueUpdate: {
      type: 'object',
      minProperties: 1,
      additionalProperties: false,
      properties: {
        title,
        description: orNull({ type: 'string', maxLength: 5000 }),
        priority: { enum: PRIORITIES },
        assigneeId: orNull(userId),
        labels,
        dueDate: orNull({ type: 'string', format: 'date' }),
      },
    },
    closing: { type: 'object', required: ['resolution'], properties: { resolution: { enum: RESOLUTIONS } } },
    userQuery: { type: 'object', properties: { role: { enum: ROLES } } },
    projectQuery: { type: 'object', properties: { visibility: { enum: VISIBILITIES }, limit, after: { type: 'string', pattern: PROJECT_KEY.source } } },
    issueQuery: {
      type: 'object',
      properties: { status: { enum: STATUSES }, priority: { enum: PRIORITIES }, assigneeId: userId, limit, after: { type: 'integer', minimum: 0 } },
    },
  };
}

function describeErrors(validate: ValidateFunction): string {
  return (validate.errors ?? []).map((e) => `${e.instancePath.replace(/^\//, '') || 'body'} ${e.message ?? 'is invalid'}`).join('; ');
}

function checker<T>(validate: ValidateFunction, prepare: (input: unknown) => unknown = (input) => input): (input: unknown) => Validated<T> {
  return (input) => {
    const value = prepare(input);
    return validate(value) ? { ok: true, value: value as T } : { ok: false, message: describeErrors(validate) };
  };
}

/** The query with the named values as integers when written as such. */
const integers = (...names: string[]) => (query: unknown): unknown => {
  const copy = { ...(query as Record<string, unknown>) };
  for (const name of names) if (copy[name] !== undefined) copy[name] = integerFromText(copy[name]);
  return copy;
};

export function createValidators(fault: FaultName | undefined) {
  const ajv = new Ajv({ allErrors: true });
  addFormats(ajv, ['date']);
  const s = schemas(fault);
  return {
    newProject: checker<NewProject>(ajv.compile(s.newProject)),
    newIssue: checker<NewIssue>(ajv.compile(s.newIssue)),
    issueUpdate: checker<IssueUpdate>(ajv.compile(s.issueUpdate)),
    closing: checker<{ resolution: (typeof RESOLUTIONS)[number] }>(ajv.compile(s.closing)),
    userQuery: checker<{ role?: (typeof ROLES)[number] }>(ajv.compile(s.userQuery)),
    projectQuery: checker<ProjectQuery>(ajv.compile(s.projectQuery), integers('limit')),
    issueQuery: checker<IssueQuery>(ajv.compile(s.issueQuery), integers('limit', 'after')),
  };
}
