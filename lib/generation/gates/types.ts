import type { Artifact } from '../../core/run';

export type GateName = 'typescript' | 'python-compile' | 'assertions';

export interface GateFailure {
  path: string;
  gate: GateName;
  /** One line, for the run's results and the PR body. */
  reason: string;
  /** Compiler messages as `path:line:column: message`, complete enough to ask a model for a repair. */
  diagnostics: string[];
}

export interface GateResult {
  passed: Artifact[];
  failed: GateFailure[];
}
