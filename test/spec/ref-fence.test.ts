/**
 * The $ref fence over a real socket: content and URL specs reference inside themselves only; a
 * path spec (under TESTLOOM_SPEC_ROOTS) may reference files in its own directory, checked on the
 * real path; a YAML alias bomb is a 400. Every refusal stores nothing, and the worker never reads
 * a file a stored spec names.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { listen } from '../../api/server';
import { saveSpec } from '../../lib/db/specs';
import { SpecValidationError } from '../../lib/openapi/dereference';
import { parseSpecDocument } from '../../lib/openapi/intake/document';
import { externalRefs } from '../../lib/openapi/intake/ref-fence';
import { loadStoredSpec } from '../../lib/openapi/stored';
import { apiRequest, createHarness, waitForRunEnd, type Harness } from '../support/harness';
import { uniqueRepository } from '../support/retrieval';

const SECRET = 'TOP-SECRET-MARKER-7f3a';

/** A spec whose POST /pets request-body example is `{"$ref": <ref>}` (the attack). */
function specWithExampleRef(ref: string): string {
  return [
    'openapi: 3.0.3',
    'info: {title: Fenced pets, version: "1"}',
    'paths:',
    '  /pets:',
    '    post:',
    '      operationId: createPet',
    '      requestBody:',
    '        content:',
    '          application/json:',
    '            schema: {type: object, properties: {name: {type: string}}}',
    `            example: {$ref: ${JSON.stringify(ref)}}`,
    '      responses:',
    "        '201': {description: created}",
    '',
  ].join('\n');
}

/** A spec whose GET /pets answer's schema is `$ref: <ref>`. */
function specWithSchemaRef(ref: string, title = 'Bundled pets'): string {
  return [
    'openapi: 3.0.3',
    `info: {title: ${title}, version: "1"}`,
    'paths:',
    '  /pets:',
    '    get:',
    '      operationId: listPets',
    '      responses:',
    "        '200':",
    '          description: the pets',
    '          content:',
    '            application/json:',
    `              schema: {$ref: ${JSON.stringify(ref)}}`,
    '',
  ].join('\n');
}

const ALIAS_BOMB = [
  'openapi: 3.0.3',
  'info: {title: bomb, version: "1"}',
  'paths: {}',
  'x-a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  'x-b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
  'x-c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
  'x-d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
  'x-e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
  'x-f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
  'x-g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]',
  '',
].join('\n');

async function stored(harness: Harness) {
  const { rows } = await sql<{ specs: number; runs: number }>`
    select (select count(*)::int from specs) as specs, (select count(*)::int from runs) as runs`.execute(harness.database.db);
  return rows[0];
}

/** A 400 in the error envelope naming `field`, that does not contain the secret file's text. */
function expectRefused(answer: { status: number; body: any }, field: string, message: RegExp) {
  expect(answer.status).toBe(400);
  expect(answer.body).toEqual({ error: { code: 'invalid_spec', message: expect.any(String), details: [{ field, message: expect.any(String) }] } });
  expect(answer.body.error.message).toMatch(message);
  expect(JSON.stringify(answer.body)).not.toContain(SECRET);
}

