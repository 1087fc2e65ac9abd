/** Shared vocabulary of a run: what triggers it, its stages, and what it produces. */

export const STAGES = ['receive', 'retrieve', 'generate', 'execute', 'commit', 'createPr', 'finalize'] as const;
export type StageName = (typeof STAGES)[number];

export const TRIGGERS = ['spec', 'issue'] as const;
export type TriggerKind = (typeof TRIGGERS)[number];

export const ACTIVE_RUN_STATUSES = ['queued', 'running'] as const;
/** A run in one of these has ended; a regeneration is a new run. */
export const ENDED_RUN_STATUSES = ['completed', 'failed', 'cancelled'] as const;
export const RUN_STATUSES = [...ACTIVE_RUN_STATUSES, ...ENDED_RUN_STATUSES] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export function hasEnded(status: RunStatus): boolean {
  return (ENDED_RUN_STATUSES as readonly RunStatus[]).includes(status);
}

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

/** `pipeline`: a run's own execute stage; `request`: a later execution asked for over the API or CLI; `schedule`: started by a Temporal Schedule. */
export const EXECUTION_KINDS = ['pipeline', 'request', 'schedule'] as const;
export type ExecutionKind = (typeof EXECUTION_KINDS)[number];

export const EXECUTION_STATUSES = ['running', 'completed', 'skipped', 'failed'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];
