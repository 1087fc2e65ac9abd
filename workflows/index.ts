/** The workflows a worker registers; their names and types are the contract in lib/core/workflows.ts. */
export { generateTests } from './generate-tests';
export { executeRun } from './execute-run';
