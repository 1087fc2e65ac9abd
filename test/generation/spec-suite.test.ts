import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generateSpecSuite, TEST_CASE_KINDS, type GeneratedSuite, type TestCase } from '../../lib/generation';
import type { Artifact } from '../../lib/core/run';
import { loadSpec, type SpecName } from './spec-fixtures';

const OUT_DIR = 'tests/testloom/example';

async function generate(spec: SpecName, overrideTemplatesDir?: string): Promise<GeneratedSuite> {
  return generateSpecSuite({ api: await loadSpec(spec), specId: `${spec}-spec`, outDir: OUT_DIR, overrideTemplatesDir });
}

/** `operationId → kinds in order`, the shape the expectations below are written in. */
function kindsByOperation(cases: TestCase[]): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const testCase of cases) (result[testCase.operationId] ??= []).push(testCase.kind);
  return result;
}

function artifact(suite: GeneratedSuite, file: string): Artifact {
  const found = suite.artifacts.find((a) => a.path === `${OUT_DIR}/${file}`);
  if (!found) throw new Error(`no artifact ${file} in ${suite.artifacts.map((a) => a.path).join(', ')}`);
  return found;
}

describe.each<SpecName>(['petstore', 'swagger2', 'openapi31'])('generateSpecSuite on %s', (spec) => {
  let suite: GeneratedSuite;
  beforeAll(async () => {
    suite = await generate(spec);
  });

  test('is deterministic: a second generation from a fresh parse is byte-identical', async () => {
    const again = await generate(spec);
    expect(again.artifacts).toEqual(suite.artifacts);
    expect(again.cases).toEqual(suite.cases);
    expect(again.notes).toEqual(suite.notes);
  });

  test('lists every case in the Markdown document with its title and request', () => {
    const document = artifact(suite, 'test-cases.md').content;
    for (const testCase of suite.cases) {
      const row = document.split('\n').find((line) => line.startsWith(`| \`${testCase.id}\` |`));
      expect(row).toContain(testCase.title);
      expect(row).toContain(`${testCase.method.toUpperCase()} `);
    }
    const idRow = new RegExp(`^\\| \`[^\`]+\\/(${TEST_CASE_KINDS.join('|')})[^\`]*\` \\|`, 'gm');
    expect(document.match(idRow)).toHaveLength(suite.cases.length);
  });

  test('puts every case in its test file, with unique ids and unique names per operation', () => {
    expect(new Set(suite.cases.map((c) => c.id)).size).toBe(suite.cases.length);
    for (const testCase of suite.cases) {
      const file = suite.artifacts.find((a) => a.path === testCase.file);
      expect(file?.kind).toBe('test');
      expect(file?.content).toContain(`// ${testCase.id}\n`);
    }
    const names = suite.cases.map((c) => `${c.operationId} › ${c.title}`);
    expect(new Set(names).size).toBe(names.length);
  });

  test('every operation with cases has a happy path first and each kind expects its status class', () => {
    for (const cases of Object.values(kindsByOperation(suite.cases))) expect(cases[0]).toBe('happy-path');
    const expected: Partial<Record<TestCase['kind'], string>> = {
      'missing-required': '4XX', 'wrong-type': '4XX', boundary: '4XX', 'missing-auth': '401|403', 'invalid-auth': '401|403', 'not-found': '404',
    };
    for (const testCase of suite.cases) {
      if (expected[testCase.kind]) expect([testCase.id, testCase.expectedStatus]).toEqual([testCase.id, expected[testCase.kind]]);
      else expect([testCase.id, testCase.expectedStatus]).toEqual([testCase.id, expect.stringMatching(/^2(\d\d|XX)$/)]);
    }
  });
});

