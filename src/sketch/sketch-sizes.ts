/**
 * Sketch sizes from a memory budget in bytes, or from the papers' scalar storage T.
 *
 * Notation: r target rank, k range/co-range size, s core size [TYUC19], l co-range size [TYUC17]
 * (FD: sketch rows), q error-sketch size, n = cols, m = rows, c = chunk rows.
 *
 * WHAT THE BUDGET COVERS (`sketchBytes`): every typed array the state holds in memory, float64 unless
 * said otherwise (8 bytes), int32 indices (4 bytes):
 * - three-sketch: co-range X (k n), core Z (s^2), error sketch S (q n), column sums (n), Upsilon 1 (k),
 *   TSQR R ((k+1)^2), Phi [Y 1] (s (k+1)), Theta [Y 1] (q (k+1)); the kept maps on the non-streamed
 *   axis Omega^T (n k) and Psi (s n) (sparse-sign: n zeta index/value pairs each, 12 bytes per pair);
 *   the same two maps packed once, densely, for the GEMM kernels (n (k + s), width padded to 4),
 *   and a float32 copy of that panel (4 bytes, width padded to 8) for float32 rows;
 *   the chunk workspace: TSQR stack ((k+1+c)(k+1)) and TSQR scratch ((k+1) c + 33 (k+1) + 2048), Upsilon and Phi rows (c k, c s; written
 *   densely for both families), Theta rows (c q), [Y | A Psi^T] (c (k + s)), Householder scratch (k+1), the input chunk as
 *   float64 (c n; used when no packed panel is available), float32 copy of the streamed maps (c (k + q)),
 *   float32 Phi rows and A Psi^T for the core product (2 c s, 4 bytes).
 * - two-sketch: W (l n), S (q n), column sums (n), R ((k+1)^2), Psi [Y 1] (l (k+1)), Theta [Y 1]
 *   (q (k+1)), Omega^T (n k or sparse; also packed densely, n k padded), workspace: stack, Psi rows (c l, dense), Theta rows (c q),
 *   input chunk (c n).
 * - FD: buffer (2l x n), S (q n), column sums (n), Theta rows (c q), input chunk (c n), and the transient peak of one
 *   shrink (a (2l x n) copy, (2l)^2 Gram and factors), counted although it is freed afterwards.
 * - the range rows when they are held in memory (no spill given): m k (that needs `rows`).
 * Not covered: a spill that writes to disk, JS object headers (a few hundred bytes), the output of
 * `reconstruct` (n r + k r + ...) and the transient arrays of reconstruction (O((k + s) n)).
 *
 * Maps on the streamed axis (Upsilon, Phi, Psi of the two-sketch, Theta) are regenerated per chunk
 * [ALGORITHMS.md §0] and cost only their chunk workspace. Omega and Psi act on the non-streamed
 * axis; they are kept because regenerating n k Gaussians per chunk would cost more than the product.
 */
import { ArgumentError, BudgetError } from '../errors.js';
import { sparseSignZeta } from '../random/test-matrix.js';
import type { SketchMethod, SketchSizes, SketchTestMatrix } from './types.js';

// 256 rather than 128: the per-call cost of the small products (C copied in and out of the kernels'
// memory, s^2 for the core) is amortized over twice the rows; +4-5% rows/s at ranks 10 and 32 (100k x
// 256 float32) for about 1.6 MiB more workspace at rank 32. Budgets still shrink it (sizesForBudget).
export const DEFAULT_CHUNK_ROWS = 256;
/** The smallest chunk a budget may shrink the workspace to (the budget error quotes the minimum at this chunk). */
export const MIN_CHUNK_ROWS = 8;
export const DEFAULT_ERROR_SKETCH_DIM = 10;
/**
 * Default test-matrix family of the single-pass sketches: sparse sign (zeta = min(dim, 8) nonzeros
 * per column [TYUC19 §3.3; ALGORITHMS.md §3]). Measured: equal accuracy to Gaussian on the 108-cell
 * grid (median error ratio 0.994, bench/out/accuracy-single-view.md) and 1.7x (rank 10) to 3x
 * (rank 32) the rows/s on float32 rows, where it is applied sparsely in WebAssembly
 * (src/sketch/absorb-resident.ts); its compressed maps also leave more of a budget to the sketch.
 * The error sketch Theta stays Gaussian. [TYUC19]'s expectation bounds are proved for Gaussian maps:
 * pass `testMatrix: 'gaussian'` for them.
 */
export const DEFAULT_TEST_MATRIX: SketchTestMatrix = 'sparse-sign';

export interface SizeQuery {
  method: SketchMethod;
  testMatrix: SketchTestMatrix;
  cols: number;
  rank: number;
  q: number;
  chunk: number;
  /** Rows held in memory by the range spill (0 when the rows go to an external spill). */
  rowsInMemory: number;
}

