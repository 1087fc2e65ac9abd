import { ResponseBodyChecker } from '../../lib/execution/response-check';

describe('checking a response body against its documented schema', () => {
  const price = { type: 'object', required: ['amount'], properties: { amount: { type: 'number', nullable: true, exclusiveMinimum: true, minimum: 0 }, id: { type: 'integer', format: 'int32' } } };

  test('OpenAPI 3.0: nullable admits null, a boolean exclusiveMinimum bounds the value, int32 is checked', () => {
    const checker = new ResponseBodyChecker('openapi30');
    expect(checker.check(price, '{"amount":null}')).toEqual({ valid: true });
    expect(checker.check(price, '{"amount":0}')).toEqual({ valid: false, errors: ['/amount must be > 0'] });
    expect(checker.check(price, '{"amount":1,"id":4294967296}')).toEqual({ valid: false, errors: ['/id must match format "int32"'] });
    expect(checker.check(price, 'not json')).toMatchObject({ valid: false, errors: [expect.stringMatching(/^the body is not JSON: /)] });
  });

  test('OpenAPI 3.1: the schema is JSON Schema 2020-12 (type arrays, prefixItems)', () => {
    const checker = new ResponseBodyChecker('openapi31');
    const schema = { type: 'object', properties: { tag: { type: ['string', 'null'] }, pair: { type: 'array', prefixItems: [{ type: 'string' }], items: { type: 'number' } } } };
    expect(checker.check(schema, '{"tag":null,"pair":["a",1]}')).toEqual({ valid: true });
    expect(checker.check(schema, '{"tag":3,"pair":["a","b"]}')).toEqual({ valid: false, errors: ['/tag must be string,null', '/pair/1 must be number'] });
  });

  test('a recursive (dereferenced, cyclic) schema is left unchecked with the reason', () => {
    const node: Record<string, unknown> = { type: 'object', properties: {} };
    (node.properties as Record<string, unknown>).child = node;
    expect(new ResponseBodyChecker('openapi30').check(node, '{"child":{}}')).toEqual({ valid: 'unchecked', reason: 'the documented schema is recursive' });
  });
});