describe('generateSpecSuite on petstore (OpenAPI 3.0)', () => {
  let suite: GeneratedSuite;
  beforeAll(async () => {
    suite = await generate('petstore');
  });

  test('generates the expected cases per operation', () => {
    expect([...new Set(suite.cases.map((c) => c.operationId))]).toEqual(['listPets', 'createPet', 'showPetById', 'deletePet']);
    expect(kindsByOperation(suite.cases)).toEqual({
      listPets: ['happy-path', 'wrong-type', 'boundary', 'boundary', 'at-boundary', 'at-boundary'],
      createPet: ['happy-path', 'missing-required', 'missing-required', 'wrong-type', 'wrong-type', 'boundary', 'boundary', 'at-boundary', 'at-boundary', 'crud-sequence', 'required-only'],
      showPetById: ['happy-path', 'wrong-type', 'not-found'],
      deletePet: ['happy-path', 'wrong-type', 'not-found'],
    });
    expect(suite.notes).toEqual([]);
  });

  test('uses spec examples for valid requests and the first documented 2xx status', () => {
    const happy = Object.fromEntries(suite.cases.filter((c) => c.kind === 'happy-path').map((c) => [c.operationId, c]));
    expect(happy.createPet).toMatchObject({ expectedStatus: '201', request: { body: { name: 'Rex', tag: 'dog' } } });
    // A path id is taken from a resource the test creates first, not from the spec's example.
    expect(happy.showPetById).toMatchObject({ expectedStatus: '200' });
    expect(happy.showPetById.steps?.map((s) => [s.operationId, s.setup ?? false, s.capture, s.bind])).toEqual([
      ['createPet', true, { pet_id: '/id' }, undefined],
      ['showPetById', false, undefined, { petId: 'pet_id' }],
    ]);
    expect(happy.deletePet.expectedStatus).toBe('204');
    expect(happy.listPets.request).toEqual({ pathParams: {}, query: {}, headers: {} });
  });

  test('names cases after what they check', () => {
    expect(suite.cases.filter((c) => c.operationId === 'createPet').map((c) => [c.id, c.title, c.request.body])).toEqual([
      ['createPet/happy-path', 'returns 201 for a valid request', { name: 'Rex', tag: 'dog' }],
      ['createPet/missing-required/body', 'rejects a request without a body with 4xx', undefined],
      ['createPet/missing-required/body.name', 'rejects a request without required field "name" with 4xx', { tag: 'dog' }],
      ['createPet/wrong-type/body.name', 'rejects field "name" of the wrong type (number instead of string) with 4xx', { name: 12345, tag: 'dog' }],
      ['createPet/wrong-type/body.tag', 'rejects field "tag" of the wrong type (number instead of string) with 4xx', { name: 'Rex', tag: 12345 }],
      ['createPet/boundary/body.name.minLength-1', 'rejects field "name" set to a 0-character string (minLength 1) with 4xx', { name: '', tag: 'dog' }],
      ['createPet/boundary/body.name.maxLength+1', 'rejects field "name" set to a 65-character string (maxLength 64) with 4xx', { name: 'x'.repeat(65), tag: 'dog' }],
      ['createPet/at-boundary/body.name.minLength', 'accepts field "name" set to a 1-character string (minLength 1)', { name: 'x', tag: 'dog' }],
      ['createPet/at-boundary/body.name.maxLength', 'accepts field "name" set to a 64-character string (maxLength 64)', { name: 'x'.repeat(64), tag: 'dog' }],
      ['createPet/crud-sequence', 'creates a resource, then reads, deletes, reads again (404) it by petId', { name: 'Rex', tag: 'dog' }],
      ['createPet/required-only', 'accepts a request with only the required fields (without "tag")', { name: 'Rex' }],
    ]);
    expect(suite.cases.find((c) => c.id === 'showPetById/wrong-type/path.petId')).toMatchObject({
      title: 'rejects path parameter "petId" of the wrong type (string instead of integer) with 4xx',
      request: { pathParams: { petId: 'not-an-integer' } },
    });
  });

  test('writes one test file per tag plus helpers, configuration and documents', () => {
    expect(suite.artifacts.map((a) => [a.path, a.kind])).toEqual([
      [`${OUT_DIR}/README.md`, 'doc'],
      [`${OUT_DIR}/helpers.ts`, 'helper'],
      [`${OUT_DIR}/jest.config.json`, 'helper'],
      [`${OUT_DIR}/pets.test.ts`, 'test'],
      [`${OUT_DIR}/response-media-types.json`, 'helper'],
      [`${OUT_DIR}/response-schemas.json`, 'helper'],
      [`${OUT_DIR}/suite-settings.json`, 'helper'],
      [`${OUT_DIR}/test-cases.md`, 'doc'],
      [`${OUT_DIR}/tsconfig.json`, 'helper'],
    ]);
    expect(new Set(suite.cases.map((c) => c.file))).toEqual(new Set([`${OUT_DIR}/pets.test.ts`]));
    expect(JSON.parse(artifact(suite, 'jest.config.json').content)).toMatchObject({ testEnvironment: 'node', maxWorkers: 1 });
    expect(JSON.parse(artifact(suite, 'suite-settings.json').content)).toMatchObject({ title: 'Swagger Petstore', baseUrlExample: 'http://localhost:4010/v1' });
    // The spec's own values live in suite-settings.json: helpers.ts is the same in every suite.
    expect(artifact(suite, 'helpers.ts').content).not.toContain('Petstore');
    expect(artifact(suite, 'helpers.ts').content).not.toContain('localhost:4010');
  });

  test('happy paths check the JSON body for the documented required properties, and delete what they created', () => {
    const tests = artifact(suite, 'pets.test.ts').content;
    expect(tests).toContain("import * as api from './helpers';\n\n// What a test created is deleted after it, whatever its outcome.\nafterEach(api.cleanUp);\n");
    expect(tests).toContain(
      [
        "  test('returns 201 for a valid request', async () => {",
        '    const response = await api.request({',
        "      method: 'POST',",
        "      path: '/pets',",
        '      body: {',
        '        name: api.unique("Rex"),',
        '        tag: api.unique("dog"),',
        '      },',
        '    });',
        // The pet it made is deleted after the test: DELETE /pets/{petId} is documented, the id is the answer's `id`.
        "    api.deleteLater(response, {",
        "      method: 'DELETE',",
        "      path: '/pets/{petId}',",
        "    }, 'petId', '/id');",
        '    api.expectStatus(response, 201);',
        '    const body = api.expectJson(response);',
        "    api.expectObjectWithProperties(body, ['name', 'id']);",
        "    api.expectMatchesSchema(body, 'createPet 201');",
        '  });',
      ].join('\n'),
    );
    expect(tests).toContain("api.expectEachObjectWithProperties(body, ['name', 'id']);\n    api.expectMatchesSchema(body, 'listPets 200');");
    expect(Object.keys(JSON.parse(artifact(suite, 'response-schemas.json').content))).toEqual(['createPet 201', 'listPets 200', 'showPetById 200']);
    expect(tests.indexOf("describe('deletePet'")).toBeGreaterThan(tests.indexOf("describe('showPetById'"));
  });
});

