/**
 * Row coverage as sorted disjoint half-open intervals [a0, b0, a1, b1, ...]: which rows a record
 * absorbed (`covered`) and which its spill holds (`spillCovered`).
 */

/**
 * Add [a, b) to the sorted disjoint interval list (coalescing neighbours) unless `dryRun`;
 * return whether it overlapped rows already covered.
 */
export function addInterval(iv: number[], a: number, b: number, dryRun: boolean): boolean {
  // First interval whose end is >= a (could touch or overlap).
  let lo = 0, hi = iv.length / 2;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (iv[2 * mid + 1] < a) lo = mid + 1; else hi = mid; }
  let overlap = false, end = lo;
  let na = a, nb = b;
  while (end < iv.length / 2 && iv[2 * end] <= b) {
    const ia = iv[2 * end], ib = iv[2 * end + 1];
    if (ia < b && ib > a) overlap = true;
    na = Math.min(na, ia); nb = Math.max(nb, ib);
    end++;
  }
  if (!dryRun) iv.splice(2 * lo, 2 * (end - lo), na, nb);
  return overlap;
}

/** Number of rows covered. */
export function coveredCount(iv: readonly number[]): number {
  let m = 0;
  for (let t = 0; t < iv.length; t += 2) m += iv[t + 1] - iv[t];
  return m;
}

/** Whether two coverage lists are equal. */
export function sameCoverage(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** A short description of the rows in `all` that `part` misses ("rows [0, 1000)", or a count). */
export function missingRows(all: readonly number[], part: readonly number[]): string {
  const miss: number[] = [];
  for (let t = 0; t < all.length; t += 2) {
    let a = all[t];
    const b = all[t + 1];
    for (let u = 0; u < part.length && a < b; u += 2) {
      const pa = part[u], pb = part[u + 1];
      if (pb <= a || pa >= b) continue;
      if (pa > a) miss.push(a, pa);
      a = Math.max(a, pb);
    }
    if (a < b) miss.push(a, b);
  }
  const n = coveredCount(miss);
  return miss.length === 2 ? `rows [${miss[0]}, ${miss[1]})` : `${n} rows in ${miss.length / 2} ranges`;
}
