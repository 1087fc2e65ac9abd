import fs from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { generateSpecSuite, type GeneratedSuite } from '../../lib/generation';
import { responseContract } from '../../lib/generation/response-contract';
import type { SchemaObject } from '../../lib/openapi';
import { loadSpec, targetRepository } from './spec-fixtures';
import { assertions, runGeneratedSuite, runPytest } from './run-generated';

const OUT_DIR = 'tests/testloom/things';

function schemasOf(suite: GeneratedSuite): Record<string, unknown> {
  const file = suite.artifacts.find((artifact) => artifact.path.endsWith('/response-schemas.json'));
  return JSON.parse(file?.content ?? '{}') as Record<string, unknown>;
}

describe('responseContract', () => {
  test('keeps the checked keywords of the petstore Pet, merged through allOf', async () => {
    const schemas = schemasOf(generateSpecSuite({ api: await loadSpec('petstore'), specId: 'petstore', outDir: 'out' }));
    const pet = {
      type: ['object'],
      properties: { id: { type: ['integer'], format: 'int64' }, name: { type: ['string'], minLength: 1, maxLength: 64 }, tag: { type: ['string'] } },
      required: ['name', 'id'],
    };
    expect(schemas['createPet 201']).toEqual(pet);
    expect(schemas['listPets 200']).toEqual({ type: ['array'], items: pet });
  });

  test('reads 3.1 type arrays and formats, and drops writeOnly properties', async () => {
    const schemas = schemasOf(generateSpecSuite({ api: await loadSpec('openapi31'), specId: 'users', outDir: 'out' }));
    expect(schemas['createUser 201']).toEqual({
      type: ['object'],
      properties: { id: { type: ['integer'] }, email: { type: ['string'], format: 'email' }, nickname: { type: ['string', 'null'] }, age: { type: ['integer'], minimum: 0 } },
      required: ['email', 'id'],
    });
    expect(responseContract({ type: 'object', properties: { password: { type: 'string', writeOnly: true }, a: { type: 'string' } }, required: ['password', 'a'] }))
      .toEqual({ type: ['object'], properties: { a: { type: ['string'] } }, required: ['a'] });
  });

  test('turns nullable into a null type, oneOf into anyOf, keeps enum and const, omits the rest', () => {
    const schema: SchemaObject = {
      nullable: true,
      description: 'left out',
      oneOf: [{ type: 'string', enum: ['a', 'b'], pattern: 'x' }, { type: 'integer', const: 3, maximum: 5 }],
      type: 'string',
    };
    expect(responseContract(schema)).toEqual({
      type: ['string', 'null'],
      anyOf: [{ type: ['string'], enum: ['a', 'b'] }, { type: ['integer'], const: 3, maximum: 5 }],
    });
  });

  test('cuts recursion with {}', () => {
    const node: SchemaObject = { type: 'object', properties: { name: { type: 'string' } } };
    node.properties!.children = { type: 'array', items: node };
    expect(responseContract(node)).toEqual({
      type: ['object'],
      properties: { name: { type: ['string'] }, children: { type: ['array'], items: {} } },
    });
  });
});

// The generated suite's checks against a live API answering right, then off-spec.

const thing = {
  type: 'object',
  required: ['id', 'name', 'createdAt'],
  properties: { id: { type: 'integer' }, name: { type: 'string' }, createdAt: { type: 'string', format: 'date-time' }, secret: { type: 'string', writeOnly: true } },
};
const THINGS_SPEC = {
  openapi: '3.0.3',
  info: { title: 'Things', version: '1.0.0' },
  paths: {
    '/things': {
      post: {
        operationId: 'createThing',
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } } } },
        responses: {
          201: { description: 'created', headers: { Location: { schema: { type: 'string' } } }, content: { 'application/json': { schema: thing } } },
          400: { description: 'invalid', content: { 'application/problem+json': { schema: { type: 'object', properties: { title: { type: 'string' } } } } } },
        },
      },
    },
  },
};

type Fault = 'none' | 'string-id' | 'bad-date' | 'plain-json-errors';

async function startThingsServer(fault: Fault): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const app = express();
  app.use(express.json());
  let next = 1;
  app.post('/things', (req, res) => {
    const name: unknown = (req.body as { name?: unknown } | undefined)?.name;
    if (typeof name !== 'string') {
      return void res.status(400).type(fault === 'plain-json-errors' ? 'application/json' : 'application/problem+json').send(JSON.stringify({ title: 'name must be a string' }));
    }
    const id = next++;
    res.status(201).location(`/things/${id}`).json({
      id: fault === 'string-id' ? String(id) : id,
      name,
      createdAt: fault === 'bad-date' ? 'yesterday' : '2024-05-01T10:00:00Z',
    });
  });
  const server: Server = await new Promise((resolve) => {
    const started = app.listen(0, '127.0.0.1', () => resolve(started));
  });
  const { port } = server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe.each(['jest', 'pytest'] as const)('a generated %s suite checks the documented response body', (framework) => {
  let repoDir: string;
  let suite: GeneratedSuite;
  const run = async (fault: Fault): Promise<{ passed: boolean; text: string }> => {
    const server = await startThingsServer(fault);
    try {
      if (framework === 'pytest') {
        const { code, text } = await runPytest(repoDir, OUT_DIR, server.baseUrl);
        return { passed: code === 0, text };
      }
      const results = await runGeneratedSuite(repoDir, OUT_DIR, { API_BASE_URL: server.baseUrl });
      return { passed: results.success, text: assertions(results).flatMap((a) => a.failureMessages).join('\n') };
    } finally {
      await server.close();
    }
  };

  beforeAll(async () => {
    suite = generateSpecSuite({ api: THINGS_SPEC, specId: 'things', outDir: OUT_DIR, framework });
    repoDir = await targetRepository(suite.artifacts, 'testloom-contract-');
  });

  afterAll(async () => {
    if (repoDir) await fs.rm(repoDir, { recursive: true, force: true });
  });

  test('renders the schema and Location checks in the happy path', () => {
    const tests = suite.artifacts.filter((artifact) => artifact.kind === 'test').map((artifact) => artifact.content).join('\n');
    expect(tests).toContain(framework === 'jest' ? "api.expectMatchesSchema(body, 'createThing 201');" : 'api.expect_matches_schema(body, "createThing 201")');
    expect(tests).toContain(framework === 'jest' ? "api.expectHeader(response, 'location');" : 'api.expect_header(response, "location")');
  });

  test('passes against an API that answers as documented', async () => {
    const { passed, text } = await run('none');
    expect(text).not.toMatch(/response body of/);
    expect(passed).toBe(true);
  }, 60_000);

  test('fails naming the field when an id comes back as a string', async () => {
    const { passed, text } = await run('string-id');
    expect(passed).toBe(false);
    expect(text).toContain('response body of createThing 201: $.id must be integer, got "1"');
    expect(text).toMatch(/POST http:\/\/127\.0\.0\.1:\d+\/things returned 201\n/);
  }, 60_000);

  test('fails naming the media type when an error answer is not in the documented one', async () => {
    const { passed, text } = await run('plain-json-errors');
    expect(passed).toBe(false);
    expect(text).toMatch(/POST http:\/\/127\.0\.0\.1:\d+\/things answered 400 with content-type "application\/json", documented application\/problem\+json/);
  }, 60_000);

  test('fails naming the field when a date-time is not one', async () => {
    const { passed, text } = await run('bad-date');
    expect(passed).toBe(false);
    expect(text).toContain('response body of createThing 201: $.createdAt must be a date-time, got "yesterday"');
  }, 60_000);
});
