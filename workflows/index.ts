export { generateTests, statusQuery, cancelSignal } from './generate-tests';
