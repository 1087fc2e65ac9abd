export { generateTests, statusQuery, cancelSignal, regenerateSignal } from './generate-tests';
export * from './execute-run';
