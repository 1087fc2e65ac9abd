'use strict';
/**
 * A Jest process that runs a suite several times (lib/frameworks/jest/runner.ts): each line on
 * stdin is one run's Jest arguments as JSON (`{ "args": [...] }`); when the run has ended, with its
 * report written, a line `{ "code": <exit code> }` (or `{ "error": ... }`) goes to file descriptor 3,
 * after the session's end mark on stdout and stderr.
 * A run after the first skips Jest's start-up: about 0.3 s of CPU, half of a small suite's run.
 * Each run is Jest's own, as `jest <args>` would do it: its files get new module registries and
 * test environments. A run that bails (fail-fast) ends the process, as `jest --bail` would.
 * Plain CommonJS: it runs with node alone, before any TypeScript loader.
 */
const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');

const jestDir = path.dirname(require.resolve('jest/package.json'));
const { buildArgv } = require(require.resolve('jest-cli', { paths: [jestDir] }));
const { runCLI } = require(require.resolve('@jest/core', { paths: [jestDir] }));

const ANSWERS = 3;
const MARK = `${process.env.TESTLOOM_SESSION_MARK}\n`;
delete process.env.TESTLOOM_SESSION_MARK; // the suite sees only the environment it was given
/** The end mark on stdout and stderr first (lib/frameworks/shared/suite-session.ts): the run's output ends there. */
const answer = (message) => {
  fs.writeSync(1, MARK);
  fs.writeSync(2, MARK);
  fs.writeSync(ANSWERS, `${JSON.stringify(message)}\n`);
};

async function main() {
  for await (const line of readline.createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    try {
      const { args } = JSON.parse(line);
      const { results, globalConfig } = await runCLI(await buildArgv(args), [process.cwd()]);
      answer({ code: results.success ? 0 : globalConfig.testFailureExitCode });
    } catch (err) {
      answer({ error: err instanceof Error ? err.message : String(err) });
    }
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
