import type { OperationPlan } from './operation-plan';

export interface TestFile {
  /** File name inside the suite folder, e.g. `pets.test.ts`. */
  name: string;
  tag: string;
  plans: OperationPlan[];
}

export const UNTAGGED = 'untagged';

function slug(tag: string): string {
  return tag.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || UNTAGGED;
}

/**
 * One test file per tag (an operation's first tag). Jest runs a file's tests top to bottom, so
 * DELETE operations go last: a happy-path delete must not remove the resource other tests read.
 */
export function groupIntoTestFiles(plans: OperationPlan[], fileName: (slug: string) => string = (slug) => `${slug}.test.ts`): TestFile[] {
  const byTag = new Map<string, OperationPlan[]>();
  for (const plan of plans) {
    if (!plan.cases.length) continue;
    const tag = plan.operation.tags[0] ?? UNTAGGED;
    byTag.set(tag, [...(byTag.get(tag) ?? []), plan]);
  }
  const tags = [...byTag.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const usedNames = new Set<string>();
  return tags.map((tag) => {
    const base = slug(tag);
    let name = fileName(base);
    for (let suffix = 2; usedNames.has(name); suffix++) name = fileName(`${base}-${suffix}`);
    usedNames.add(name);
    const tagPlans = byTag.get(tag) ?? [];
    const isDelete = (plan: OperationPlan) => plan.operation.method === 'delete';
    return { name, tag, plans: [...tagPlans.filter((p) => !isDelete(p)), ...tagPlans.filter(isDelete)] };
  });
}
