/** Durations in configuration: a whole number with a unit, e.g. "500ms", "30s", "2m", "1h". */
export const DURATION_PATTERN = '^[0-9]+(ms|s|m|h)$';
