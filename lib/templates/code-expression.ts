/** Code placed verbatim by the literal helpers (e.g. a variable captured by an earlier request). */
export class CodeExpression {
  constructor(readonly code: string) {}
}

export function isCodeExpression(value: unknown): value is CodeExpression {
  return value instanceof CodeExpression;
}
