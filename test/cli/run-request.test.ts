/** `testloom run --spec <file>` uploads the file's content, its relative refs bundled under the same fence as the server's. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildRunRequest } from '../../cli/run-request';
import { loadConfig } from '../../lib/config';
import { parseSpecDocument } from '../../lib/openapi/intake/document';
import { externalRefs } from '../../lib/openapi/intake/ref-fence';

const SPEC = (ref: string) => `openapi: 3.0.3
info: {title: CLI pets, version: "1"}
paths:
  /pets:
    get:
      responses:
        '200':
          description: the pets
          content:
            application/json:
              schema: {$ref: '${ref}'}
`;

describe('the CLI\'s run request', () => {
  let dir: string;
  const config = () => loadConfig({ TESTLOOM_DATA_DIR: dir });
  beforeAll(() => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'testloom-cli-spec-')));
    fs.mkdirSync(path.join(dir, 'api', 'schemas'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'api', 'schemas', 'pet.yaml'), 'Pet:\n  type: object\n  properties:\n    name: {type: string}\n');
    fs.writeFileSync(path.join(dir, 'api', 'openapi.yaml'), SPEC('./schemas/pet.yaml#/Pet'));
    fs.writeFileSync(path.join(dir, 'api', 'plain.yaml'), SPEC('#/components/schemas/Pet'));
    fs.writeFileSync(path.join(dir, 'api', 'escape.yaml'), SPEC('../secret.yaml'));
    fs.writeFileSync(path.join(dir, 'secret.yaml'), 'type: string\n');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('uploads a spec with a relative ref as bundled content, never a path', async () => {
    const request = await buildRunRequest({ spec: path.join(dir, 'api', 'openapi.yaml'), repository: 'acme/pets' }, undefined, config()) as any;
    expect(Object.keys(request.spec)).toEqual(['content']);
    expect(request.repository).toBe('acme/pets');
    const { document } = parseSpecDocument(request.spec.content) as any;
    expect(externalRefs(document)).toEqual([]);
    expect(document.paths['/pets'].get.responses['200'].content['application/json'].schema).toEqual({ type: 'object', properties: { name: { type: 'string' } } });
  });

  it('uploads a self-contained spec as it is, and keeps a URL a URL', async () => {
    const file = path.join(dir, 'api', 'plain.yaml');
    const relative = path.relative(process.cwd(), file);
    expect(await buildRunRequest({ spec: relative, framework: 'pytest' }, undefined, config())).toEqual({ spec: { content: fs.readFileSync(file, 'utf8') }, repository: undefined, framework: 'pytest' });
    expect(await buildRunRequest({ spec: 'https://example.com/openapi.yaml' }, undefined, config())).toMatchObject({ spec: { url: 'https://example.com/openapi.yaml' } });
    expect(await buildRunRequest({ issue: 'octo/shop#12' }, undefined, config())).toEqual({ issue: 'octo/shop#12' });
  });

  it('refuses a ref that leaves the spec\'s directory, and a missing file, before sending anything', async () => {
    await expect(buildRunRequest({ spec: path.join(dir, 'api', 'escape.yaml') }, undefined, config())).rejects.toThrow(/--spec: external \$ref "..\/secret.yaml" at #\/paths.* is not allowed/);
    await expect(buildRunRequest({ spec: path.join(dir, 'api', 'missing.yaml') }, undefined, config())).rejects.toThrow(/--spec: no file at/);
  });
});