describe('generateSpecSuite on Swagger 2.0', () => {
  let suite: GeneratedSuite;
  let document: string;
  beforeAll(async () => {
    suite = await generate('swagger2');
    document = artifact(suite, 'test-cases.md').content;
  });

  test('generates the expected cases per operation', () => {
    expect(kindsByOperation(suite.cases)).toEqual({
      listItems: ['happy-path', 'missing-required', 'missing-required', 'wrong-type', 'boundary', 'at-boundary'],
      createItem: ['happy-path', 'missing-required', 'missing-required', 'missing-required', 'wrong-type', 'wrong-type', 'wrong-type', 'boundary', 'at-boundary', 'crud-sequence', 'required-only'],
      getItemsBySku: ['happy-path', 'not-found'],
      deleteItem: ['happy-path', 'missing-auth', 'invalid-auth'],
      health: ['happy-path'],
    });
    expect(suite.cases.find((c) => c.id === 'listItems/happy-path')?.request).toEqual({
      pathParams: {},
      query: { tag: ['blue', 'red'] },
      headers: { 'X-Request-Id': 'x-request-id' },
    });
  });

  test('files untagged operations separately', () => {
    expect([...new Set(suite.cases.map((c) => path.posix.basename(c.file)))]).toEqual(['items.test.ts', 'untagged.test.ts']);
  });

  test('explains skipped operations and missing negative cases in the notes and the document', () => {
    expect(suite.notes).toEqual([
      'health: no negative case: operation takes no input',
      'createItem: operationId "create-item" renamed to "createItem" (not a valid, unique identifier)',
      'getItemsBySku: no operationId in the spec: using "getItemsBySku"',
      'deleteItem: no not-found case: the operation documents no 404 response',
      'uploadPhoto: formData parameters "file" modelled as a multipart/form-data body; form bodies are not generated',
      'uploadPhoto: skipped: request body media type multipart/form-data is not generated (JSON bodies only)',
    ]);
    expect(document).toContain('| uploadPhoto | `PUT /items/{sku}/photo` | request body media type multipart/form-data is not generated (JSON bodies only) |');
    expect(document).toContain('## health: `GET /health`');
    expect(document).toContain('No negative case: operation takes no input.');
    expect(document).toContain('23 cases for 5 of 6 operations');
  });
});

