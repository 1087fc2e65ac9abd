/**
 * infra/k8s, checked offline as strictly as these machines allow: every overlay renders with
 * `kubectl kustomize`; every rendered object validates against the Kubernetes API's own schemas
 * with unknown fields rejected (kubernetes-validate --strict, oldest and newest supported
 * version); and what the schemas cannot say: one worker Deployment per task queue polling exactly
 * that queue, probes, resources and a non-root user on every container, secrets only as
 * references, every variable a real testloom setting, references between objects that resolve.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ENV_SETTINGS } from '../../lib/config/env';
import { loadTemporalConfig } from '../../lib/config/temporal-config';
import { KUBERNETES_VALIDATE } from '../../infra/deploy-tools';
import { named, ofKind, renderKustomization, workloads, podTemplate, type Container, type KubeObject } from './support/kubernetes';
import { projectFile, requireTool, run } from './support/tools';

const OVERLAYS = ['infra/k8s/base', 'infra/k8s/overlays/example', 'infra/k8s/overlays/temporal-cloud'];
/** The oldest Kubernetes release the manifests are meant for, and the newest the validator knows. */
const KUBERNETES_VERSIONS = ['1.30', '1.37'];
const QUEUES = Object.keys(loadTemporalConfig(projectFile('temporal.yaml')).taskQueues).sort();
const SETTING_NAMES = new Set(Object.values(ENV_SETTINGS).map((s) => s.name));
/** Names whose values are credentials: only ever from a Secret. */
const SECRET_NAME = /(^DATABASE_URL$|KEYS?$|SECRET$|TOKEN$|PASSWORD$|PRIVATE_KEY$)/;
const PROBE_SCRIPT = '/app/infra/probes/temporal-connected.sh';

let rendered: Record<string, { yaml: string; objects: KubeObject[] }>;

beforeAll(async () => {
  rendered = Object.fromEntries(await Promise.all(OVERLAYS.map(async (dir) => [dir, await renderKustomization(dir)] as const)));
});

const example = () => rendered['infra/k8s/overlays/example'].objects;
const containersOf = (objects: KubeObject[]) =>
  workloads(objects).flatMap(({ object, pod }) => pod.spec.containers.map((container) => ({ object, pod, container })));
const workerQueue = (c: Container) => (c.args?.[0] === 'worker' ? c.args : undefined);

async function validateStrictly(yaml: string, version: string) {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'testloom-k8s-')), 'rendered.yaml');
  fs.writeFileSync(file, yaml);
  return run(await requireTool(KUBERNETES_VALIDATE), ['--strict', '--no-warn', '--quiet', '-k', version, file]);
}

describe('rendered with kubectl kustomize', () => {
  it.each(OVERLAYS)('%s renders the API, its Service, one worker per queue, the migrate Job and the PDBs', (dir) => {
    const { objects } = rendered[dir];
    expect(ofKind(objects, 'Deployment').map((d) => d.metadata.name).sort()).toEqual(['testloom-api', ...QUEUES.map((q) => `testloom-worker-${q}`)].sort());
    expect(ofKind(objects, 'Service').map((s) => s.metadata.name)).toEqual(['testloom-api']);
    expect(ofKind(objects, 'Job').map((j) => j.metadata.name)).toEqual(['testloom-migrate']);
    expect(ofKind(objects, 'PodDisruptionBudget')).toHaveLength(1 + QUEUES.length);
    // Secrets are references only: nothing renders one.
    expect(ofKind(objects, 'Secret')).toEqual([]);
  });
});

describe('validated against the Kubernetes schemas, unknown fields rejected', () => {
  const cases = OVERLAYS.flatMap((dir) => KUBERNETES_VERSIONS.map((version) => [dir, version] as const));

  it.each(cases)('%s is valid for Kubernetes %s', async (dir, version) => {
    const outcome = await validateStrictly(rendered[dir].yaml, version);
    expect({ code: outcome.code, output: outcome.stdout + outcome.stderr }).toEqual({ code: 0, output: '' });
  });

  it('the validator does reject a misspelt field and a wrong type (so a pass above means something)', async () => {
    const broken = rendered['infra/k8s/overlays/example'].yaml
      .replace('livenessProbe:\n', 'livenessProbe:\n          tcpSockett: {port: 1}\n')
      .replace('replicas: 3', 'replicas: three');
    const outcome = await validateStrictly(broken, KUBERNETES_VERSIONS[0]);
    expect(outcome.code).not.toBe(0);
    expect(outcome.stdout + outcome.stderr).toMatch(/'tcpSockett' was unexpected/);
    expect(outcome.stdout + outcome.stderr).toMatch(/'three' is not of type 'integer'/);
  });
});

