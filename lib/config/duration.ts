/** Durations in configuration: a whole number with a unit, e.g. "500ms", "30s", "2m", "1h". */
export const DURATION_PATTERN = '^[0-9]+(ms|s|m|h)$';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

export function durationToMs(value: string): number {
  const match = /^([0-9]+)(ms|s|m|h)$/.exec(value);
  if (!match) throw new Error(`not a duration: ${value}`);
  return Number(match[1]) * UNIT_MS[match[2]];
}
