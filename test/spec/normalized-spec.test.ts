import fs from 'node:fs';
import { dereferenceSpec, normalizeSpec, readNormalizedSpec } from '../../lib/openapi/dereference';
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
