/** The shell scripts of the deployment (worker probe, Temporal schema and namespace set-up) pass shellcheck as POSIX sh. */
import { SHELLCHECK } from '../../infra/deploy-tools';
import { projectFile, requireTool, run } from './support/tools';

const SCRIPTS = ['infra/probes/temporal-connected.sh', 'infra/compose/temporal-schema.sh', 'infra/compose/temporal-namespace.sh'];

describe('deployment shell scripts', () => {
  it.each(SCRIPTS)('%s passes shellcheck (sh, every severity)', async (script) => {
    const outcome = await run(await requireTool(SHELLCHECK), ['--shell=sh', '--severity=style', projectFile(script)]);
    expect({ code: outcome.code, findings: outcome.stdout + outcome.stderr }).toEqual({ code: 0, findings: '' });
  });

  it('shellcheck does report a POSIX sh problem (so a pass above means something)', async () => {
    const outcome = await run('/bin/sh', ['-c', `printf '%s\\n' '#!/bin/sh' 'if [[ -n $1 ]]; then echo $1; fi' | ${await requireTool(SHELLCHECK)} --shell=sh -`]);
    expect(outcome.code).not.toBe(0);
    expect(outcome.stdout).toMatch(/SC3010/); // [[ ]] is not POSIX
  });
});
