import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { dereferenceSpec } from '../../lib/openapi/dereference';
import { diffRevisions } from '../../lib/openapi/revision-diff';

const fixture = (name: string) => YAML.parse(fs.readFileSync(path.resolve(__dirname, '../fixtures/specs', name), 'utf8')) as Record<string, unknown>;
const dereferenced = async (document: Record<string, unknown>) => (await dereferenceSpec(structuredClone(document))) as object;

describe('what changed between two revisions of a spec', () => {
  it('names the operation added, the one changed (breaking: a query parameter became required) and the one removed', async () => {
    const changes = diffRevisions(await dereferenced(fixture('revisions/shop-v1.yaml')), await dereferenced(fixture('revisions/shop-v2.yaml')));
    expect(changes).toEqual({
      added: [{ operation: 'DELETE /pets/{petId}', operationId: 'deletePet', breaking: false, details: [] }],
      changed: [{ operation: 'GET /orders', operationId: 'listOrders', breaking: true, details: ['[Added] required status to required query parameter `status`'] }],
      removed: [{ operation: 'GET /legacy/report', operationId: 'getLegacyReport', breaking: true, details: [] }],
    });
  });

  it('finds nothing between a revision and itself, whatever its title and version say', async () => {
    const v1 = fixture('revisions/shop-v1.yaml');
    const renamed = { ...v1, info: { title: 'Renamed Shop', version: '9.9.9' } };
    expect(diffRevisions(await dereferenced(v1), await dereferenced(renamed))).toEqual({ added: [], changed: [], removed: [] });
  });

  it('tells a compatible change from a breaking one in a Swagger 2.0 spec (read through the operation model)', async () => {
    const before = fixture('inventory.swagger2.yaml');
    type Parameter = { name: string; required?: boolean; in: string; type?: string };
    const after = structuredClone(before) as { paths: Record<string, Record<string, { parameters?: Parameter[]; responses: Record<string, unknown> }>> };
    const [pathName, methods] = Object.entries(after.paths)[0];
    const [method, operation] = Object.entries(methods).find(([name]) => name !== 'parameters')!;
    operation.responses['418'] = { description: 'A new documented answer' };
    const changes = diffRevisions(await dereferenced(before), await dereferenced(after));
    expect(changes.added).toEqual([]);
    expect(changes.removed).toEqual([]);
    expect(changes.changed).toHaveLength(1);
    expect(changes.changed[0]).toMatchObject({ operation: `${method.toUpperCase()} ${pathName}`, breaking: false });
    expect(changes.changed[0].details.join(' ')).toContain('418');

    operation.parameters = [...(operation.parameters ?? []), { name: 'mustSend', in: 'query', type: 'string', required: true }];
    const breaking = diffRevisions(await dereferenced(before), await dereferenced(after));
    expect(breaking.changed[0].breaking).toBe(true);
  });

  it('compares recursive schemas without looping', async () => {
    const tree = (extra: Record<string, unknown>) => ({
      openapi: '3.0.3', info: { title: 'Tree', version: '1' },
      paths: { '/nodes': { get: { responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Node' } } } } } } } },
      components: { schemas: { Node: { type: 'object', properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: '#/components/schemas/Node' } }, ...extra } } } },
    });
    expect(diffRevisions(await dereferenced(tree({})), await dereferenced(tree({})))).toEqual({ added: [], changed: [], removed: [] });
    const changed = diffRevisions(await dereferenced(tree({})), await dereferenced(tree({ size: { type: 'integer' } })));
    expect(changed.changed.map((change) => change.operation)).toEqual(['GET /nodes']);
  });
});