describe('generateSpecSuite on OpenAPI 3.1', () => {
  let suite: GeneratedSuite;
  beforeAll(async () => {
    suite = await generate('openapi31');
  });

  test('generates the expected cases per operation', () => {
    expect(kindsByOperation(suite.cases)).toEqual({
      searchUsers: ['happy-path', 'missing-required', 'wrong-type', 'special-characters'],
      createUser: ['happy-path', 'missing-required', 'missing-required', 'wrong-type', 'wrong-type', 'wrong-type', 'boundary', 'boundary', 'at-boundary', 'missing-auth', 'invalid-auth', 'crud-sequence', 'required-only'],
      getUser: ['happy-path', 'wrong-type', 'missing-auth', 'invalid-auth', 'not-found'],
      updateUser: ['happy-path', 'wrong-type', 'wrong-type', 'wrong-type', 'boundary', 'missing-auth', 'invalid-auth', 'behaviour', 'behaviour', 'behaviour'],
    });
  });

  test('treats 3.1 type arrays, range statuses and custom JSON media types', () => {
    expect(suite.cases.find((c) => c.id === 'createUser/wrong-type/body.nickname')).toMatchObject({
      title: 'rejects field "nickname" of the wrong type (number instead of string or null) with 4xx',
      request: { body: { email: 'ada@example.com', nickname: 12345, age: 36 } },
    });
    expect(suite.cases.find((c) => c.id === 'updateUser/happy-path')).toMatchObject({
      expectedStatus: '2XX',
      title: 'returns a 2xx status for a valid request on a resource created by createUser',
    });
    const tests = artifact(suite, 'users.test.ts').content;
    expect(tests).toContain("mediaType: 'application/merge-patch+json',");
    expect(tests).toContain("api.expectStatus(response, '2XX');");
  });
});

describe('generateSpecSuite ordering', () => {
  test('runs DELETE operations after the other operations of their file', () => {
    const responses = { '204': { description: 'done' } };
    const api = {
      openapi: '3.0.3',
      info: { title: 'Order', version: '1' },
      paths: {
        '/a/{id}': {
          delete: { operationId: 'deleteA', tags: ['t'], parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }], responses },
        },
        '/b': { get: { operationId: 'getB', tags: ['t'], responses }, post: { operationId: 'postB', tags: ['t'], responses } },
      },
    };
    const suite = generateSpecSuite({ api, specId: 'order', outDir: OUT_DIR });
    expect([...new Set(suite.cases.map((c) => c.operationId))]).toEqual(['getB', 'postB', 'deleteA']);
    const tests = artifact(suite, 't.test.ts').content;
    expect(tests.indexOf("describe('deleteA'")).toBeGreaterThan(tests.indexOf("describe('postB'"));
  });
});

