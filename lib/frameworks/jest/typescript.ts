/**
 * TypeScript's compiler API, loaded on first use: it holds about 60 MB, which a process that never
 * checks or edits a Jest test (an API process, an idle `testloom up`) does not need.
 */
import type * as TS from 'typescript';

let compiler: typeof TS | undefined;

// eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see above
const load = (): typeof TS => (compiler ??= require('typescript') as typeof TS);

export const ts = new Proxy({} as typeof TS, { get: (_target, key): unknown => Reflect.get(load(), key) });
