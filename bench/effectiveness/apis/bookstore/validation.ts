import Ajv, { type ValidateFunction } from 'ajv';
import type { FaultName } from './faults';

/**
 * The sample API's own input rules, written as a developer would for Ajv (not read from spec.yaml:
 * the API is an implementation of the spec, and its validation faults are rules it forgot).
 */

export const GENRES = ['fiction', 'non-fiction', 'science', 'children'] as const;

export type Validated<T> = { ok: true; value: T } | { ok: false; message: string };

export interface NewBook {
  title: string;
  author: string;
  price: number;
  genre: (typeof GENRES)[number];
  stock?: number;
}

export interface NewOrder {
  bookId: number;
  quantity: number;
}

export interface BookQuery {
  limit?: number;
  offset?: number;
  genre?: string;
  author?: string;
}

function newBookSchema(fault: FaultName | undefined): object {
  return {
    type: 'object',
    required: fault === 'title-not-required' ? ['author', 'price', 'genre'] : ['title', 'author', 'price', 'genre'],
    properties: {
      title: { type: 'string', minLength: 1, ...(fault === 'title-max-length' ? {} : { maxLength: 100 }) },
      author: { type: 'string', minLength: 1, maxLength: 60 },
      price: { type: 'number', minimum: 0, maximum: 1000 },
      genre: { enum: GENRES },
      stock: { type: 'integer', minimum: 0, maximum: 10000 },
    },
  };
}

const NEW_ORDER_SCHEMA = {
  type: 'object',
  required: ['bookId', 'quantity'],
  properties: {
    bookId: { type: 'integer', minimum: 1 },
    quantity: { type: 'integer', minimum: 1, maximum: 10 },
  },
};

function bookQuerySchema(fault: FaultName | undefined): object {
  return {
    type: 'object',
    properties: {
      // The faulty API caps an oversized limit later instead of rejecting it.
      limit: { type: 'integer', minimum: 1, ...(fault === 'limit-maximum' ? {} : { maximum: 50 }) },
      offset: { type: 'integer', minimum: 0 },
      genre: fault === 'genre-filter-unvalidated' ? { type: 'string' } : { enum: GENRES },
      author: { type: 'string', minLength: 1, maxLength: 60 },
    },
  };
}

/** A query or path value as an integer when it is written as one, else unchanged (so the schema rejects it). */
export function integerFromText(raw: unknown): unknown {
  return typeof raw === 'string' && /^-?\d+$/.test(raw) ? Number(raw) : raw;
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

export function createValidators(fault: FaultName | undefined) {
  const ajv = new Ajv({ allErrors: true });
  return {
    newBook: checker<NewBook>(ajv.compile(newBookSchema(fault))),
    newOrder: checker<NewOrder>(ajv.compile(NEW_ORDER_SCHEMA)),
    bookQuery: checker<BookQuery>(ajv.compile(bookQuerySchema(fault)), (query) => {
      const { limit, offset, ...rest } = query as Record<string, unknown>;
      return {
        ...rest,
        ...(limit === undefined ? {} : { limit: integerFromText(limit) }),
        ...(offset === undefined ? {} : { offset: integerFromText(offset) }),
      };
    }),
  };
}

/** A path id: a positive integer, else undefined (400). */
export function parseId(raw: unknown): number | undefined {
  const value = integerFromText(raw);
  return typeof value === 'number' && value >= 1 ? value : undefined;
}
