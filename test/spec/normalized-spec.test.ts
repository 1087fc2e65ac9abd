import fs from 'node:fs';
import SwaggerParser from '@apidevtools/swagger-parser';
import { dereferenceSpec, normalizeSpec, readNormalizedSpec, SpecValidationError } from '../../lib/openapi/dereference';
import { parseSpecDocument } from '../../lib/openapi/intake/document';
import { listOperations } from '../../lib/openapi';
import { SPECS } from '../generation/spec-fixtures';

/** A schema that contains itself, directly and through another: the form cannot be plain JSON without refs. */
const RECURSIVE = `openapi: 3.0.3
info: {title: Tree, version: '1'}
paths:
  /nodes:
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Node'}
      responses:
        '201':
          description: created
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Node'}
components:
  schemas:
    Node:
      type: object
      required: [name]
      properties:
        name: {type: string, maxLength: 20}
        children: {type: array, items: {$ref: '#/components/schemas/Node'}}
        owner: {$ref: '#/components/schemas/Person'}
    Person:
      type: object
      properties:
        name: {type: string}
        manages: {$ref: '#/components/schemas/Node'}
`;

const documents: [string, string][] = [
  ...Object.entries(SPECS).map(([name, file]) => [name, fs.readFileSync(file, 'utf8')] as [string, string]),
  ['recursive', RECURSIVE],
];

describe('the spec normalised once at receive', () => {
  it.each(documents)('%s: the stored form reads back as the same dereferenced document', async (_name, text) => {
    const { document } = parseSpecDocument(text);
    const validated = await dereferenceSpec(document);
    const { api, normalized } = await normalizeSpec(document);
    const reread = await readNormalizedSpec(normalized);

    expect(() => JSON.parse(normalized)).not.toThrow();
    expect(reread).toEqual(validated);
    expect(api).toEqual(validated);
    expect(listOperations(reread)).toEqual(listOperations(validated));
  });

  it('keeps cycles as internal refs in the stored form and links them again when read', async () => {
    const { normalized } = await normalizeSpec(parseSpecDocument(RECURSIVE).document);
    expect(normalized).toContain('"$ref":"#/components/schemas/Node"');
    const api = (await readNormalizedSpec(normalized)) as any;
    const node = api.components.schemas.Node;
    expect(node.properties.children.items).toBe(node);
    expect(node.properties.owner.properties.manages).toBe(node);
  });
});

/** Each version's schema broken in one place, and a Swagger 2.0 document that breaks a rule beyond its schema. */
const INVALID: [string, string][] = [
  ['3.0 with a bad parameter', 'openapi: 3.0.3\ninfo: {title: T, version: "1"}\npaths:\n  /a:\n    get:\n      parameters: [{name: x, in: nowhere}]\n      responses: {"200": {description: ok}}\n'],
  ['3.0 with no responses', 'openapi: 3.0.3\ninfo: {title: T, version: "1"}\npaths:\n  /a:\n    get: {summary: x}\n'],
  ['3.1 with a bad info', 'openapi: 3.1.0\ninfo: {title: 5}\npaths: {}\n'],
  ['2.0 with a bad type', 'swagger: "2.0"\ninfo: {title: T, version: "1"}\npaths:\n  /a:\n    get:\n      parameters: [{name: x, in: query, type: nothing}]\n      responses: {"200": {description: ok}}\n'],
  ['2.0 with a path parameter it does not declare', 'swagger: "2.0"\ninfo: {title: T, version: "1"}\npaths:\n  /a/{id}:\n    get:\n      responses: {"200": {description: ok}}\n'],
];

describe('validation, compiled once per process', () => {
  it.each(INVALID)('%s: refused with the message SwaggerParser gives', async (_name, text) => {
    const { document } = parseSpecDocument(text);
    const theirs = await SwaggerParser.validate(structuredClone(document) as never).then(() => 'accepted', (err: Error) => err.message);
    expect(theirs).not.toBe('accepted');
    await expect(dereferenceSpec(document)).rejects.toThrow(new SpecValidationError(`invalid OpenAPI document: ${theirs}`));
    await expect(normalizeSpec(document)).rejects.toThrow(`invalid OpenAPI document: ${theirs}`);
  });

  it.each(documents)('%s: accepted as SwaggerParser accepts it, to the same document', async (_name, text) => {
    const { document } = parseSpecDocument(text);
    expect(await dereferenceSpec(document)).toEqual(await SwaggerParser.validate(structuredClone(document) as never));
  });
});
