import type { Config } from '../lib/config';
import type { FrameworkName } from '../lib/core/frameworks';
import type { TargetConfig } from '../lib/core/target';
import { planSpecRun, type RunPlan } from '../lib/runs/plan';
import { specReference } from './run-request';

/**
 * `testloom plan`: what a run of this spec would generate and which credential variables its suite
 * reads, worked out on this machine exactly as the API's `POST /api/v1/plans` does — no server,
 * nothing stored.
 */
export async function planSpec(
  options: { spec: string; repository?: string; framework?: FrameworkName },
  target: TargetConfig | undefined,
  config: Config,
): Promise<RunPlan> {
  return planSpecRun({ config }, {
    spec: await specReference(options.spec, config),
    ...(options.repository ? { repository: options.repository } : {}),
    ...(options.framework ? { framework: options.framework } : {}),
    ...(target ? { target } : {}),
  });
}

function kinds(counts: Record<string, number>): string {
  return Object.entries(counts).map(([kind, count]) => `${kind} ${count}`).join(', ');
}

export function printPlan(plan: RunPlan, print: (line?: string) => void): void {
  print(`${plan.title ?? 'Untitled API'} (OpenAPI ${plan.openapiVersion ?? '?'}, spec ${plan.specId.slice(0, 12)}) → ${plan.repository}, ${plan.framework}`);
  print(`  ${plan.cases.total} test cases for ${plan.operations.length} of ${plan.operationCount} operations: ${kinds(plan.cases.byKind)}`);
  for (const operation of plan.operations) {
    const auth = operation.credentials.length ? `  [${operation.credentials.join(', ')}]` : '';
    print(`    ${operation.method.padEnd(6)} ${operation.path}  ${operation.operationId}: ${operation.caseCount} (${kinds(operation.cases)})${auth}`);
  }
  for (const skipped of plan.skipped) print(`  skipped ${skipped.method} ${skipped.path} (${skipped.operationId}): ${skipped.reason}`);
  print();
  if (!plan.credentials.length) print('  credentials: the suite reads no API_AUTH_* variable');
  for (const credential of plan.credentials) {
    print(`  ${credential.variable}  (${credential.declared}, scheme "${credential.scheme}"): ${credential.holds}; used by ${credential.operations.length} operations`);
  }
  for (const scheme of plan.unsendableSchemes) print(`  not sent: scheme "${scheme.scheme}" (${scheme.declared}): its operations get no auth cases`);
  print(`  target: ${plan.target ? `${plan.target.baseUrl} (${plan.target.source})` : 'none: the suite is committed without being executed'}`);
  for (const error of plan.limitErrors) print(`  the run would fail: ${error}`);
  for (const note of plan.notes) print(`  note: ${note}`);
}
