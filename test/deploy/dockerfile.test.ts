/**
 * The Dockerfile, checked offline (no Docker engine here): parsed with dockerfile-ast for what the
 * image must be (multi-stage, non-root, health check on the API, `node bin/testloom`), linted by
 * dockerfile-utils and hadolint, and the build context its COPY takes computed from .dockerignore
 * with Docker's own matching rules: what the processes need is in it, local state and secrets not.
 */
import fs from 'node:fs';
import path from 'node:path';
import dockerignore from '@balena/dockerignore';
import { DockerfileParser, type Copy, type Instruction } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import { HADOLINT } from '../../infra/deploy-tools';
import { projectFile, requireTool, run } from './support/tools';

const text = fs.readFileSync(projectFile('Dockerfile'), 'utf8');
const dockerfile = DockerfileParser.parse(text);
const instructions = dockerfile.getInstructions();
const stages = dockerfile.getFROMs();
/** Instructions of the final stage, the image that runs. */
const runtime = instructions.filter((i) => i.getRange().start.line > stages[stages.length - 1].getRange().start.line);
const args = (i: Instruction) => i.getArgumentsContent() ?? '';
const keyword = (list: Instruction[], name: string) => list.filter((i) => i.getKeyword() === name);
/** COPY instructions of a stage: the stage they copy from (undefined: the build context) and their arguments. */
const copies = (list: Instruction[]) => keyword(list, 'COPY').map((i) => ({ from: (i as Copy).getFromFlag()?.getValue(), args: args(i) }));
/** The JSON (exec) form of ENTRYPOINT, CMD or HEALTHCHECK CMD. */
const execForm = (content: string) => JSON.parse(content.replace(/^CMD\s+/, '').replace(/^(--\S+\s+)+CMD\s+/, '')) as string[];

describe('Dockerfile', () => {
  it('is multi-stage: node_modules built in a deps stage and copied into the runtime stage', () => {
    expect(stages.map((s) => s.getBuildStage())).toEqual(['deps', 'runtime']);
    expect(stages.every((s) => s.getImageName() === 'node')).toBe(true);
    expect(keyword(instructions, 'RUN').some((i) => /\bnpm ci\b/.test(args(i)))).toBe(true);
    expect(copies(runtime)).toContainEqual({ from: 'deps', args: '/app/node_modules ./node_modules' });
  });

  it('runs as a numeric non-root user (so Kubernetes runAsNonRoot can verify it)', () => {
    const users = keyword(runtime, 'USER').map(args);
    expect(users).toHaveLength(1);
    const [user] = users[0].split(':');
    expect(user).toMatch(/^[0-9]+$/);
    expect(Number(user)).toBeGreaterThan(0);
    expect(keyword(runtime, 'RUN').some((i) => args(i).includes(`useradd --system --uid ${user}`))).toBe(true);
  });

  it('checks health through the API\'s GET /api/health and starts `node bin/testloom api` by default', () => {
    const [healthcheck] = keyword(runtime, 'HEALTHCHECK');
    const probe = execForm(args(healthcheck));
    expect(probe.slice(0, 2)).toEqual(['node', '-e']);
    expect(probe[2]).toMatch(/\/api\/health/);
    expect(probe[2]).toMatch(/TESTLOOM_API_PORT/);
    const [entrypoint] = keyword(runtime, 'ENTRYPOINT');
    expect(execForm(args(entrypoint)).slice(-2)).toEqual(['node', 'bin/testloom']);
    expect(execForm(args(keyword(runtime, 'CMD')[0]))).toEqual(['api']);
  });

  it('has Python with pytest and requests for the execute worker, and expects the weights mounted at TESTLOOM_MODEL_DIR', () => {
    const runs = keyword(runtime, 'RUN').map(args).join('\n');
    expect(runs).toMatch(/python3 -m venv \/app\/\.venv/); // where lib/frameworks/pytest/python.ts looks first
    expect(runs).toMatch(/pip install .*pytest==\S+ requests==\S+/);
    expect(keyword(runtime, 'ENV').map(args).join('\n')).toMatch(/TESTLOOM_MODEL_DIR=\/models/);
    expect(text).not.toMatch(/\.models|model_quantized|huggingface/i);
  });

  it('sets no secret in ENV or ARG', () => {
    const declared = [...keyword(instructions, 'ENV'), ...keyword(instructions, 'ARG')].map(args).join('\n');
    expect(declared).not.toMatch(/(KEY|KEYS|SECRET|TOKEN|PASSWORD|DATABASE_URL)\s*=/i);
  });

  it('passes the dockerfile-utils validator without a diagnostic', () => {
    expect(validate(text).map((d) => `${d.range.start.line + 1}: ${typeof d.message === 'string' ? d.message : d.message.value}`)).toEqual([]);
  });

  it('passes hadolint (.hadolint.yaml: every rule, at info level, but DL3008)', async () => {
    const outcome = await run(await requireTool(HADOLINT), ['--config', projectFile('.hadolint.yaml'), projectFile('Dockerfile')]);
    expect({ code: outcome.code, findings: outcome.stdout + outcome.stderr }).toEqual({ code: 0, findings: '' });
  });
});

describe('build context (.dockerignore)', () => {
  const ignore = dockerignore({ ignorecase: false }).add(fs.readFileSync(projectFile('.dockerignore'), 'utf8'));
  const inContext = (file: string) => !ignore.ignores(file);

  it('holds what the processes run: sources, templates, migrations, temporal.yaml, the lockfile and the probe script', () => {
    const needed = ['package.json', 'package-lock.json', '.npmrc', 'tsconfig.json', 'temporal.yaml', 'bin/testloom', 'cli/main.ts', 'api/app.ts',
      'workers/main.ts', 'workers/bundle-workflows.js', 'workflows/index.ts', 'activities', 'lib/config/env.ts', 'schema', 'templates', 'mcp',
      'infra/probes/temporal-connected.sh', 'infra/embedded-stack.ts', 'lib/frameworks/pytest/testloom_pytest_plugin.py'];
    for (const file of needed) {
      expect({ file, exists: fs.existsSync(projectFile(file)), inContext: inContext(file) }).toEqual({ file, exists: true, inContext: true });
    }
  });

  it('leaves out installed packages, local data and weights, git, secrets and tests', () => {
    const left = ['node_modules/jest/package.json', '.git/HEAD', '.venv/bin/python', '.venv-schemathesis/bin/st', '.venv-deploy-tools/bin/hadolint',
      '.data/pglite/PG_VERSION', '.models/Xenova/all-MiniLM-L6-v2/onnx/model_quantized.onnx', 'infra/.env', 'infra/secrets/github-app.pem',
      'test/deploy/dockerfile.test.ts', 'bench/pipeline.ts', 'coverage/lcov.info', 'logs/testloom.log'];
    expect(left.filter(inContext)).toEqual([]);
  });

  it('every file COPY names from the context exists and is in it', () => {
    const fromContext = copies(instructions).filter((copy) => copy.from === undefined);
    expect(fromContext.length).toBeGreaterThan(0);
    for (const copy of fromContext) {
      const sources = copy.args.split(/\s+/).slice(0, -1);
      for (const source of sources.filter((s) => s !== '.')) {
        const found = { source, exists: fs.existsSync(path.join(projectFile(), source)), inContext: inContext(source) };
        expect(found).toEqual({ source, exists: true, inContext: true });
      }
    }
  });
});
