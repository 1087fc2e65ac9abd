import type { TestCase } from './types';

export type PlannedCase = Omit<TestCase, 'file'>;

/** A case of one operation before the operation's id, method and path are filled in. */
export type CaseDraft = Omit<PlannedCase, 'operationId' | 'method' | 'path'>;
