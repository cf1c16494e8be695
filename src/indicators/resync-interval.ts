/**
 * Returns after how many updates a running sum over `period` values is recomputed from its
 * window. Sliding sums gain a rounding error on every add and subtract; recomputing now and then
 * keeps the error bounded on endless streams at an amortised cost below one addition per update.
 */
export function resyncInterval(period: number): number {
  return Math.max(1024, period * 4);
}
