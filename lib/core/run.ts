/** Shared vocabulary of a run: what triggers it, its stages, and what it produces. */

export const STAGES = ['receive', 'retrieve', 'generate', 'execute', 'commit', 'createPr', 'finalize'] as const;
export type StageName = (typeof STAGES)[number];

export type TriggerKind = 'spec' | 'issue';

export const RUN_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export type SpecSourceKind = 'upload' | 'path' | 'url';

/** Where a spec came from; `location` is the file path or URL it was read from (its refs were bundled when it was stored). */
export interface SpecSource {
  kind: SpecSourceKind;
  location?: string;
}

export type ArtifactKind = 'test' | 'helper' | 'doc';

/** A file the run delivers, relative to the target repository root. */
export interface Artifact {
  path: string;
  kind: ArtifactKind;
  content: string;
}
