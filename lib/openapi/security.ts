import { optionalString, specArray, specObject, type SpecObject } from './spec-object';

/** How a security scheme puts credentials on a request; `unsupported` schemes (e.g. mutual TLS) get no auth cases. */
export type CredentialKind = 'apiKey' | 'bearer' | 'basic' | 'unsupported';

export interface SecurityScheme {
  /** The scheme's key in `components.securitySchemes` / `securityDefinitions`. */
  name: string;
  kind: CredentialKind;
  /** apiKey only. */
  in?: 'header' | 'query' | 'cookie';
  /** apiKey only: the header, query or cookie name. */
  parameterName?: string;
  /** The declared type (and scheme), e.g. `http bearer`, `oauth2`, for documents and notes. */
  declared: string;
}

/** Alternatives: a request is authorized when it satisfies every scheme of one requirement. */
export type SecurityRequirement = SecurityScheme[];

function toScheme(name: string, raw: SpecObject): SecurityScheme {
  const type = optionalString(raw.type) ?? 'unknown';
  if (type === 'apiKey') {
    const location = raw.in;
    const parameterName = optionalString(raw.name);
    if ((location === 'header' || location === 'query' || location === 'cookie') && parameterName) {
      return { name, kind: 'apiKey', in: location, parameterName, declared: `apiKey in ${location} "${parameterName}"` };
    }
    return { name, kind: 'unsupported', declared: 'apiKey without a valid location and name' };
  }
  if (type === 'basic') return { name, kind: 'basic', declared: 'basic' };
  if (type === 'http') {
    const scheme = (optionalString(raw.scheme) ?? '').toLowerCase();
    if (scheme === 'bearer' || scheme === 'basic') return { name, kind: scheme, declared: `http ${scheme}` };
    return { name, kind: 'unsupported', declared: `http ${scheme || '(no scheme)'}` };
  }
  // OAuth 2 and OpenID Connect access tokens travel as bearer tokens.
  if (type === 'oauth2' || type === 'openIdConnect') return { name, kind: 'bearer', declared: type };
  return { name, kind: 'unsupported', declared: type };
}

/**
 * The security requirements that apply to an operation (its own `security`, else the document's),
 * with each scheme resolved from `components.securitySchemes` (OpenAPI 3) or `securityDefinitions`
 * (Swagger 2.0). Empty when the operation needs no credentials or allows anonymous access.
 */
export function securityRequirements(operationSecurity: unknown, document: SpecObject): SecurityRequirement[] {
  const requirements = specArray(operationSecurity === undefined ? document.security : operationSecurity).map(specObject);
  if (!requirements.length || requirements.some((requirement) => Object.keys(requirement).length === 0)) return [];
  const definitions = specObject(specObject(document.components).securitySchemes ?? document.securityDefinitions);
  return requirements.map((requirement) =>
    Object.keys(requirement).map((name) =>
      definitions[name] === undefined ? { name, kind: 'unsupported' as const, declared: 'undeclared scheme' } : toScheme(name, specObject(definitions[name])),
    ),
  );
}
