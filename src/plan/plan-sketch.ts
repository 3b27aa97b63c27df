/**
 * Single-pass sketch sizes from a memory budget in bytes [TYUC19 §5.4; docs/METHODS.md §2]. What a
 * budget covers is each method's layout table (src/sketch method modules: the sums, the TSQR factor,
 * the kept maps Omega and Psi, the engine workspace; plus the range rows when a memory spill keeps
 * them, which needs `rows`), and the same table allocates the record, so `stateBytes` equals the
 * model (tested). Not covered: a spill on disk, object headers, reconstruction's transients.
 *
 * Rules:
 * - 'natural': the largest k with s = 2k + 1 (two-sketch: l = 2k + 1) that fits, then s (l) as
 *   large as the rest allows: the byte analogue of k(m + n) + (2k + 1)^2 <= T [TYUC19 §5.4.2].
 * - 'flat' (default): over every k that fits, the s (l) that fills the budget, choosing the pair that
 *   minimises the theorem's bound factor [TYUC19 Thm. 5.1; TYUC17 Thm. 4.3]. Measured on total
 *   error (1 + excess) over bench/out/accuracy-single-view.md's 108 cells: natural up to 1.29x worse
 *   than flat, flat never more than 1.011x worse than natural.
 * - rsvd ('oversample', `rsvdWidth`): the block width l = r + p. p = max(10, r) [HMT11 §4.2; §10.2:
 *   E||A - QQ^T A||_F <= (1 + r/(p - 1))^{1/2} tau_{r+1}, so p = r keeps the factor below 1.42]
 *   when it fits. Beyond that, more of the budget is spent on p only while the run stays cheap: the
 *   largest l whose work, m l (n + 2l) multiply-adds in the pass plus ~50 l^3 for the
 *   reconstruction's small SVDs, is within RSVD_FREE_WORK = 2^30 (about 0.1 s of this machine's
 *   kernels), which needs m. A budget is a ceiling, not a target: a large input keeps
 *   l = r + max(10, r) (100 000 x 1024 at rank 20: l = 40, the speed of numpy's RSVD), a small one
 *   gets the accuracy its budget can buy for no time anyone would notice (the five shared matrices at
 *   64 MiB: l up to n, the exact answer). Measured: bench/out/one-pass.md; the per-l curves of the
 *   real and synthetic matrices there show what p buys on slow spectra (normalized spectral error
 *   1.5-2.0 at p = 10, 1.0-1.2 at l = 8r). Below the budget, the largest l that fits.
 * - FD: the largest l that fits.
 * The chunk height (workspace rows: pure speed) is first lowered towards MIN_CHUNK_ROWS until its
 * share of the budget is at most a quarter at the minimum sizes. Below the minimum (k = r + 2,
 * s = 2k + 1; rsvd l = r + 2; FD l = r + 1) the planner refuses with the smallest budget that works.
 */
import { BudgetError } from '../errors.js';
import { formatBytes } from '../format-bytes.js';
import { layoutBytes, MIN_CHUNK_ROWS, rsvdOversamples, threeSketchBoundFactor, twoSketchBoundFactor } from '../sketch/index.js';
import type { SketchParams, SketchSizes } from '../sketch/index.js';

export interface SketchPlanQuery extends Omit<SketchParams, 'sizes'> {
  q: number;
  chunk: number;
  /** Rows held in memory by the range spill (0 when the rows go to an external spill). */
  rowsInMemory: number;
  /** m, if known: the rsvd rule spends more of the budget on a small input (`rsvdWidth`). */
  rows?: number;
}

/** Multiply-adds the rsvd rule may spend beyond l = r + max(10, r) (about 0.1 s of the kernels here). */
export const RSVD_FREE_WORK = 2 ** 30;
/** Multiply-add equivalents per l^3 of the rsvd reconstruction (two SVDs of l x l, in TypeScript). */
const RSVD_RECONSTRUCT_PER_L3 = 50;

/** Estimated multiply-adds of a one-pass rsvd of width l over m x n: H and the TSQR, then the reconstruction. */
export function rsvdWork(m: number, n: number, l: number): number {
  return m * l * (n + 2 * l) + RSVD_RECONSTRUCT_PER_L3 * l ** 3;
}