describe('processes', () => {
  it('one worker Deployment per task queue of temporal.yaml, each polling exactly that queue', () => {
    const workers = containersOf(example()).filter(({ container }) => workerQueue(container));
    expect(QUEUES).toEqual(['execute', 'io', 'llm']);
    expect(workers.map(({ object, container }) => [object.metadata.name, container.args]).sort()).toEqual(
      QUEUES.map((q) => [`testloom-worker-${q}`, ['worker', '--queues', q]]),
    );
  });

  it('the API runs `api` behind its Service, the Job runs `migrate`', () => {
    const objects = example();
    const api = podTemplate(named(objects, 'Deployment', 'testloom-api'));
    expect(api.spec.containers.map((c) => c.args)).toEqual([['api']]);
    const service = named(objects, 'Service', 'testloom-api').spec as { selector: Record<string, string>; ports: { targetPort: string }[] };
    expect(api.metadata.labels).toMatchObject(service.selector);
    expect(api.spec.containers[0].ports?.map((p) => p.name)).toContain(service.ports[0].targetPort);
    expect(podTemplate(named(objects, 'Job', 'testloom-migrate')).spec.containers.map((c) => c.args)).toEqual([['migrate']]);
  });

  it('the commands the manifests run are testloom commands (api, worker --queues, migrate)', async () => {
    const help = async (args: string[]) => {
      const outcome = await run(process.execPath, [projectFile('bin/testloom'), ...args, '--help'], { timeoutMs: 60_000 });
      expect({ args, code: outcome.code, stderr: outcome.stderr }).toEqual({ args, code: 0, stderr: '' });
      return outcome.stdout;
    };
    await help(['api']);
    await help(['migrate']);
    expect(await help(['worker'])).toMatch(/--queues/);
  });

  it('replicas, image and namespace come from the example overlay', () => {
    const objects = example();
    const replicas = Object.fromEntries(ofKind(objects, 'Deployment').map((d) => [d.metadata.name, (d.spec as { replicas: number }).replicas]));
    expect(replicas).toEqual({ 'testloom-api': 2, 'testloom-worker-io': 3, 'testloom-worker-llm': 1, 'testloom-worker-execute': 2 });
    expect(new Set(containersOf(objects).map(({ container }) => container.image))).toEqual(new Set(['registry.example.com/testloom:0.1.0']));
    expect(new Set(objects.map((o) => o.metadata.namespace))).toEqual(new Set(['testloom']));
  });
});

describe('every container', () => {
  it.each(OVERLAYS)('%s: resources, a non-root user, no privilege escalation', (dir) => {
    for (const { object, pod, container } of containersOf(rendered[dir].objects)) {
      const where = `${object.kind}/${object.metadata.name}`;
      expect({ where, requests: Object.keys(container.resources?.requests ?? {}).sort(), limits: Object.keys(container.resources?.limits ?? {}) })
        .toEqual({ where, requests: ['cpu', 'memory'], limits: ['memory'] });
      expect({ where, runAsNonRoot: container.securityContext?.runAsNonRoot ?? pod.spec.securityContext?.runAsNonRoot }).toEqual({ where, runAsNonRoot: true });
      expect({ where, uid: pod.spec.securityContext?.runAsUser }).toEqual({ where, uid: 10001 }); // the image's USER
      expect({ where, allowPrivilegeEscalation: container.securityContext?.allowPrivilegeEscalation }).toEqual({ where, allowPrivilegeEscalation: false });
    }
  });

  it('of a Deployment has startup, liveness and readiness probes', () => {
    for (const { object, container } of containersOf(example()).filter(({ object }) => object.kind === 'Deployment')) {
      expect({ name: object.metadata.name, probes: [container.startupProbe, container.livenessProbe, container.readinessProbe].map(Boolean) })
        .toEqual({ name: object.metadata.name, probes: [true, true, true] });
    }
  });

  it('API: ready when GET /api/health answers 200; alive while it accepts connections (not tied to dependencies)', () => {
    const [api] = podTemplate(named(example(), 'Deployment', 'testloom-api')).spec.containers;
    expect(api.readinessProbe?.httpGet).toEqual({ path: '/api/health', port: 'http' });
    expect(api.livenessProbe).toMatchObject({ tcpSocket: { port: 'http' } });
    expect(api.livenessProbe?.httpGet).toBeUndefined();
  });

  it('workers: every probe is the Temporal-connection script the image ships', () => {
    const script = projectFile('infra/probes/temporal-connected.sh');
    expect(fs.statSync(script).mode & 0o111).not.toBe(0); // executable
    for (const { object, container } of containersOf(example()).filter(({ container }) => workerQueue(container))) {
      for (const probe of [container.startupProbe, container.livenessProbe, container.readinessProbe]) {
        expect({ name: object.metadata.name, exec: probe?.exec }).toEqual({ name: object.metadata.name, exec: { command: [PROBE_SCRIPT] } });
      }
    }
  });
});

