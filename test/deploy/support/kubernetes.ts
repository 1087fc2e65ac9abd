/** Renders infra/k8s with `kubectl kustomize` and reads what the tests look at in the objects. */
import YAML from 'yaml';
import { projectFile, requireKubectl, run } from './tools';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean }; configMapKeyRef?: unknown; fieldRef?: unknown };
}

export interface Probe {
  httpGet?: { path: string; port: string | number };
  tcpSocket?: { port: string | number };
  exec?: { command: string[] };
}

export interface Container {
  name: string;
  image: string;
  args?: string[];
  command?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; allowPrivilegeEscalation?: boolean };
  volumeMounts?: { name: string; mountPath: string }[];
}

export interface PodTemplate {
  metadata: { labels: Record<string, string> };
  spec: {
    containers: Container[];
    initContainers?: Container[];
    securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
    volumes?: { name: string; secret?: { secretName: string }; persistentVolumeClaim?: { claimName: string } }[];
  };
}

/** `kubectl kustomize <dir>` (relative to the checkout) as objects, and the YAML it printed. */
export async function renderKustomization(dir: string): Promise<{ yaml: string; objects: KubeObject[] }> {
  const kubectl = requireKubectl();
  const outcome = await run(kubectl, ['kustomize', projectFile(dir)]);
  if (outcome.code !== 0) throw new Error(`kubectl kustomize ${dir} failed:\n${outcome.stderr}`);
  const objects = YAML.parseAllDocuments(outcome.stdout).map((doc) => doc.toJS() as KubeObject);
  return { yaml: outcome.stdout, objects };
}

export const ofKind = (objects: KubeObject[], kind: string) => objects.filter((o) => o.kind === kind);

export function named(objects: KubeObject[], kind: string, name: string): KubeObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in the rendered manifests (have: ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')})`);
  return found;
}

/** The pod template of a Deployment or Job. */
export const podTemplate = (workload: KubeObject) => (workload.spec as { template: PodTemplate }).template;

/** Every workload (Deployment, Job) with its pod template. */
export function workloads(objects: KubeObject[]): { object: KubeObject; pod: PodTemplate }[] {
  return objects.filter((o) => o.kind === 'Deployment' || o.kind === 'Job').map((object) => ({ object, pod: podTemplate(object) }));
}
