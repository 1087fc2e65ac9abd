import type { Artifact } from '../../core/run';

/** A framework's compile gate (`typescript`, `python-compile`: its QualityGate's name) or `assertions`, which every test file must pass. */
export type GateName = string;

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

export interface GateOptions {
  /** The interpreter of the pytest gate (default TESTLOOM_PYTHON, else `python3`). */
  python?: string;
  timeoutMs?: number;
}

/** What one framework's gate found in the files it checks. */
export interface CompileCheck {
  /** Files that do not compile or type-check, once each. */
  failed: GateFailure[];
  /** Assertions counted per test file it could read; a file missing here is not judged by the assertions gate. */
  assertions: Map<string, number>;
}