describe('generateSpecSuite on inputs it cannot fully cover', () => {
  const ok = { description: 'ok' };
  const node: Record<string, unknown> = { type: 'object', required: ['name'], properties: { name: { type: 'string' } } };
  (node.properties as Record<string, unknown>).children = { type: 'array', items: node };
  const api = {
    openapi: '3.0.3',
    info: { title: 'Edges', version: '1' },
    paths: {
      '/echo': { trace: { operationId: 'echo', responses: { '200': ok } } },
      '/filter': {
        get: {
          operationId: 'filter',
          parameters: [{ name: 'where', in: 'query', required: true, schema: { type: 'object', properties: { a: { type: 'string' } } } }],
          responses: { '200': ok },
        },
      },
      '/notes': {
        post: {
          operationId: 'addNote',
          parameters: [{ name: 'session', in: 'cookie', required: true, schema: { type: 'string', example: 'a b' } }],
          requestBody: { content: { 'text/plain': { schema: { type: 'string' } } } },
          responses: { default: ok },
        },
      },
      '/tree': {
        post: { operationId: 'addNode', requestBody: { required: true, content: { 'application/json': { schema: node } } }, responses: { '201': ok } },
      },
    },
  };
  let suite: GeneratedSuite;
  beforeAll(() => {
    suite = generateSpecSuite({ api, specId: 'edges', outDir: OUT_DIR });
  });

  test('skips operations it cannot call, with the reason', () => {
    expect(suite.notes).toEqual([
      'echo: skipped: TRACE requests cannot be sent with fetch',
      'filter: skipped: query parameter "where" takes an object or null value; only scalar and array parameter values are generated',
      'addNote: optional text/plain request body not sent (JSON bodies only)',
      'addNote: no 2xx response documented: the happy path accepts any 2xx status',
      'addNote: no negative case: no required field or typed parameter to violate',
    ]);
    expect(artifact(suite, 'test-cases.md').content).toContain('| echo | `TRACE /echo` | TRACE requests cannot be sent with fetch |');
  });

  test('sends cookie parameters as a Cookie header and accepts any 2xx when none is documented', () => {
    expect(suite.cases.filter((c) => c.operationId === 'addNote')).toEqual([
      expect.objectContaining({ kind: 'happy-path', expectedStatus: '2XX', request: { pathParams: {}, query: {}, headers: { cookie: 'session=a%20b' } } }),
    ]);
  });

  test('samples recursive schemas without looping', () => {
    expect(suite.cases.filter((c) => c.operationId === 'addNode').map((c) => c.id)).toEqual([
      'addNode/happy-path',
      'addNode/missing-required/body',
      'addNode/missing-required/body.name',
      'addNode/wrong-type/body.name',
      'addNode/wrong-type/body.children',
      'addNode/required-only',
    ]);
    expect(suite.cases.find((c) => c.id === 'addNode/wrong-type/body.children')?.request.body).toMatchObject({ children: 'not-an-array' });
  });
});

describe('generateSpecSuite with an override templates directory', () => {
  let overrideDir: string;
  beforeAll(async () => {
    overrideDir = await fs.mkdtemp(path.join(os.tmpdir(), 'testloom-override-'));
    await fs.mkdir(path.join(overrideDir, 'docs'));
    await fs.writeFile(path.join(overrideDir, 'docs/test-cases.md.hbs'), '{{#each operations}}{{#each cases}}{{id}}\n{{/each}}{{/each}}');
  });
  afterAll(async () => {
    await fs.rm(overrideDir, { recursive: true, force: true });
  });

  test('renders the overridden template and the built-in ones for the rest', async () => {
    const suite = await generate('petstore', overrideDir);
    expect(artifact(suite, 'test-cases.md').content).toBe(suite.cases.map((c) => `${c.id}\n`).join(''));
    expect(artifact(suite, 'pets.test.ts').content).toContain("describe('createPet'");
  });
});