/** The rsvd width and the candidates it was chosen from (see the rule above). */
export interface RsvdWidth {
  /** The chosen l. */
  l: number;
  /** r + max(10, r), capped at min(m, n). */
  base: number;
  /** The largest l that fits the budget (capped at min(m, n)). */
  fit: number;
  /** The largest l within RSVD_FREE_WORK (undefined when m is not known). */
  cheap?: number;
}

export function rsvdWidth(query: SketchPlanQuery, budget: number): RsvdWidth {
  const { rank: r, cols: n, rows } = query;
  const lo = Math.min(n, r + 2);
  const cap = Math.max(lo, rows !== undefined ? Math.min(n, rows) : n);
  const base = Math.max(lo, Math.min(cap, r + rsvdOversamples(r)));
  const largest = (ok: (l: number) => boolean): number => {
    let a = lo, b = cap;
    if (!ok(a)) return lo - 1;
    while (a < b) { const mid = (a + b + 1) >> 1; if (ok(mid)) a = mid; else b = mid - 1; }
    return a;
  };
  const fit = largest((l) => sketchBytes(query, { k: l, s: 0, l: 0 }) <= budget);
  if (rows === undefined) return { l: Math.min(fit, base), base, fit };
  const cheap = largest((l) => rsvdWork(rows, n, l) <= RSVD_FREE_WORK);
  return { l: Math.min(fit, Math.max(base, cheap)), base, fit, cheap };
}

/** Bytes of a record with these sizes (the method's layout table). */
export function sketchBytes(query: SketchPlanQuery, sizes: Pick<SketchSizes, 'k' | 's' | 'l'>): number {
  const { q, chunk, rowsInMemory, rows: _rows, ...rest } = query;
  return layoutBytes({ ...rest, sizes: { ...sizes, q, chunk, rule: 'explicit' } }, rowsInMemory);
}

/** The smallest sizes the method accepts for rank r (k capped at n). */
export function minimumSizes(query: Pick<SketchPlanQuery, 'method' | 'rank' | 'cols'>): { k: number; s: number; l: number } {
  const { method, rank: r, cols: n } = query;
  if (method === 'fd') return { k: 0, s: 0, l: r + 1 };
  const k = Math.min(n, r + 2);
  if (method === 'rsvd') return { k, s: 0, l: 0 };
  return method === 'three-sketch' ? { k, s: 2 * k + 1, l: 0 } : { k, s: 0, l: 2 * k + 1 };
}

/** The smallest memory budget in bytes that works for this method, rank and shape. */
export function minimumSketchBudget(query: SketchPlanQuery): number {
  return sketchBytes(query, minimumSizes(query));
}

export function planSketch(query: SketchPlanQuery, budget: number, rule: 'natural' | 'flat', fixedChunk = false): SketchSizes {
  if (!fixedChunk) query = { ...query, chunk: chunkFor(query, budget) };
  const { method, rank: r, cols: n, q, chunk } = query;
  const min = minimumSketchBudget(query);
  if (!(budget >= min)) {
    const what = method === 'fd' ? 'Frequent Directions' : method;
    throw new BudgetError(
      `memory budget ${formatBytes(budget)} is too small for rank ${r} with ${n} columns (${what}, ${query.testMatrix}): ` +
      `the smallest that works is ${formatBytes(min)} (${min} bytes)`,
    );
  }
  const bytes = (k: number, x: number) => sketchBytes(query, method === 'three-sketch' ? { k, s: x, l: 0 } : method === 'fd' ? { k: 0, s: 0, l: x } : { k, s: 0, l: x });
  const fits = (k: number, x: number) => bytes(k, x) <= budget;
  // Largest x >= lo with fits(k, x), capped (the budget is finite but may be huge).
  const largest = (k: number, lo: number, cap: number): number => {
    if (!fits(k, lo)) return lo - 1;
    let a = lo, b = lo;
    while (b < cap && fits(k, Math.min(cap, b * 2))) b = Math.min(cap, b * 2);
    if (b === cap) return cap;
    let hi = Math.min(cap, b * 2);
    a = b;
    while (hi - a > 1) { const mid = (a + hi) >> 1; if (fits(k, mid)) a = mid; else hi = mid; }
    return a;
  };
  if (method === 'fd') return { k: 0, s: 0, l: largest(0, r + 1, Math.max(r + 1, n)), q, rule, chunk };
  if (method === 'rsvd') return { k: rsvdWidth(query, budget).l, s: 0, l: 0, q, rule: 'oversample', chunk };
  const three = method === 'three-sketch';
  const kMin = minimumSizes(query).k, kMax = Math.max(kMin, n);
  const sCap = (k: number) => Math.max(2 * k + 1, n);
  const pack = (k: number, x: number): SketchSizes => (three ? { k, s: x, l: 0, q, rule, chunk } : { k, s: 0, l: x, q, rule, chunk });
  if (rule === 'natural') {
    let lo = kMin, hi = kMax + 1;
    while (hi - lo > 1) { const mid = (lo + hi) >> 1; if (fits(mid, 2 * mid + 1)) lo = mid; else hi = mid; }
    return pack(lo, largest(lo, 2 * lo + 1, sCap(lo)));
  }
  let best = { k: kMin, x: 2 * kMin + 1, f: Infinity };
  for (let k = kMin; k <= kMax; k++) {
    if (!fits(k, k + 2)) break;
    const x = largest(k, k + 2, sCap(k));
    const f = three ? threeSketchBoundFactor(k, x, r) : twoSketchBoundFactor(k, x, r);
    if (f < best.f) best = { k, x, f };
  }
  return pack(best.k, best.x);
}

