/** Consecutive indices grouped: [1, 2, 4] → [[1, 2], [4, 4]] (statements removed together, by the test-source editors). */
export function runsOf(indices: number[]): [number, number][] {
  const runs: [number, number][] = [];
  for (const index of indices) {
    const current = runs[runs.length - 1];
    if (current && current[1] === index - 1) current[1] = index;
    else runs.push([index, index]);
  }
  return runs;
}