describe('the $ref fence over a real socket (PGlite)', () => {
  let harness: Harness;
  let roots: string;
  let specs: string;
  const write = (relative: string, text: string) => {
    const file = path.join(roots, relative);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return file;
  };

  beforeAll(async () => {
    roots = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'testloom-fence-')));
    specs = path.join(roots, 'specs');
    // Inside TESTLOOM_SPEC_ROOTS but outside the specs' own directory: still out of reach.
    write('secret.yaml', `Secret: {type: string, description: ${SECRET}}\n`);
    write('specs/schemas/pet.yaml', 'Pet:\n  type: object\n  required: [name]\n  properties:\n    name: {type: string}\n    tag: {$ref: "#/Tag"}\nTag: {type: string}\n');
    write('specs/schemas/nested-escape.yaml', 'Pet: {$ref: "../../secret.yaml#/Secret"}\n');
    write('specs/schemas/bomb.yaml', ALIAS_BOMB.replace('openapi: 3.0.3\ninfo: {title: bomb, version: "1"}\npaths: {}\n', ''));
    fs.symlinkSync(path.join(roots, 'secret.yaml'), path.join(specs, 'schemas', 'escape.yaml'));
    fs.symlinkSync('/etc/hostname', path.join(specs, 'schemas', 'hostname.yaml'));
    harness = await createHarness({ database: 'pglite', chromaUrl: 'off', env: { TESTLOOM_SPEC_ROOTS: roots } });
  });
  afterAll(async () => {
    await harness?.close();
    fs.rmSync(roots, { recursive: true, force: true });
  });

  it('refuses every external $ref of a spec given as content, naming the ref and its JSON pointer, and stores nothing', async () => {
    const before = await stored(harness);
    const pointer = '#/paths/~1pets/post/requestBody/content/application~1json/example';
    for (const ref of ['/proc/self/environ', '/etc/passwd', 'file:///etc/shadow', '../../../../etc/hostname', 'https://example.com/pet.yaml', 'http://169.254.169.254/latest/meta-data/']) {
      const answer = await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { content: specWithExampleRef(ref) }, repository: 'fence/content' });
      expectRefused(answer, 'spec.content', /may only reference inside itself/);
      expect(answer.body.error.message).toBe(`spec.content: external $ref "${ref}" at ${pointer} is not allowed: a spec given as content or URL may only reference inside itself`);
    }
    // The same as a raw YAML upload.
    const raw = await apiRequest(harness, 'POST', '/api/v1/runs?repository=fence/content', specWithExampleRef('/proc/self/environ'));
    expectRefused(raw, 'spec.content', /external \$ref "\/proc\/self\/environ"/);
    expect(await stored(harness)).toEqual(before);
  });

  it('refuses a path spec whose refs leave its directory: absolute, relative, file://, /proc, through a symlink, from a referenced file', async () => {
    const before = await stored(harness);
    const cases: [string, RegExp][] = [
      ['/etc/passwd', /external \$ref "\/etc\/passwd" at #\/paths\/~1pets\/get\/responses\/200\/content\/application~1json\/schema is not allowed/],
      ['../../../../etc/hostname', /external \$ref "..\/..\/..\/..\/etc\/hostname" at #\/paths.* is not allowed/],
      ['file:///etc/shadow', /external \$ref "file:\/\/\/etc\/shadow" at #\/paths.* is not allowed/],
      ['/proc/self/environ', /external \$ref "\/proc\/self\/environ" at #\/paths.* is not allowed/],
      ['../secret.yaml#/Secret', /external \$ref "..\/secret.yaml#\/Secret" at #\/paths.* is not allowed/],
      ['./schemas/escape.yaml#/Secret', /schemas\/escape.yaml leaves the spec's directory through a symbolic link/],
      ['./schemas/hostname.yaml', /schemas\/hostname.yaml leaves the spec's directory through a symbolic link/],
      ['./schemas/nested-escape.yaml#/Pet', /external \$ref to .*secret.yaml leaves the spec's directory/],
      ['ftp://example.com/pet.yaml', /uses a scheme that is not allowed/],
    ];
    for (const [i, [ref, message]] of cases.entries()) {
      const file = write(`specs/refused-${i}.yaml`, specWithSchemaRef(ref));
      const answer = await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { path: file }, repository: 'fence/path' });
      expectRefused(answer, 'spec.path', message);
      expect(answer.body.error.message).toMatch(/may only reference files inside its own directory/);
    }
    // A remote ref follows the spec.url rules: loopback is refused before connecting.
    const remote = write('specs/remote.yaml', specWithSchemaRef('http://127.0.0.1:9/pet.yaml#/Pet'));
    const answer = await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { path: remote }, repository: 'fence/path' });
    expectRefused(answer, 'spec.path', /^spec\.path: remote \$ref http:\/\/127\.0\.0\.1:9\/pet\.yaml: 127\.0\.0\.1 is not a public address \(loopback\); an operator can allow the host with TESTLOOM_SPEC_URL_HOSTS$/);
    expect(await stored(harness)).toEqual(before);
  });

  it('bundles a path spec\'s relative refs inside its directory at request time; the worker runs it without reading any file', async () => {
    const file = write('specs/bundled.yaml', specWithSchemaRef('./schemas/pet.yaml#/Pet'));
    const repository = uniqueRepository('fence');
    const started = await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { path: file }, repository });
    expect(started.status).toBe(202);

    const row = await harness.database.db.selectFrom('specs').selectAll().where('id', '=', started.body.specId).executeTakeFirstOrThrow();
    const document = parseSpecDocument(row.content).document as any;
    expect(externalRefs(document)).toEqual([]);
    expect(row.content).not.toContain('pet.yaml');
    expect(JSON.stringify(document.paths['/pets'].get.responses['200'])).toContain('"required":["name"]');

    // Moving the spec's directory away proves the stored bundle is all the worker needs.
    fs.renameSync(specs, `${specs}-moved`);
    try {
      const worker = await harness.startWorker();
      const run = await waitForRunEnd(harness, started.body.runId);
      await worker.stop();
      expect(run.status).toBe('completed');
      expect(run.subject).toMatchObject({ title: 'Bundled pets', operationCount: 1 });
    } finally {
      fs.renameSync(`${specs}-moved`, specs);
    }
  });

  it('the worker refuses an external $ref in a spec stored earlier instead of reading it', async () => {
    const content = specWithExampleRef(path.join(roots, 'secret.yaml'));
    const spec = parseSpecDocument(content);
    await saveSpec(harness.database.db, {
      id: spec.id, content, format: 'yaml', sourceKind: 'path', sourceLocation: path.join(specs, 'old.yaml'), title: null, openapiVersion: '3.0.3',
    });
    const failure = await loadStoredSpec(harness.database.db, spec.id).catch((err: Error) => err);
    expect(failure).toBeInstanceOf(SpecValidationError);
    expect((failure as Error).message).toMatch(/external \$ref ".*secret.yaml" at #\/paths\/~1pets\/post\/requestBody\/content\/application~1json\/example is not resolved/);
    expect((failure as Error).message).not.toContain(SECRET);
  });

  it('answers a YAML alias bomb with 400 naming the field, as content, raw upload, path spec or referenced file', async () => {
    const before = await stored(harness);
    expectRefused(await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { content: ALIAS_BOMB } }), 'spec.content', /YAML aliases expand it too far/);
    expectRefused(await apiRequest(harness, 'POST', '/api/v1/runs', ALIAS_BOMB), 'spec.content', /YAML aliases expand it too far/);
    const file = write('specs/bomb.yaml', ALIAS_BOMB);
    expectRefused(await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { path: file } }), 'spec.path', /YAML aliases expand it too far/);
    const referencing = write('specs/references-bomb.yaml', specWithSchemaRef('./schemas/bomb.yaml#/x-g'));
    expectRefused(await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { path: referencing } }), 'spec.path', /alias/i);
    // An alias inside its own node cannot become JSON.
    expectRefused(await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { content: 'openapi: 3.0.3\ninfo: {title: t, version: "1"}\npaths: {}\nx-loop: &loop [*loop]\n' } }), 'spec.content', /alias refers to a node that contains it/);
    expect(await stored(harness)).toEqual(before);
  });

  describe('spec.path over HTTP', () => {
    it('is refused outside TESTLOOM_SPEC_ROOTS without telling whether the file exists', async () => {
      const before = await stored(harness);
      const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'testloom-outside-'));
      try {
        fs.writeFileSync(path.join(outside, 'api.yaml'), specWithSchemaRef('#/components/schemas/Pet'));
        fs.symlinkSync(path.join(outside, 'api.yaml'), path.join(roots, 'link-to-outside.yaml'));
        const messages: string[] = [];
        for (const file of ['/etc/passwd', '/etc/no-such-file-anywhere.yaml', path.join(outside, 'api.yaml'), path.join(roots, '..', path.basename(outside), 'api.yaml')]) {
          const answer = await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { path: file } });
          expectRefused(answer, 'spec.path', /is not under a directory this server reads specs from \(TESTLOOM_SPEC_ROOTS\)/);
          messages.push(answer.body.error.message.replace(path.resolve(file), '<path>'));
        }
        // A symlink under the roots whose real path lies outside them is refused the same way.
        const linked = await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { path: path.join(roots, 'link-to-outside.yaml') } });
        expectRefused(linked, 'spec.path', /is not under a directory this server reads specs from/);
        messages.push(linked.body.error.message.replace(path.join(roots, 'link-to-outside.yaml'), '<path>'));
        expect(new Set(messages).size).toBe(1);
      } finally {
        fs.rmSync(path.join(roots, 'link-to-outside.yaml'), { force: true });
        fs.rmSync(outside, { recursive: true, force: true });
      }
      expect(await stored(harness)).toEqual(before);
    });

    it('is refused altogether when no roots are configured, saying to upload the content', async () => {
      const server = await listen({ db: harness.database.db, client: harness.client, config: { ...harness.config, api: { ...harness.config.api, specRoots: [] } }, repoHost: harness.repoHost }, '127.0.0.1', 0);
      try {
        const before = await stored(harness);
        const response = await fetch(`${server.url}/api/v1/runs`, {
          method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ spec: { path: path.join(specs, 'bundled.yaml') } }),
        });
        const answer = { status: response.status, body: await response.json() };
        expectRefused(answer, 'spec.path', /does not read spec files; upload the content instead .* or set TESTLOOM_SPEC_ROOTS/);
        expect(await stored(harness)).toEqual(before);
      } finally {
        await server.close();
      }
    });
  });
});
