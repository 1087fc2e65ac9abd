import * as workflows from '../../workflows';
import { WORKFLOW, type Workflows } from '../../lib/core/workflows';

// Compile-time half: every name of the contract is exported by workflows/index.ts with the contract's type.
const registered: Workflows = workflows;

describe('workflow contract (lib/core/workflows.ts)', () => {
  it('names exactly the workflow functions a worker registers', () => {
    const exported = Object.entries(workflows).filter(([, value]) => typeof value === 'function').map(([name]) => name);
    expect(exported.sort()).toEqual(Object.values(WORKFLOW).sort());
    for (const name of Object.values(WORKFLOW)) expect(registered[name]).toBe(workflows[name]);
  });
});
