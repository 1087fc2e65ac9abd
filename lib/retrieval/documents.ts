import { createHash } from 'node:crypto';
import type { CaseOrigin } from '../core/contract';

/** A finished test case as stored in the vector store: the text that was embedded plus metadata. */
export interface CaseDocument {
  /** Deterministic, so indexing the same case again replaces it (upsert) instead of adding one. */
  id: string;
  text: string;
  title: string;
  repository: string;
  origin: CaseOrigin;
  /** Spec id, issue reference (`owner/repo#12`) or, for seeds, the file it was read from. */
  subject: string;
  kind: string;
  /** File holding the test, relative to the repository root. */
  path: string;
  runId?: string;
  /** Epoch milliseconds. */
  created: number;
}

export function caseDocumentId(repository: string, subject: string, caseKey: string): string {
  return createHash('sha256').update(`${repository}\n${subject}\n${caseKey}`).digest('hex').slice(0, 32);
}

/** A case found similar to a query. `score` is cosine similarity (1 = same direction). */
export interface SimilarCase {
  id: string;
  title: string;
  text: string;
  kind: string;
  origin: CaseOrigin;
  subject: string;
  path: string;
  runId?: string;
  score: number;
}