describe('configuration and secrets', () => {
  it.each(OVERLAYS)('%s: credentials only through secretKeyRef (or a file of a mounted Secret), none in a ConfigMap or a literal value', (dir) => {
    const { objects } = rendered[dir];
    for (const { object, pod, container } of containersOf(objects)) {
      const secretVolumes = new Set((pod.spec.volumes ?? []).filter((v) => v.secret).map((v) => v.name));
      const secretDirs = (container.volumeMounts ?? []).filter((m) => secretVolumes.has(m.name)).map((m) => `${m.mountPath}/`);
      for (const variable of container.env ?? []) {
        if (!SECRET_NAME.test(variable.name)) continue;
        const source = variable.value === undefined ? Object.keys(variable.valueFrom ?? {}).join() : secretDirs.some((dir) => variable.value!.startsWith(dir)) ? 'secret file' : 'literal';
        expect({ where: object.metadata.name, name: variable.name, source }).toEqual({ where: object.metadata.name, name: variable.name, source: variable.value === undefined ? 'secretKeyRef' : 'secret file' });
      }
      expect(container.envFrom?.filter((source) => source.secretRef)).toEqual([]);
    }
    for (const configMap of ofKind(objects, 'ConfigMap')) {
      expect(Object.keys(configMap.data ?? {}).filter((name) => SECRET_NAME.test(name))).toEqual([]);
      expect(Object.values(configMap.data ?? {}).filter((value) => /:\/\/[^/\s]*:[^/\s]*@/.test(value))).toEqual([]); // user:password@ in a URL
    }
  });

  it.each(OVERLAYS)('%s: every variable is a setting testloom reads (lib/config/env.ts)', (dir) => {
    const { objects } = rendered[dir];
    const names = new Set([
      ...containersOf(objects).flatMap(({ container }) => (container.env ?? []).map((v) => v.name)),
      ...ofKind(objects, 'ConfigMap').flatMap((c) => Object.keys(c.data ?? {})),
    ]);
    expect([...names].filter((name) => !SETTING_NAMES.has(name))).toEqual([]);
  });

  it.each(OVERLAYS)('%s: the ConfigMap, volumes and claims every pod names exist', (dir) => {
    const { objects } = rendered[dir];
    const configMaps = ofKind(objects, 'ConfigMap').map((c) => c.metadata.name);
    const claims = ofKind(objects, 'PersistentVolumeClaim').map((c) => c.metadata.name);
    for (const { object, pod } of workloads(objects)) {
      const volumes = (pod.spec.volumes ?? []).map((v) => v.name);
      for (const container of pod.spec.containers) {
        for (const source of container.envFrom ?? []) expect(configMaps).toContain(source.configMapRef?.name);
        const unknownMounts = (container.volumeMounts ?? []).map((m) => m.name).filter((name) => !volumes.includes(name));
        expect({ where: object.metadata.name, unknownMounts }).toEqual({ where: object.metadata.name, unknownMounts: [] });
      }
      for (const volume of pod.spec.volumes ?? []) if (volume.persistentVolumeClaim) expect(claims).toContain(volume.persistentVolumeClaim.claimName);
    }
  });

  it('every PodDisruptionBudget selects the pods of one Deployment', () => {
    const objects = example();
    const pods = ofKind(objects, 'Deployment').map((d) => podTemplate(d).metadata.labels);
    for (const pdb of ofKind(objects, 'PodDisruptionBudget')) {
      const selector = (pdb.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
      const matched = pods.filter((labels) => Object.entries(selector).every(([k, v]) => labels[k] === v));
      expect({ pdb: pdb.metadata.name, matched: matched.length }).toEqual({ pdb: pdb.metadata.name, matched: 1 });
    }
  });

  it('mTLS (example overlay): the API and every worker read TEMPORAL_TLS_* files from the mounted Secret', () => {
    for (const { object, pod, container } of containersOf(example()).filter(({ object }) => object.kind === 'Deployment')) {
      const env = Object.fromEntries((container.env ?? []).map((v) => [v.name, v.value]));
      const volume = pod.spec.volumes?.find((v) => v.secret?.secretName === 'testloom-temporal-tls');
      const mount = container.volumeMounts?.find((m) => m.name === volume?.name);
      expect({ name: object.metadata.name, mounted: Boolean(mount) }).toEqual({ name: object.metadata.name, mounted: true });
      for (const name of ['TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY', 'TEMPORAL_TLS_CA']) {
        expect(path.dirname(env[name] ?? '')).toBe(mount!.mountPath);
      }
    }
  });

  it('Temporal Cloud overlay: the API and every worker take TEMPORAL_API_KEY from the Secret', () => {
    const { objects } = rendered['infra/k8s/overlays/temporal-cloud'];
    for (const { object, container } of containersOf(objects).filter(({ object }) => object.kind === 'Deployment')) {
      const key = container.env?.find((v) => v.name === 'TEMPORAL_API_KEY');
      expect({ name: object.metadata.name, from: key?.valueFrom?.secretKeyRef }).toEqual({ name: object.metadata.name, from: { name: 'testloom-secrets', key: 'temporal-api-key' } });
    }
  });
});