/** Bytes of the in-memory state for sizes (k, s | l) (see the file comment for what is counted). */
export function sketchBytes(query: SizeQuery, k: number, sOrL: number): number {
  const { method, testMatrix, cols: n, q, chunk: c, rowsInMemory: m } = query;
  const sparse = testMatrix === 'sparse-sign';
  const pair = 12;
  if (method === 'fd') {
    const l = sOrL, b = 2 * l;
    return 8 * (c * n + b * n + q * n + n + c * q + b * n + b * b + b + b * b);
  }
  const k1 = k + 1;
  const tw = tsqrWorkspaceSizes(k1, c);
  const common = c * n + q * n + n + k1 * k1 + q * k1 + (k1 + c) * k1 + tw.work + tw.panel + c * q + k1 + Math.ceil(m / 64) * 64 * k; // memorySpill pages hold 64 rows
  const omega = sparse ? n * sparseSignZeta(k) * pair : 8 * n * k;
  // The packed panel [Omega^T | Psi^T] (n x (k + s), width padded to 4), both families.
  // Plus its float32 copy (width padded to 8) and the float32 copy of the streamed maps.
  const panel = (w: number) => 8 * n * 4 * Math.ceil(w / 4) + 4 * n * 8 * Math.ceil(w / 8);
  if (method === 'three-sketch') {
    const s = sOrL;
    const psi = sparse ? n * sparseSignZeta(s) * pair : 8 * s * n;
    const coMap = 8 * c * k, phiMap = 8 * c * s; // written densely for both families
    const t = 8 * c * (k + s);
    return 8 * (common + k * n + s * s + k + s * k1) + t + omega + psi + coMap + phiMap + panel(k + s) + 4 * c * (k + q) + 4 * 2 * c * s;
  }
  const l = sOrL;
  const coMap = 8 * c * l;
  return 8 * (common + l * n + l * k1) + omega + coMap + panel(k) + 4 * c * (l + q);
}

/** Float64 workspace of `tsqrFromStack` for chunks of c rows: the transposed chunk, then the panel scratch. */
export function tsqrWorkspaceSizes(k1: number, c: number): { work: number; panel: number } {
  // createTsqr's panel: V^T C (nb x k1), T and V^T V (nb x nb), taus (k1), with nb <= 32.
  return { work: k1 * c, panel: TSQR_MAX_PANEL * k1 + 2 * TSQR_MAX_PANEL * TSQR_MAX_PANEL + k1 };
}
const TSQR_MAX_PANEL = 32;

/** The smallest sizes the method accepts for rank r: k = r + 2 and s (or l) = 2k + 1 [ALGORITHMS.md §2]. */
export function minimumSizes(method: SketchMethod, rank: number): { k: number; sOrL: number } {
  if (method === 'fd') return { k: 0, sOrL: rank + 1 };
  const k = rank + 2;
  return { k, sOrL: 2 * k + 1 };
}

/** The smallest memory budget in bytes that works for this method, rank and shape. */
export function minimumBudget(query: SizeQuery): number {
  const { k, sOrL } = minimumSizes(query.method, query.rank);
  return sketchBytes(query, k, sOrL);
}

export function formatBytes(b: number): string {
  if (b >= 1024 * 1024 * 1024) return `${(b / 1024 ** 3).toFixed(1)} GiB`;
  if (b >= 1024 * 1024) return `${(b / 1024 ** 2).toFixed(1)} MiB`;
  if (b >= 1024) return `${(b / 1024).toFixed(1)} KiB`;
  return `${b} B`;
}

/** Error-bound factor of the three-sketch [TYUC19 Thm. 5.1, real field]: E||A - A_hat||_F^2 <= factor * tau_{r+1}^2. */
export function threeSketchBoundFactor(k: number, s: number, r: number): number {
  if (k - r - 1 <= 0 || s - k - 1 <= 0) return Infinity;
  return ((s - 1) / (s - k - 1)) * ((k + r - 1) / (k - r - 1));
}

/** Error-bound factor of the two-sketch [TYUC17 Thm. 4.3, real field]: (1 + f(k, l))(1 + f(r, k)), f(a, b) = a/(b - a - 1). */
export function twoSketchBoundFactor(k: number, l: number, r: number): number {
  if (k - r - 1 <= 0 || l - k - 1 <= 0) return Infinity;
  return ((l - 1) / (l - k - 1)) * ((k - 1) / (k - r - 1));
}

/**
 * Sizes under a byte budget. 'natural': the largest k with s = 2k + 1 (two-sketch: l = 2k + 1)
 * that fits, then s (l) as large as the rest allows; the byte analogue of the paper's natural rule,
 * which is exactly k(m + n) + (2k + 1)^2 <= T [TYUC19 §5.4.2]. 'flat': over all k that fit, the s (l)
 * that fills the budget, choosing the pair that minimises the theorem's bound factor.
 * FD: the largest l that fits. Unless `fixedChunk`, the chunk height (workspace rows, pure speed) is
 * first lowered from query.chunk towards MIN_CHUNK_ROWS so that its workspace takes at most a
 * quarter of the budget. Throws BudgetError below the feasible minimum, stating it.
 */
