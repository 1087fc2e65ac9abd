import { listOperations, sanitizeOperationId, synthesizeOperationId, type Operation } from '../../lib/openapi';
import { loadSpec } from './spec-fixtures';

function byId(operations: Operation[], operationId: string): Operation {
  const operation = operations.find((op) => op.operationId === operationId);
  if (!operation) throw new Error(`no operation ${operationId} in ${operations.map((op) => op.operationId).join(', ')}`);
  return operation;
}

describe('listOperations on OpenAPI 3.0 (petstore)', () => {
  let operations: Operation[];
  beforeAll(async () => {
    operations = listOperations(await loadSpec('petstore'));
  });

  test('lists every operation sorted by path then method', () => {
    expect(operations.map((op) => `${op.method} ${op.path} ${op.operationId}`)).toEqual([
      'get /pets listPets',
      'post /pets createPet',
      'get /pets/{petId} showPetById',
      'delete /pets/{petId} deletePet',
    ]);
  });

  test('normalizes parameters, request body and responses', () => {
    const listPets = byId(operations, 'listPets');
    expect(listPets).toMatchObject({ summary: 'List all pets', tags: ['pets'], security: false, notes: [] });
    expect(listPets.parameters).toEqual([
      { name: 'limit', in: 'query', required: false, schema: expect.objectContaining({ type: 'integer', minimum: 1, maximum: 100 }) },
    ]);
    expect(listPets.requestBody).toBeUndefined();
    expect(listPets.responses.map((r) => [r.status, r.mediaType, r.schema?.type])).toEqual([
      ['200', 'application/json', 'array'],
      ['400', 'application/json', 'object'],
    ]);

    const createPet = byId(operations, 'createPet');
    expect(createPet.requestBody).toEqual({
      required: true,
      mediaType: 'application/json',
      schema: expect.objectContaining({ required: ['name'] }),
      example: { name: 'Rex', tag: 'dog' },
    });

    const showPetById = byId(operations, 'showPetById');
    expect(showPetById.parameters).toEqual([
      { name: 'petId', in: 'path', required: true, schema: expect.objectContaining({ type: 'integer' }), example: 1 },
    ]);
    expect(byId(operations, 'deletePet').responses).toEqual([
      { status: '204', description: 'Pet deleted' },
      { status: '400', description: 'Invalid id' },
      { status: '404', description: 'Pet not found' },
    ]);
  });
});

describe('listOperations on Swagger 2.0', () => {
  let operations: Operation[];
  beforeAll(async () => {
    operations = listOperations(await loadSpec('swagger2'));
  });

  test('synthesizes missing operationIds and sanitizes invalid ones, with a note', () => {
    expect(operations.map((op) => op.operationId)).toEqual(['health', 'listItems', 'createItem', 'getItemsBySku', 'deleteItem', 'uploadPhoto']);
    expect(byId(operations, 'getItemsBySku').notes).toEqual(['no operationId in the spec: using "getItemsBySku"']);
    expect(byId(operations, 'createItem').notes).toEqual(['operationId "create-item" renamed to "createItem" (not a valid, unique identifier)']);
  });

  test('turns parameter-level type keywords into schemas and collectionFormat into arrayStyle', () => {
    expect(byId(operations, 'listItems').parameters).toEqual([
      { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1 } },
      { name: 'tag', in: 'query', required: true, schema: { type: 'array', items: { type: 'string' } }, example: ['blue', 'red'], arrayStyle: 'multi' },
      { name: 'X-Request-Id', in: 'header', required: true, schema: { type: 'string' } },
    ]);
    expect(byId(operations, 'getItemsBySku').parameters).toEqual([{ name: 'sku', in: 'path', required: true, schema: { type: 'string' } }]);
  });

  test('maps the body parameter to a request body with the consumed media type', () => {
    const createItem = byId(operations, 'createItem');
    expect(createItem.parameters).toEqual([]);
    expect(createItem.requestBody).toEqual({
      required: true,
      mediaType: 'application/json',
      schema: expect.objectContaining({ required: ['sku', 'quantity'] }),
    });
    expect(createItem.responses.map((r) => [r.status, r.mediaType])).toEqual([
      ['201', 'application/json'],
      ['400', undefined],
    ]);
  });

  test('models formData as a form body with a note instead of parameters', () => {
    const uploadPhoto = byId(operations, 'uploadPhoto');
    expect(uploadPhoto.parameters.map((p) => p.name)).toEqual(['sku']);
    expect(uploadPhoto.requestBody).toMatchObject({ required: true, mediaType: 'multipart/form-data' });
    expect(uploadPhoto.notes).toEqual(['formData parameters "file" modelled as a multipart/form-data body; form bodies are not generated']);
  });

  test('marks operations with a security requirement', () => {
    expect(operations.filter((op) => op.security).map((op) => op.operationId)).toEqual(['deleteItem']);
  });
});

