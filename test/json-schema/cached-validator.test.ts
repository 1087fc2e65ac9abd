/**
 * Validators of testloom's own schemas compiled once per machine: a later process evaluates the
 * source the first one wrote, gives the same verdicts and errors, and never builds an Ajv for it; a
 * damaged file is compiled again and replaced; a directory it cannot write only costs the compile.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { cachedValidator } from '../../lib/json-schema/cached-validator';

const SCHEMA = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: { name: { type: 'string', minLength: 2 }, url: { type: 'string', format: 'uri' }, tags: { type: 'array', items: { enum: ['a', 'b'] }, default: [] } },
};
const makeAjv = () => {
  const ajv = new Ajv2020({ allErrors: true, strict: true, useDefaults: true, code: { source: true } });
  addFormats(ajv);
  return ajv;
};
const verdict = (validate: ReturnType<typeof cachedValidator>, value: object) => {
  const copy = structuredClone(value);
  return { valid: validate(copy), value: copy, errors: validate.errors?.map((e) => [e.instancePath, e.keyword, e.message]) ?? null };
};
const CASES = [{ name: 'ok' }, { name: 'x', url: 'not a uri', extra: 1 }, { url: 'https://example.com', tags: ['c'] }];

describe('cachedValidator', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'testloom-validators-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('compiles once, writes the source, and a later call evaluates it with the same verdicts, errors and defaults', () => {
    let made = 0;
    const compiled = cachedValidator(SCHEMA, 'test', () => (made++, makeAjv()), dir);
    expect(made).toBe(1);
    expect(fs.readdirSync(dir)).toHaveLength(1);
    const cached = cachedValidator(SCHEMA, 'test', () => (made++, makeAjv()), dir);
    expect(made).toBe(1);
    expect(cached).not.toBe(compiled);
    for (const value of CASES) expect(verdict(cached, value)).toEqual(verdict(compiled, value));
    expect(verdict(cached, { name: 'ok' }).value).toEqual({ name: 'ok', tags: [] });
    // Another context (another document, other options) is another file.
    cachedValidator(SCHEMA, 'other', () => (made++, makeAjv()), dir);
    expect(made).toBe(2);
  });

  it('compiles a damaged file again and replaces it; an unwritable directory only costs the compile', () => {
    cachedValidator(SCHEMA, 'test', makeAjv, dir);
    const [file] = fs.readdirSync(dir);
    fs.writeFileSync(path.join(dir, file), 'module.exports = ');
    let made = 0;
    const validate = cachedValidator(SCHEMA, 'test', () => (made++, makeAjv()), dir);
    expect(made).toBe(1);
    expect(validate({ name: 'ok' })).toBe(true);
    expect(fs.readFileSync(path.join(dir, file), 'utf8')).toContain('function validate');

    const blocked = path.join(dir, 'a-file');
    fs.writeFileSync(blocked, '');
    const uncached = cachedValidator(SCHEMA, 'test', makeAjv, path.join(blocked, 'cache'));
    expect(uncached({ name: 'x' })).toBe(false);
  });

  it('refuses an Ajv made without its source kept', () => {
    expect(() => cachedValidator(SCHEMA, 'test', () => new Ajv2020(), dir)).toThrow('code: { source: true }');
  });
});
