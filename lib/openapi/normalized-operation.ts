import type { Operation } from './operation';

/** An operation before ids are assigned across the whole document. */
export type NormalizedOperation = Omit<Operation, 'operationId'> & { declaredOperationId?: string };
