import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BUILTIN_TEMPLATES_DIR, createTemplateRenderer, TemplateNotFoundError, TEMPLATE_HELPERS } from '../../lib/templates';
import { CodeExpression, pyLiteral, pyQuote } from '../../lib/templates';
import { tsLiteral, tsQuote } from '../../lib/templates/ts-literal';

/** Evaluates a generated Python literal with python3's `ast.literal_eval` and returns it as JSON. */
function evaluatePython(literal: string): unknown {
  const script = 'import ast, json, sys; print(json.dumps(ast.literal_eval(sys.stdin.read())))';
  return JSON.parse(execFileSync('python3', ['-I', '-c', script], { input: literal, encoding: 'utf8' }));
}

/** Evaluates a generated literal the way the TypeScript it lands in would. */
function evaluate(literal: string): unknown {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- evaluating the generated literal as JavaScript is the point
  return new Function(`"use strict"; return (${literal});`)();
}

describe('createTemplateRenderer', () => {
  let overrideDir: string;
  beforeEach(async () => {
    overrideDir = await fs.mkdtemp(path.join(os.tmpdir(), 'testloom-templates-'));
  });
  afterEach(async () => {
    await fs.rm(overrideDir, { recursive: true, force: true });
  });

  test('resolves the built-in templates from the repository templates/ folder', () => {
    const renderer = createTemplateRenderer();
    expect(BUILTIN_TEMPLATES_DIR).toBe(path.resolve(__dirname, '../../templates'));
    expect(renderer.resolve('jest/helpers.ts')).toBe(path.join(BUILTIN_TEMPLATES_DIR, 'jest/helpers.ts.hbs'));
    expect(renderer.render('jest/tsconfig.json', {})).toContain('"strict": true');
  });

  test('searches the override directory first and falls back to the built-in templates', async () => {
    await fs.mkdir(path.join(overrideDir, 'docs'));
    await fs.writeFile(path.join(overrideDir, 'docs/test-cases.md.hbs'), 'custom {{title}}');
    const renderer = createTemplateRenderer({ overrideDir });
    expect(renderer.render('docs/test-cases.md', { title: 'Pets' })).toBe('custom Pets');
    expect(renderer.resolve('jest/helpers.ts')).toBe(path.join(BUILTIN_TEMPLATES_DIR, 'jest/helpers.ts.hbs'));
  });

  test('compiles each template once per renderer', async () => {
    const file = path.join(overrideDir, 'note.hbs');
    await fs.writeFile(file, 'first {{value}}');
    const renderer = createTemplateRenderer({ overrideDir });
    expect(renderer.render('note', { value: 1 })).toBe('first 1');
    await fs.writeFile(file, 'second {{value}}');
    expect(renderer.render('note', { value: 2 })).toBe('first 2');
    expect(createTemplateRenderer({ overrideDir }).render('note', { value: 3 })).toBe('second 3');
  });

  test('does not HTML-escape: generated code keeps <, > and &', async () => {
    await fs.writeFile(path.join(overrideDir, 'code.hbs'), 'const ok = {{expression}};');
    expect(createTemplateRenderer({ overrideDir }).render('code', { expression: 'a < b && c > "d"' })).toBe('const ok = a < b && c > "d";');
  });

  test('names a missing template and every searched directory', () => {
    const render = () => createTemplateRenderer({ overrideDir }).render('jest/nothing', {});
    expect(render).toThrow(TemplateNotFoundError);
    expect(render).toThrow(`template "jest/nothing.hbs" not found in ${overrideDir}, ${BUILTIN_TEMPLATES_DIR}`);
  });

  test('rejects names that would leave the template directories', () => {
    expect(() => createTemplateRenderer().render('../package.json', {})).toThrow(/invalid template name/);
    expect(() => createTemplateRenderer().render('/etc/passwd', {})).toThrow(/invalid template name/);
  });

  test('reports a template syntax error with its file', async () => {
    await fs.writeFile(path.join(overrideDir, 'broken.hbs'), '{{#each items}}unclosed');
    expect(() => createTemplateRenderer({ overrideDir }).render('broken', {})).toThrow(path.join(overrideDir, 'broken.hbs'));
  });
});

describe('template helpers', () => {
  const awkward = `it's "quoted" \\ back\nline\u2028sep \`tick\` \${x} */`;

  test('tsString and tsQuote produce literals that evaluate to the original text', () => {
    expect(TEMPLATE_HELPERS.tsString('a "b"')).toBe(`'a "b"'`);
    expect(evaluate(tsQuote(awkward))).toBe(awkward);
  });

  test('tsLiteral renders idiomatic TypeScript that evaluates to the same value', () => {
    const value = { method: 'POST', 'x-key': [1, 'two', null], nested: { list: [{ a: true }], empty: {}, none: [] }, text: awkward };
    const literal = tsLiteral(value, '  ');
    expect(evaluate(literal)).toEqual(value);
    expect(literal).toBe(
      [
        '{',
        "    method: 'POST',",
        "    'x-key': [1, 'two', null],",
        '    nested: {',
        '      list: [',
        '        {',
        '          a: true,',
        '        },',
        '      ],',
        '      empty: {},',
        '      none: [],',
        '    },',
        `    text: ${tsQuote(awkward)},`,
        '  }',
      ].join('\n'),
    );
  });

  test('pyString and pyLiteral produce Python literals that evaluate to the original value', () => {
    const withControl = `${awkward}\u0001\u007f"""'''`;
    expect(TEMPLATE_HELPERS.pyString('a "b"')).toBe('"a \\"b\\""');
    expect(evaluatePython(pyQuote(withControl))).toBe(withControl);
    const value = { method: 'POST', 'x-key': [1, 'two', null, true, false, 2.5], nested: { list: [{ a: true }], empty: {}, none: [] }, text: withControl };
    const literal = pyLiteral(value, '    ');
    expect(evaluatePython(literal)).toEqual(value);
    expect(literal.split('\n').slice(0, 3)).toEqual(['{', '        "method": "POST",', '        "x-key": [1, "two", None, True, False, 2.5],']);
  });

  test('code expressions are placed verbatim by both literal helpers', () => {
    const request = { path: '/pets/{petId}', pathParams: { petId: new CodeExpression('petId') } };
    expect(tsLiteral(request)).toBe("{\n  path: '/pets/{petId}',\n  pathParams: {\n    petId: petId,\n  },\n}");
    expect(pyLiteral(request)).toBe('{\n    "path": "/pets/{petId}",\n    "pathParams": {\n        "petId": petId,\n    },\n}');
  });

  test('json, indent, mdCell and mdCode', () => {
    expect(TEMPLATE_HELPERS.json({ a: [1] })).toBe('{\n  "a": [\n    1\n  ]\n}');
    expect(TEMPLATE_HELPERS.indent('{\n  "a": 1\n}', 4)).toBe('{\n      "a": 1\n    }');
    expect(TEMPLATE_HELPERS.mdCell('a | b\nc')).toBe('a \\| b c');
    expect(TEMPLATE_HELPERS.mdCode('GET /x')).toBe('`GET /x`');
    expect(TEMPLATE_HELPERS.mdCode('a `b` | c')).toBe('``a `b` \\| c``');
  });
});
