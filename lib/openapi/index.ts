export * from './operation';
export { listOperations, apiTitle, firstServerUrl, type SpecVersion } from './list-operations';
export { synthesizeOperationId, sanitizeOperationId } from './operation-id';
export { asSchema, objectShape, schemaTypes, schemaExample, isJsonMediaType, documentsMediaType, type SchemaObject, type ObjectShape } from './schema';
export { securityRequirements, type SecurityScheme, type SecurityRequirement, type CredentialKind } from './security';