export function sizesForBudget(query: SizeQuery, budget: number, rule: 'natural' | 'flat', fixedChunk = false): SketchSizes {
  if (!fixedChunk) {
    // The chunk workspace is pure speed: take the tallest chunk (<= query.chunk) whose workspace
    // costs at most a quarter of the budget at the minimum sizes, else the smallest that fits.
    const { k, sOrL } = minimumSizes(query.method, query.rank);
    let chosen = query.chunk;
    for (let c = query.chunk; c >= MIN_CHUNK_ROWS; c = Math.floor(c / 2)) {
      chosen = c;
      const at = { ...query, chunk: c }, none = { ...query, chunk: 0 };
      if (sketchBytes(at, k, sOrL) - sketchBytes(none, k, sOrL) <= budget / 4 && sketchBytes(at, k, sOrL) <= budget) break;
    }
    while (chosen > MIN_CHUNK_ROWS && minimumBudget({ ...query, chunk: chosen }) > budget) chosen = Math.max(MIN_CHUNK_ROWS, Math.floor(chosen / 2));
    query = { ...query, chunk: chosen };
  }
  const { method, rank: r, cols: n, q, chunk } = query;
  const min = minimumBudget(query);
  if (!(budget >= min)) {
    const what = method === 'fd' ? 'Frequent Directions' : method;
    throw new BudgetError(
      `memory budget ${formatBytes(budget)} is too small for rank ${r} with ${n} columns (${what}, ${query.testMatrix}): ` +
      `the smallest that works is ${formatBytes(min)} (${min} bytes)`,
    );
  }
  const fits = (k: number, x: number) => sketchBytes(query, k, x) <= budget;
  // Largest x >= lo with fits(k, x), capped (the budget is finite but may be huge).
  const largest = (k: number, lo: number, cap: number): number => {
    if (!fits(k, lo)) return lo - 1;
    let a = lo, b = lo;
    while (b < cap && fits(k, Math.min(cap, b * 2))) b = Math.min(cap, b * 2);
    if (b === cap) return cap;
    let hi = Math.min(cap, b * 2); // fits(a..b) true, fits(hi) false
    a = b;
    while (hi - a > 1) { const mid = (a + hi) >> 1; if (fits(k, mid)) a = mid; else hi = mid; }
    return a;
  };
  if (method === 'fd') {
    const l = largest(0, r + 1, Math.max(r + 1, n));
    return { k: 0, s: 0, l, q, rule, chunk };
  }
  const kMax = Math.max(r + 2, n);
  const sCap = (k: number) => Math.max(2 * k + 1, n);
  if (rule === 'natural') {
    let lo = r + 2, hi = kMax + 1; // fits(lo, 2lo+1) holds; find the largest k
    while (hi - lo > 1) { const mid = (lo + hi) >> 1; if (fits(mid, 2 * mid + 1)) lo = mid; else hi = mid; }
    const k = lo;
    const x = largest(k, 2 * k + 1, sCap(k));
    return method === 'three-sketch' ? { k, s: x, l: 0, q, rule, chunk } : { k, s: 0, l: x, q, rule, chunk };
  }
  let best = { k: r + 2, x: 2 * r + 5, f: Infinity };
  for (let k = r + 2; k <= kMax; k++) {
    if (!fits(k, k + 2)) break;
    const x = largest(k, k + 2, sCap(k));
    const f = method === 'three-sketch' ? threeSketchBoundFactor(k, x, r) : twoSketchBoundFactor(k, x, r);
    if (f < best.f) best = { k, x, f };
  }
  return method === 'three-sketch'
    ? { k: best.k, s: best.x, l: 0, q, rule, chunk }
    : { k: best.k, s: 0, l: best.x, q, rule, chunk };
}

/**
 * The papers' rules in scalar storage T (the benchmark's axis T/(m + n)) [TYUC19 §5.4.2, §7.3;
 * ALGORITHMS.md §2]. Three-sketch storage is k(m + n) + s^2; two-sketch storage is k m + l n.
 * 'natural': three-sketch k = max(r + 2, floor((sqrt((m+n+4)^2 + 16(T - 1)) - (m+n+4)) / 8)),
 * s = floor(sqrt(T - k(m + n))); two-sketch l = 2k + 1 with k as large as fits, then l fills T.
 * 'flat': the k that minimises the bound factor with s (l) filling the rest.
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

/** Validate explicit or default sizes (used by createSketch). */
export function checkSizes(method: SketchMethod, rank: number, cols: number, k: number, sOrL: number): void {
  const int = (x: number) => Number.isInteger(x) && x > 0;
  if (method === 'fd') {
    if (!int(sOrL) || sOrL <= rank) throw new ArgumentError(`coRangeDim (FD sketch rows l) must be an integer > rank ${rank}, found ${sOrL}`);
    return;
  }
  if (!int(k) || k < rank) throw new ArgumentError(`rangeDim k must be an integer >= rank ${rank}, found ${k}`);
  if (k > cols) throw new ArgumentError(`rangeDim k = ${k} exceeds the ${cols} columns`);
  const name = method === 'three-sketch' ? 'coreDim s' : 'coRangeDim l';
  if (!int(sOrL) || sOrL < k) throw new ArgumentError(`${name} must be an integer >= rangeDim k = ${k}, found ${sOrL}`);
}
