/** A coverage count as runs report it: how many of the spec's operations, statuses, parameters were exercised. */
export interface CoverageFigure {
  covered: number;
  total: number;
  /** One decimal; null when the spec has nothing of the kind. */
  percent: number | null;
}