describe('listOperations on OpenAPI 3.1', () => {
  let operations: Operation[];
  beforeAll(async () => {
    operations = listOperations(await loadSpec('openapi31'));
  });

  test('lists path operations only (webhooks are not callable)', () => {
    expect(operations.map((op) => op.operationId)).toEqual(['searchUsers', 'createUser', 'getUser', 'updateUser']);
  });

  test('takes examples from media-type `examples`, parameter `example` and 3.1 schema `examples`', () => {
    expect(byId(operations, 'createUser').requestBody?.example).toEqual({ email: 'ada@example.com', nickname: null, age: 36 });
    expect(byId(operations, 'searchUsers').parameters.map((p) => [p.name, p.required, p.example])).toEqual([
      ['q', true, 'ada'],
      ['active', false, true],
    ]);
    expect(byId(operations, 'getUser').parameters.map((p) => [p.name, p.example])).toEqual([['userId', 7]]);
  });

  test('keeps non-default JSON media types and range statuses', () => {
    const updateUser = byId(operations, 'updateUser');
    expect(updateUser.requestBody).toMatchObject({ required: false, mediaType: 'application/merge-patch+json' });
    expect(updateUser.responses.map((r) => r.status)).toEqual(['2XX']);
  });

  test('ignores Authorization header parameters and honours an empty operation security override', () => {
    const getUser = byId(operations, 'getUser');
    expect(getUser.parameters.map((p) => p.name)).toEqual(['userId']);
    expect(getUser.notes).toEqual(['header parameter "Authorization" ignored: OpenAPI 3 ignores Accept, Content-Type and Authorization parameters']);
    expect(operations.map((op) => [op.operationId, op.security])).toEqual([
      ['searchUsers', false],
      ['createUser', true],
      ['getUser', true],
      ['updateUser', true],
    ]);
  });
});

describe('operation ids', () => {
  test('synthesized from method and path as valid identifiers', () => {
    expect(synthesizeOperationId('get', '/pets/{petId}/photos')).toBe('getPetsByPetIdPhotos');
    expect(synthesizeOperationId('post', '/')).toBe('postRoot');
    expect(synthesizeOperationId('get', '/v1/user-profiles/{profile_id}')).toBe('getV1UserProfilesByProfileId');
  });

  test('declared ids that are not identifiers are camel-cased; reserved words get a suffix', () => {
    expect(sanitizeOperationId('listPets')).toBe('listPets');
    expect(sanitizeOperationId('list_pets')).toBe('list_pets');
    expect(sanitizeOperationId('pets.list')).toBe('petsList');
    expect(sanitizeOperationId('2fa-verify')).toBe('op2faVerify');
    expect(sanitizeOperationId('delete')).toBe('deleteOperation');
  });

  test('duplicates get numeric suffixes while unchanged declared ids keep their name', () => {
    const api = {
      openapi: '3.0.3',
      info: { title: 't', version: '1' },
      paths: {
        '/a': { get: { operationId: 'get-b', responses: {} } },
        '/b': { get: { responses: {} }, post: { operationId: 'getB', responses: {} } },
        '/c': { get: { operationId: 'getB', responses: {} } },
      },
    };
    expect(listOperations(api).map((op) => `${op.method} ${op.path} ${op.operationId}`)).toEqual([
      'get /a getB2',
      'get /b getB3',
      'post /b getB',
      'get /c getB4',
    ]);
  });

  test('rejects documents that are not OpenAPI 3.x or Swagger 2.0', () => {
    expect(() => listOperations({ swagger: '1.2' })).toThrow(/unsupported API description/);
  });
});

describe('security requirements and links', () => {
  test('resolve the schemes of each requirement (Swagger 2.0 securityDefinitions, OpenAPI 3 securitySchemes)', async () => {
    const swagger = listOperations(await loadSpec('swagger2'));
    expect(byId(swagger, 'deleteItem').securityRequirements).toEqual([
      [{ name: 'apiKey', kind: 'apiKey', in: 'header', parameterName: 'X-Api-Key', declared: 'apiKey in header "X-Api-Key"' }],
    ]);
    expect(byId(swagger, 'listItems').securityRequirements).toEqual([]);
    const openapi31 = listOperations(await loadSpec('openapi31'));
    expect(byId(openapi31, 'getUser').securityRequirements).toEqual([[{ name: 'bearer', kind: 'bearer', declared: 'http bearer' }]]);
    expect(byId(openapi31, 'searchUsers').securityRequirements).toEqual([]);
  });

  test('map OAuth 2 to bearer tokens and mark schemes the helpers cannot send', () => {
    const api = {
      openapi: '3.0.3',
      info: { title: 'Auth', version: '1' },
      components: {
        securitySchemes: {
          oauth: { type: 'oauth2', flows: {} },
          digest: { type: 'http', scheme: 'digest' },
          tls: { type: 'mutualTLS' },
        },
      },
      paths: { '/a': { get: { operationId: 'a', security: [{ oauth: ['read'] }, { digest: [], tls: [] }], responses: { '200': { description: 'ok' } } } } },
    };
    expect(listOperations(api)[0].securityRequirements).toEqual([
      [{ name: 'oauth', kind: 'bearer', declared: 'oauth2' }],
      [
        { name: 'digest', kind: 'unsupported', declared: 'http digest' },
        { name: 'tls', kind: 'unsupported', declared: 'mutualTLS' },
      ],
    ]);
  });

  test('keeps OpenAPI 3 response links with their target and parameters', async () => {
    const operations = listOperations(await loadSpec('links'));
    expect(byId(operations, 'getUserByName').responses.find((r) => r.status === '200')?.links).toEqual([
      { name: 'userRepositories', operationId: 'getRepositoriesByOwner', parameters: { username: '$response.body#/username' } },
    ]);
  });
});
