export { generateTests, statusQuery, cancelSignal, regenerateSignal } from './generate-tests';
