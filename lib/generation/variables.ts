const RESERVED = new Set(
  ('and as assert async await break case catch class const continue def del default delete do elif else enum except export extends ' +
    'false False finally for from function global if import in instanceof is lambda let new nonlocal not null None or pass raise ' +
    'return super switch this throw true True try typeof var void while with yield ' +
    // Names the generated tests use themselves: the helpers module, step responses and bodies.
    'api response body created read updated deleted gone source target self').split(' '),
);

/** A variable name valid in TypeScript and Python. */
export function variableName(name: string): string {
  let variable = name.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '') || 'value';
  if (/^\d/.test(variable)) variable = `v${variable}`;
  return RESERVED.has(variable) ? `${variable}_value` : variable;
}
