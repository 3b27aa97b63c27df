/**
 * Internal kernel of `updateRows`: absorb one chunk of at most `sizes.chunk` rows (float64, packed
 * in `work.a64`, or any Float view) into a linear sketch [TYUC19 Alg. 4.1; TYUC17 Alg. 4.1].
 * Notation as in types.ts. No validation, no allocation apart from the seeded generators' small
 * per-call scratch (src/random).
 *
 * Order inside a chunk matters only for the TSQR stack, which is overwritten last.
 */
import { gemm } from '../kernels/gemm.js';
import { gemmPacked } from '../kernels/packed-panel.js';
import { tsqrUpdate, type TsqrState } from '../linalg/tsqr.js';
import type { Float } from '../matrix.js';
import { fillItems, sparseSignZeta } from '../random/test-matrix.js';
import type { SketchState } from './types.js';

/**
 * Rows i0 .. i0 + b of A are `a[off + t * lda + j]`. `writeRange`: send y to the spill and update
 * the TSQR factor (false when the caller handles the range side itself).
 */
export function absorbChunk(state: SketchState, a: Float, off: number, lda: number, b: number, i0: number): void {
  const { method, sizes, cols: n, seed, work, maps } = state;
  const { k, q } = sizes;
  const k1 = k + 1;
  const sparse = state.testMatrix === 'sparse-sign';
  const three = method === 'three-sketch';
  const coDim = three ? k : sizes.l;
  const s = sizes.s;
  const coPurpose = three ? 'upsilon' : 'psi';
  const stack = work.stack;
  const y0 = k1 * k1; // the chunk of [Y 1] starts after the R rows

  // Streamed-axis maps for the rows of this chunk, regenerated from (seed, purpose, i) [§0], written
  // densely side by side ([Upsilon | Theta] or [Psi | Theta], cq wide) for one product with A.
  // Sparse-sign maps are written densely too: at these sizes a SIMD GEMM over the zeros beats a
  // scalar scatter over the nonzeros (the family changes the distribution, not the kernel).
  const cq = coDim + q;
  fillItems(state.testMatrix, seed, coPurpose, coDim, i0, b, work.coMap, 0, cq);
  if (q > 0) fillItems('gaussian', seed, 'theta', q, i0, b, work.coMap, coDim, cq);
  if (three) fillItems(state.testMatrix, seed, 'phi', s, i0, b, work.phiMap);
  // Float32 rows meet the float32 panel and float32 maps (products in float32, sums in float64).
  const f32 = a instanceof Float32Array;
  const panel = f32 ? maps.panel32 : maps.panel;
  if (f32) { const m32 = work.coMap32, m64 = work.coMap; for (let t = 0; t < b * cq; t++) m32[t] = m64[t]!; }
  const ks = k + s;

  // Range: [Y 1] chunk (b x (k+1)) into the TSQR stack below R. With the packed panel (both
  // families: a sparse-sign Omega is applied densely, which the GEMM kernels do faster than a
  // scalar scatter until k is in the hundreds), [Y | A Psi^T] comes from one product.
  const tt = work.t;
  if (panel && three) {
    gemmPacked(false, b, 1, a, off, lda, panel, 0, tt, 0, ks);
    for (let t = 0; t < b; t++) for (let c = 0; c < k; c++) stack[y0 + t * k1 + c] = tt[t * ks + c]!;
  } else if (panel) {
    gemmPacked(false, b, 1, a, off, lda, panel, 0, stack, y0, k1);
  } else if (sparse) {
    sparseRight(a, off, lda, b, n, maps.omegaIdx, maps.omegaVal, sparseSignZeta(k), stack, y0, k1, k);
  } else {
    gemm(false, false, b, k, n, 1, a, off, lda, maps.omegaT, 0, k, 0, stack, y0, k1);
  }
  for (let t = 0; t < b; t++) stack[y0 + t * k1 + k] = 1;

  spillStack(state, i0, b);

  // Core side of the range: Phi [Y 1] (three-sketch) or Psi [Y 1] (two-sketch), and Theta [Y 1].
  if (three) gemm(true, false, s, k1, b, 1, work.phiMap, 0, s, stack, y0, k1, 1, state.coreRange, 0, k1);
  else gemm(true, false, coDim, k1, b, 1, work.coMap, 0, cq, stack, y0, k1, 1, state.coreRange, 0, k1);
  if (q > 0) gemm(true, false, q, k1, b, 1, work.coMap, coDim, cq, stack, y0, k1, 1, state.errorRange, 0, k1);

  // Co-range and error sketch: [X; S] += [Upsilon | Theta]^T A in one product (X and S are
  // adjacent in coRangeAndError); and Upsilon 1 for centering.
  gemm(true, false, cq, n, b, 1, f32 ? work.coMap32 : work.coMap, 0, cq, a, off, lda, 1, state.coRangeAndError, 0, n);
  if (three) {
    const cm = work.coMap, ones = state.coRangeOnes;
    for (let t = 0; t < b; t++) for (let c = 0; c < k; c++) ones[c] += cm[t * cq + c]!;
  }

  // Core: T = A Psi^T (b x s, columns k.. of the workspace), Z += Phi^T T.
  if (three) {
    if (!panel && sparse) sparseRight(a, off, lda, b, n, maps.psiIdx, maps.psiVal, sparseSignZeta(s), tt, k, ks, s);
    else if (!panel) gemm(false, true, b, s, n, 1, a, off, lda, maps.psi, 0, n, 0, tt, k, ks);
    if (f32) {
      // Float32 rows: this product (2 b s^2 flops, the largest per chunk at s = 2k + 1) runs in
      // float32 like the co-range and error products, summed into the float64 core Z (KERNELS.md
      // "Precision": float32 products, float64 accumulators). T already holds float32 rows times
      // the float32 panel, so rounding it and Phi to float32 adds error of the same order.
      const p32 = work.phiMap32, t32 = work.t32, pm = work.phiMap;
      for (let x = 0; x < b * s; x++) p32[x] = pm[x]!;
      for (let t = 0; t < b; t++) {
        const to = t * ks + k, uo = t * s;
        for (let c = 0; c < s; c++) t32[uo + c] = tt[to + c]!;
      }
      gemm(true, false, s, s, b, 1, p32, 0, s, t32, 0, s, 1, state.core, 0, s);
    } else {
      gemm(true, false, s, s, b, 1, work.phiMap, 0, s, tt, k, ks, 1, state.core, 0, s);
    }
  }

  // Column sums.
  const cs = state.colSums;
  for (let t = 0; t < b; t++) {
    const ao = off + t * lda;
    for (let j = 0; j < n; j++) cs[j] += a[ao + j]!;
  }

  tsqrFromStack(state, b);
}

