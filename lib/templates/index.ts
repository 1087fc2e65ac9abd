export { createTemplateRenderer, BUILTIN_TEMPLATES_DIR, TEMPLATE_EXTENSION, TemplateNotFoundError } from './renderer';
export type { TemplateRenderer, TemplateRendererOptions } from './renderer';
export { TEMPLATE_HELPERS, registerTemplateHelpers } from './helpers';
export { CodeExpression } from './code-expression';
export { pyLiteral, pyQuote } from './py-literal';
export { tsLiteral, tsQuote } from './ts-literal';
