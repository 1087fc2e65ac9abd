import { CALL_COST_IN_PIECES, lengthGroups } from '../../lib/embeddings/length-groups';

const padded = (lengths: number[], groups: number[][]) =>
  groups.reduce((sum, group) => sum + group.length * Math.max(...group.map((i) => lengths[i])), 0);

describe('lengthGroups: which texts go through the model together', () => {
  it('puts every text in exactly one group of at most maxRows, shortest first', () => {
    const lengths = Array.from({ length: 100 }, (_, i) => 10 + ((i * 37) % 200));
    const groups = lengthGroups(lengths, 16);
    expect(groups.flat().sort((a, b) => a - b)).toEqual(lengths.map((_, i) => i));
    for (const group of groups) expect(group.length).toBeLessThanOrEqual(16);
    const widths = groups.map((group) => group.map((i) => lengths[i]));
    expect(widths.flat()).toEqual([...lengths].sort((a, b) => a - b));
  });

  it('keeps texts of one length in one call, and splits when the padding saved outweighs a call', () => {
    expect(lengthGroups(Array(32).fill(15), 32)).toHaveLength(1);
    expect(lengthGroups(Array(40).fill(15), 32).map((group) => group.length)).toEqual([8, 32]);
    // 16 short and 16 long texts: padding the short ones to the long width costs far more than a call.
    const lengths = [...Array(16).fill(12), ...Array(16).fill(120)];
    const groups = lengthGroups(lengths, 32);
    expect(groups.map((group) => group.map((i) => lengths[i]))).toEqual([Array(16).fill(12), Array(16).fill(120)]);
    // A little padding is cheaper than another call.
    expect(lengthGroups([20, 21, 22, 23], 32)).toHaveLength(1);
  });

  it('never pads more than one call per text would, counting the cost of each call', () => {
    const lengths = Array.from({ length: 64 }, (_, i) => 8 + ((i * 13) % 50));
    const groups = lengthGroups(lengths, 32);
    const cost = padded(lengths, groups) + groups.length * CALL_COST_IN_PIECES;
    const oneBatchOf32 = padded(lengths, [lengths.slice(0, 32).map((_, i) => i), lengths.slice(32).map((_, i) => i + 32)]) + 2 * CALL_COST_IN_PIECES;
    expect(cost).toBeLessThan(oneBatchOf32);
    expect(lengthGroups([], 32)).toEqual([]);
  });
});