/**
 * out (b x w, at outOff with stride ldo) <- A (b x n) * S where row j of S (n x w) is sparse with
 * z entries at idx[j z + p], values val[j z + p] (Omega^T or Psi^T of a sparse-sign map).
 * Small monomorphic kernels: V8 optimizes them far better than the same loops inlined in one body.
 */
function sparseRight(
  a: Float, off: number, lda: number, b: number, n: number, idx: Int32Array, val: Float64Array, z: number,
  out: Float64Array, outOff: number, ldo: number, w: number,
): void {
  for (let t = 0; t < b; t++) {
    const yo = outOff + t * ldo, ao = off + t * lda;
    out.fill(0, yo, yo + w);
    for (let j = 0; j < n; j++) {
      const x = a[ao + j]!;
      if (x === 0) continue;
      const p0 = j * z;
      for (let p = 0; p < z; p++) out[yo + idx[p0 + p]!] += x * val[p0 + p]!;
    }
  }
}

/** Send the chunk of Y in the stack to the spill (scaled so that Y = rangeScale * sum of written rows). */
export function spillStack(state: SketchState, i0: number, b: number): void {
  const k1 = state.sizes.k + 1;
  spillRows(state, i0, b, state.work.stack, k1 * k1);
}

/** Send b rows of [Y 1] (stride k + 1, at y0 in `ys`) to the spill, scaled as `spillStack`. */
export function spillRows(state: SketchState, i0: number, b: number, ys: Float64Array, y0: number): void {
  if (!state.spill) return;
  const k = state.sizes.k, k1 = k + 1, sc = state.rangeScale;
  if (sc !== 1) for (let t = 0; t < b; t++) for (let c = 0; c < k; c++) ys[y0 + t * k1 + c] /= sc;
  state.spill.write(i0, { rows: b, cols: k, data: ys, offset: y0, stride: k1 });
  if (sc !== 1) for (let t = 0; t < b; t++) for (let c = 0; c < k; c++) ys[y0 + t * k1 + c] *= sc;
}

/**
 * TSQR step: R <- R factor of [R; [Y 1]_chunk], the chunk being the b rows below R in the stack.
 * Runs the linalg TSQR (src/linalg/tsqr.ts) on `rangeR`: structured Householder [GVL13 §5.2.2;
 * ALGORITHMS.md §6], on the WebAssembly kernels for k + 1 < 256 and chunks of 8 rows or more
 * (`tsqr_factor_f64`), else in compact-WY panels on the GEMM kernels or the TypeScript Level-2
 * loop (tsqr.ts decides, from (k, h) only). It also restores diag(R) >= 0 (R^T R is unchanged).
 */
export function tsqrFromStack(state: SketchState, b: number): void {
  const k1 = state.sizes.k + 1, y0 = k1 * k1, w = state.work;
  const ts: TsqrState = {
    k: k1, r: { rows: k1, cols: k1, data: state.rangeR, offset: 0, stride: k1 }, rows: 0,
    work: w.tsqrWork, panel: w.tsqrPanel,
  };
  tsqrUpdate(ts, { rows: b, cols: k1, data: w.stack, offset: y0, stride: k1 });
}

/**
 * In place: the (k1 + b) x k1 stack [R; B] with R upper triangular becomes [R'; 0-ish] where R' is
 * the R factor of the stack [GVL13 §5.2.2, structured]. Rows below k1 are left as garbage.
 */
export function householderStackR(st: Float64Array, k1: number, b: number): void {
  const base = k1 * k1;
  for (let j = 0; j < k1; j++) {
    const djj = st[j * k1 + j]!;
    let norm2 = 0;
    for (let t = 0; t < b; t++) { const x = st[base + t * k1 + j]!; norm2 += x * x; }
    if (norm2 === 0) continue; // already triangular in this column
    const alpha = -(djj >= 0 ? 1 : -1) * Math.sqrt(djj * djj + norm2);
    const v0 = djj - alpha;
    const vtv = v0 * v0 + norm2;
    const f = 2 / vtv;
    for (let c = j + 1; c < k1; c++) {
      let w = v0 * st[j * k1 + c]!;
      for (let t = 0; t < b; t++) w += st[base + t * k1 + j]! * st[base + t * k1 + c]!;
      w *= f;
      st[j * k1 + c] -= w * v0;
      for (let t = 0; t < b; t++) st[base + t * k1 + c] -= w * st[base + t * k1 + j]!;
    }
    st[j * k1 + j] = alpha;
    for (let t = 0; t < b; t++) st[base + t * k1 + j] = 0;
  }
}
