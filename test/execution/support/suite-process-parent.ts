/**
 * A stand-in for a worker: starts a long-running "test runner" through runSuiteProcess and waits.
 * The runner writes its pid to the file named by argv[2]; the test then SIGKILLs this process.
 */
import { runSuiteProcess } from '../../../lib/frameworks/shared/suite-process';

const pidFile = process.argv[2];
const runner = `require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); setInterval(() => {}, 1000);`;
void runSuiteProcess({ command: process.execPath, args: ['-e', runner], cwd: process.cwd(), env: { PATH: process.env.PATH ?? '' }, timeLimitMs: 120_000 });
