import { generateSpecSuite, type GeneratedSuite, type TestCase } from '../../lib/generation';
import { listOperations as listOperationsForTest } from '../../lib/openapi';
import { loadSpec } from './spec-fixtures';

function idsByKind(cases: TestCase[]): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const testCase of cases) (result[testCase.kind] ??= []).push(testCase.id);
  return result;
}

describe('spec-driven cases on petstore', () => {
  let suite: GeneratedSuite;
  beforeAll(async () => {
    suite = generateSpecSuite({ api: await loadSpec('petstore'), specId: 'petstore', outDir: 'out' });
  });

  test('generates exactly these case ids per kind', () => {
    expect(idsByKind(suite.cases)).toEqual({
      'happy-path': ['listPets/happy-path', 'createPet/happy-path', 'showPetById/happy-path', 'deletePet/happy-path'],
      'missing-required': ['createPet/missing-required/body', 'createPet/missing-required/body.name'],
      'wrong-type': [
        'listPets/wrong-type/query.limit', 'createPet/wrong-type/body.name', 'createPet/wrong-type/body.tag',
        'showPetById/wrong-type/path.petId', 'deletePet/wrong-type/path.petId',
      ],
      boundary: [
        'listPets/boundary/query.limit.minimum-1', 'listPets/boundary/query.limit.maximum+1',
        'createPet/boundary/body.name.minLength-1', 'createPet/boundary/body.name.maxLength+1',
      ],
      'at-boundary': [
        'listPets/at-boundary/query.limit.minimum', 'listPets/at-boundary/query.limit.maximum',
        'createPet/at-boundary/body.name.minLength', 'createPet/at-boundary/body.name.maxLength',
      ],
      'crud-sequence': ['createPet/crud-sequence'],
      'not-found': ['showPetById/not-found/path.petId', 'deletePet/not-found/path.petId'],
      'required-only': ['createPet/required-only'],
    });
  });

  test('the CRUD sequence creates, reads, deletes and reads again by the id the create returned', () => {
    const crud = suite.cases.find((c) => c.kind === 'crud-sequence');
    expect(crud?.steps?.map((s) => [s.name, s.operationId, s.expectedStatus, s.capture, s.bind])).toEqual([
      ['created', 'createPet', '201', { petId: '/id' }, undefined],
      ['read', 'showPetById', '200', undefined, { petId: 'petId' }],
      ['deleted', 'deletePet', '204', undefined, { petId: 'petId' }],
      ['gone', 'showPetById', '404', undefined, { petId: 'petId' }],
    ]);
  });

  test('the delete happy path deletes a pet it created, not the spec example', () => {
    const happy = suite.cases.find((c) => c.id === 'deletePet/happy-path');
    expect(happy).toMatchObject({ title: 'returns 204 for a valid request on a resource created by createPet', expectedStatus: '204' });
    expect(happy?.steps?.map((s) => [s.operationId, s.request.pathParams, s.bind])).toEqual([
      ['createPet', {}, undefined],
      ['deletePet', {}, { petId: 'petId' }],
    ]);
    const tests = suite.artifacts.find((a) => a.path === 'out/pets.test.ts')?.content ?? '';
    expect(tests).not.toMatch(/method: 'DELETE',\n\s+path: '\/pets\/\{petId\}',\n\s+pathParams: \{\n\s+petId: 1,/);
  });
});

describe('spec-driven cases on a larger real-world spec (ReadMe API, 36 operations)', () => {
  let suite: GeneratedSuite;
  let operationIds: string[];
  beforeAll(async () => {
    const api = await loadSpec('readme');
    suite = generateSpecSuite({ api, specId: 'readme', outDir: 'out' });
    operationIds = listOperationsForTest(api).map((op) => op.operationId);
  });

  test('case counts per kind', () => {
    const counts: Record<string, number> = {};
    for (const testCase of suite.cases) counts[testCase.kind] = (counts[testCase.kind] ?? 0) + 1;
    expect(counts).toEqual({
      'happy-path': 34, 'missing-required': 24, 'wrong-type': 68, boundary: 28, 'at-boundary': 12, 'missing-auth': 31, 'invalid-auth': 31, 'not-found': 19, 'required-only': 11,
    });
    expect(suite.cases).toHaveLength(258);
  });

  test('every operation is covered or listed in the notes with the reason', () => {
    const covered = new Set(suite.cases.map((c) => c.operationId));
    const uncovered = operationIds.filter((id) => !covered.has(id));
    expect(uncovered).toEqual(['uploadAPISpecification', 'updateAPISpecification']);
    for (const id of uncovered) expect(suite.notes).toContain(`${id}: skipped: request body media type multipart/form-data is not generated (JSON bodies only)`);
    expect(suite.notes).toContain('createCategory: no CRUD sequence: the 201 response documents no "slug" or "id" property to read the created id from');
  });

  test('secured operations get missing and invalid credentials cases; valid requests read the credential from the environment', () => {
    expect(suite.cases.filter((c) => c.operationId === 'getCategory').map((c) => [c.id, c.expectedStatus, c.request.auth])).toEqual([
      ['getCategory/happy-path', '200', { credentials: 'valid', schemes: ['apiKey'] }],
      ['getCategory/missing-auth', '401|403', { credentials: 'missing', schemes: ['apiKey'] }],
      ['getCategory/invalid-auth/apiKey', '401|403', { credentials: 'invalid', schemes: ['apiKey'] }],
      ['getCategory/not-found/path.slug', '404', { credentials: 'valid', schemes: ['apiKey'] }],
    ]);
    expect(suite.cases.some((c) => c.operationId === 'getAPIRegistry' && c.kind.endsWith('-auth'))).toBe(false);
    const readme = suite.artifacts.find((a) => a.path === 'out/README.md')?.content;
    expect(readme).toContain('| `API_AUTH_API_KEY` | Credential for security scheme `apiKey` (http basic), as `user:password`.');
    const settings = suite.artifacts.find((a) => a.path === 'out/suite-settings.json')?.content;
    expect(JSON.parse(settings!).securitySchemes).toEqual({ apiKey: { kind: 'basic', env: 'API_AUTH_API_KEY' } });
  });
});

describe('spec-driven cases from OpenAPI links', () => {
  test('follows each link from a success response with the values it names', async () => {
    const suite = generateSpecSuite({ api: await loadSpec('links'), specId: 'links', outDir: 'out' });
    const links = suite.cases.filter((c) => c.kind === 'link-sequence');
    expect(links.map((c) => c.id)).toEqual([
      'getRepositoriesByOwner/link-sequence/userRepository',
      'getRepository/link-sequence/repositoryPullRequests',
      'getPullRequestsById/link-sequence/pullRequestMerge',
      'getUserByName/link-sequence/userRepositories',
    ]);
    const first = links[0].steps ?? [];
    expect(first.map((s) => [s.operationId, s.capture, s.bind])).toEqual([
      ['getRepositoriesByOwner', { username: '/owner/username', slug: '/slug' }, undefined],
      ['getRepository', undefined, { username: 'username', slug: 'slug' }],
    ]);
  });
});

describe('actions on a created resource', () => {
  const json = (schema: object) => ({ 'application/json': { schema } });
  const order = { type: 'object', required: ['id', 'status'], properties: { id: { type: 'integer' }, status: { type: 'string' } } };
  const orderId = { name: 'orderId', in: 'path', required: true, schema: { type: 'integer' }, example: 1 };
  const api = {
    openapi: '3.0.3',
    info: { title: 'Orders', version: '1' },
    paths: {
      '/orders': {
        post: {
          operationId: 'createOrder',
          requestBody: { required: true, content: json({ type: 'object', required: ['item'], properties: { item: { type: 'string' } } }) },
          responses: { 201: { description: 'created', content: json(order), links: { CancelOrder: { operationId: 'cancelOrder', parameters: { orderId: '$response.body#/id' } } } } },
        },
      },
      '/orders/{orderId}': { get: { operationId: 'getOrder', parameters: [orderId], responses: { 200: { description: 'the order', content: json(order) }, 404: { description: 'unknown' } } } },
      '/orders/{orderId}/cancel': { post: { operationId: 'cancelOrder', parameters: [orderId], responses: { 200: { description: 'cancelled', content: json(order) }, 404: { description: 'unknown' } } } },
    },
  };

  test('an action\'s happy path cancels an order it created, never the spec\'s example order, and the link note says so', () => {
    const suite = generateSpecSuite({ api, specId: 'orders', outDir: 'out' });
    const cancel = suite.cases.find((c) => c.id === 'cancelOrder/happy-path')!;
    expect(cancel.title).toBe('returns 200 for a valid request on a resource created by createOrder');
    expect(cancel.steps?.map((s) => [s.name, s.operationId, s.capture, s.bind])).toEqual([
      ['created', 'createOrder', { orderId: '/id' }, undefined],
      ['response', 'cancelOrder', undefined, { orderId: 'orderId' }],
    ]);
    expect(suite.notes).toContain('createOrder: link "CancelOrder" not followed: cancelOrder\'s happy path already runs on a resource createOrder created');
  });
});
