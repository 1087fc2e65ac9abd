import type { SchemaObject } from './schema';
import type { SecurityRequirement } from './security';

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export type ParameterLocation = 'path' | 'query' | 'header' | 'cookie';

/** How an array parameter is written: `multi` repeats the name (`a=1&a=2`), the others join values with `,` ` ` `\t` `|`. */
export type ArrayStyle = 'multi' | 'csv' | 'ssv' | 'tsv' | 'pipes';

export interface OperationParameter {
  name: string;
  in: ParameterLocation;
  required: boolean;
  schema: SchemaObject;
  example?: unknown;
  /** Only for array-typed parameters. */
  arrayStyle?: ArrayStyle;
}

export interface OperationRequestBody {
  required: boolean;
  mediaType: string;
  schema: SchemaObject;
  example?: unknown;
}

export interface OperationResponse {
  /** As documented: `'200'`, `'2XX'` or `'default'`. */
  status: string;
  description?: string;
  /** Absent when the response documents no body. */
  mediaType?: string;
  /** Every media type its content documents (OpenAPI 3); absent when it documents none. */
  mediaTypes?: string[];
  schema?: SchemaObject;
  /** Names of the documented response headers, as written (`Location`); absent when none are. */
  headers?: string[];
  /** OpenAPI 3 links: operations callable with values from this response. */
  links?: OperationLink[];
}

export interface OperationLink {
  name: string;
  /** The target's operationId as written in the spec (links by `operationRef` are not followed). */
  operationId: string;
  /** Target parameter name → runtime expression or constant, e.g. `$response.body#/id`. */
  parameters: Record<string, unknown>;
}

/** One API operation, the same shape whatever the spec version (OpenAPI 3.0/3.1, Swagger 2.0). */
export interface Operation {
  /** The spec's operationId, or one synthesized from method and path; always a unique, valid identifier. */
  operationId: string;
  method: HttpMethod;
  path: string;
  summary?: string;
  tags: string[];
  parameters: OperationParameter[];
  requestBody?: OperationRequestBody;
  responses: OperationResponse[];
  /** True when every applicable security requirement needs credentials. */
  security: boolean;
  /** The applicable requirements (alternatives) with their schemes; empty when `security` is false. */
  securityRequirements: SecurityRequirement[];
  /** What normalization changed or left out (e.g. a sanitized operationId). */
  notes: string[];
}
