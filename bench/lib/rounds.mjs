// What every interleaved comparison of the bench shares: the order of its sides in a round, and
// the median of its rounds.

/** The sides in turn, A B, B A, A B, …: neither always runs first, right after the other stopped. */
export function inTurn(sides, round) {
  return round % 2 === 0 ? sides : [...sides].reverse();
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