/** The tallest chunk (<= query.chunk) whose workspace costs at most a quarter of the budget at the minimum sizes. */
function chunkFor(query: SketchPlanQuery, budget: number): number {
  const sz = minimumSizes(query);
  let chosen = query.chunk;
  for (let c = query.chunk; c >= MIN_CHUNK_ROWS; c = Math.floor(c / 2)) {
    chosen = c;
    const at = sketchBytes({ ...query, chunk: c }, sz), small = sketchBytes({ ...query, chunk: MIN_CHUNK_ROWS }, sz);
    if (at - small <= budget / 4 && at <= budget) break;
  }
  return Math.max(MIN_CHUNK_ROWS, chosen);
}

/**
 * The papers' rules in scalar storage T (the benchmark's axis T/(m + n)) [TYUC19 §5.4.2, §7.3].
 * Three-sketch storage is k(m + n) + s^2; two-sketch storage is k m + l n. 'natural': three-sketch
 * k = max(r + 2, floor((sqrt((m+n+4)^2 + 16(T - 1)) - (m+n+4)) / 8)), s = floor(sqrt(T - k(m + n)));
 * two-sketch l = 2k + 1 with k as large as fits, then l fills T. 'flat': the k that minimises the
 * bound factor with s (l) filling the rest.
 */
export function sizesForStorage(
  method: 'three-sketch' | 'two-sketch', storage: number, m: number, n: number, r: number, rule: 'natural' | 'flat',
): { k: number; s: number; l: number } {
  if (method === 'three-sketch') {
    const sOf = (k: number) => Math.floor(Math.sqrt(storage - k * (m + n)));
    if (rule === 'natural') {
      const k = Math.max(r + 2, Math.floor((Math.sqrt((m + n + 4) ** 2 + 16 * (storage - 1)) - (m + n + 4)) / 8));
      return { k, s: sOf(k), l: 0 };
    }
    let best = { k: r + 2, s: sOf(r + 2), f: Infinity };
    for (let k = r + 2; storage - k * (m + n) >= (k + 2) ** 2; k++) {
      const s = sOf(k), f = threeSketchBoundFactor(k, s, r);
      if (f < best.f) best = { k, s, f };
    }
    return { k: best.k, s: best.s, l: 0 };
  }
  const lOf = (k: number) => Math.floor((storage - k * m) / n);
  if (rule === 'natural') {
    const k = Math.max(r + 2, Math.floor((storage - n) / (m + 2 * n)));
    return { k, s: 0, l: lOf(k) };
  }
  let best = { k: r + 2, l: lOf(r + 2), f: Infinity };
  for (let k = r + 2; lOf(k) >= k + 2; k++) {
    const l = lOf(k), f = twoSketchBoundFactor(k, l, r);
    if (f < best.f) best = { k, l, f };
  }
  return { k: best.k, s: 0, l: best.l };
}
