/**
 * A statement carries at most 65,535 bind parameters (the wire protocol counts them in 16 bits).
 * Over that, Postgres refuses the statement, and PGlite's in-process protocol parser loses its place
 * and answers every later query of the process wrongly (empty lists, "no result"), so a large
 * multi-row insert is split into statements well under the limit.
 */
const MAX_PARAMETERS = 30_000;

/** `rows` in consecutive slices whose statements stay under the parameter limit. */
export function parameterBatches<T extends object>(rows: T[]): T[][] {
  if (!rows.length) return [];
  const columns = Math.max(1, Object.keys(rows[0]).length);
  const size = Math.max(1, Math.floor(MAX_PARAMETERS / columns));
  const batches: T[][] = [];
  for (let i = 0; i < rows.length; i += size) batches.push(rows.slice(i, i + size));
  return batches;
}
