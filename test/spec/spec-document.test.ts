import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { SpecInputError } from '../../lib/openapi/intake/errors';
import { parseSpecDocument } from '../../lib/openapi/intake/document';

describe('parseSpecDocument', () => {
  it('reads a spec in JSON as it reads the same spec in YAML: one document, one id', () => {
    const yaml = fs.readFileSync(path.join(__dirname, '../../examples/petstore.yaml'), 'utf8');
    const fromYaml = parseSpecDocument(yaml);
    const fromJson = parseSpecDocument(JSON.stringify(YAML.parse(yaml), null, 2));
    expect(fromJson.format).toBe('json');
    expect(fromJson.document).toEqual(fromYaml.document);
    expect(fromJson.id).toBe(fromYaml.id);
  });

  it('keeps colons, quotes and backslashes inside JSON strings as they are', () => {
    const text = JSON.stringify({ openapi: '3.0.3', info: { title: 'a:b "c:d" \\', version: '1' }, paths: { '/a:b': {}, '/c': { description: '\\":' } } });
    expect(parseSpecDocument(text).document).toEqual(JSON.parse(text));
  });

  it('refuses a JSON object with a repeated key, naming where, as for YAML', () => {
    const text = '{\n  "openapi": "3.0.3",\n  "info": {"title": "a", "version": "1", "title": "b"},\n  "paths": {}\n}';
    expect(() => parseSpecDocument(text)).toThrow(SpecInputError);
    expect(() => parseSpecDocument(text)).toThrow(/^spec: not valid JSON at line 3, column \d+: Map keys must be unique/);
  });

  it('refuses JSON nested deeper than it can read with a clear error', () => {
    const depth = 20_000;
    const text = `{"openapi": "3.0.3", "x": ${'['.repeat(depth)}${']'.repeat(depth)}}`;
    expect(() => parseSpecDocument(text)).toThrow(/^spec: not valid JSON at line 1, column \d+: Maximum call stack size exceeded/);
  });
});
