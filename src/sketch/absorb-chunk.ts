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
import type { Float } from '../matrix.js';
import { fillItems, fillSparseSignItems, sparseSignZeta } from '../random/test-matrix.js';
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

  // Streamed-axis maps for the rows of this chunk, regenerated from (seed, purpose, i) [§0].
  // Gaussian: [Upsilon | Theta] (or [Psi | Theta]) side by side, cq wide, for one product with A.
  const cq = coDim + q;
  if (sparse) {
    if (q > 0) fillItems('gaussian', seed, 'theta', q, i0, b, work.thetaMap);
    fillSparseSignItems(seed, coPurpose, coDim, i0, b, work.coIdx, work.coVal);
    if (three) fillSparseSignItems(seed, 'phi', s, i0, b, work.phiIdx, work.phiVal);
  } else {
    fillItems('gaussian', seed, coPurpose, coDim, i0, b, work.coMap, 0, cq);
    if (q > 0) fillItems('gaussian', seed, 'theta', q, i0, b, work.coMap, coDim, cq);
    if (three) fillItems('gaussian', seed, 'phi', s, i0, b, work.phiMap);
  }
  const panel = maps.panel;
  const ks = k + s;

  // Range: [Y 1] chunk (b x (k+1)) into the TSQR stack below R.
  if (sparse) {
    const z = sparseSignZeta(k), idx = maps.omegaIdx, val = maps.omegaVal;
    for (let t = 0; t < b; t++) {
      const yo = y0 + t * k1, ao = off + t * lda;
      for (let c = 0; c < k; c++) stack[yo + c] = 0;
      for (let j = 0; j < n; j++) {
        const x = a[ao + j]!;
        if (x === 0) continue;
        const p0 = j * z;
        for (let p = 0; p < z; p++) stack[yo + idx[p0 + p]!] += x * val[p0 + p]!;
      }
    }
  } else if (panel && three) {
    // [Y | A Psi^T] in one product with the packed [Omega^T | Psi^T]; Y is copied into the stack.
    const tt = work.t;
    gemmPacked(false, b, 1, a, off, lda, panel, 0, tt, 0, ks);
    for (let t = 0; t < b; t++) for (let c = 0; c < k; c++) stack[y0 + t * k1 + c] = tt[t * ks + c]!;
  } else if (panel) {
    gemmPacked(false, b, 1, a, off, lda, panel, 0, stack, y0, k1);
  } else {
    gemm(false, false, b, k, n, 1, a, off, lda, maps.omegaT, 0, k, 0, stack, y0, k1);
  }
  for (let t = 0; t < b; t++) stack[y0 + t * k1 + k] = 1;

  // Spill the rows (scaled so that Y = rangeScale * sum of written rows).
  if (state.spill) {
    const sc = state.rangeScale;
    if (sc !== 1) for (let t = 0; t < b; t++) for (let c = 0; c < k; c++) stack[y0 + t * k1 + c] /= sc;
    state.spill.write(i0, { rows: b, cols: k, data: stack, offset: y0, stride: k1 });
    if (sc !== 1) for (let t = 0; t < b; t++) for (let c = 0; c < k; c++) stack[y0 + t * k1 + c] *= sc;
  }

  // Core side of the range: Phi [Y 1] (three-sketch) or Psi [Y 1] (two-sketch), and Theta [Y 1].
  const leftDim = three ? s : coDim;
  if (sparse) {
    const z = sparseSignZeta(leftDim);
    const idx = three ? work.phiIdx : work.coIdx, val = three ? work.phiVal : work.coVal;
    const cr = state.coreRange;
    for (let t = 0; t < b; t++) {
      const yo = y0 + t * k1;
      for (let p = 0; p < z; p++) {
        const ro = idx[t * z + p]! * k1, v = val[t * z + p]!;
        for (let c = 0; c < k1; c++) cr[ro + c] += v * stack[yo + c]!;
      }
    }
  } else {
    if (three) gemm(true, false, s, k1, b, 1, work.phiMap, 0, s, stack, y0, k1, 1, state.coreRange, 0, k1);
    else gemm(true, false, coDim, k1, b, 1, work.coMap, 0, cq, stack, y0, k1, 1, state.coreRange, 0, k1);
  }
  if (q > 0) {
    if (sparse) gemm(true, false, q, k1, b, 1, work.thetaMap, 0, q, stack, y0, k1, 1, state.errorRange, 0, k1);
    else gemm(true, false, q, k1, b, 1, work.coMap, coDim, cq, stack, y0, k1, 1, state.errorRange, 0, k1);
  }

  // Co-range: X += Upsilon^T A (three) or W += Psi^T A (two); and Upsilon 1.
  if (sparse) {
    const z = sparseSignZeta(coDim), idx = work.coIdx, val = work.coVal, x = state.coRange;
    for (let t = 0; t < b; t++) {
      const ao = off + t * lda;
      for (let p = 0; p < z; p++) {
        const row = idx[t * z + p]!, v = val[t * z + p]!, xo = row * n;
        for (let j = 0; j < n; j++) x[xo + j] += v * a[ao + j]!;
        if (three) state.coRangeOnes[row] += v;
      }
    }
    if (q > 0) gemm(true, false, q, n, b, 1, work.thetaMap, 0, q, a, off, lda, 1, state.errorSketch, 0, n);
  } else {
    // [X; S] += [Upsilon | Theta]^T A in one product (X and S are adjacent in coRangeAndError).
    gemm(true, false, cq, n, b, 1, work.coMap, 0, cq, a, off, lda, 1, state.coRangeAndError, 0, n);
    if (three) {
      const cm = work.coMap, ones = state.coRangeOnes;
      for (let t = 0; t < b; t++) for (let c = 0; c < k; c++) ones[c] += cm[t * cq + c]!;
    }
  }

  // Core: T = A Psi^T (b x s), Z += Phi^T T.
  if (three) {
    const tt = work.t;
    if (sparse) {
      const z = sparseSignZeta(s), idx = maps.psiIdx, val = maps.psiVal;
      tt.fill(0, 0, b * s);
      for (let t = 0; t < b; t++) {
        const ao = off + t * lda, to = t * s;
        for (let j = 0; j < n; j++) {
          const x = a[ao + j]!;
          if (x === 0) continue;
          const p0 = j * z;
          for (let p = 0; p < z; p++) tt[to + idx[p0 + p]!] += x * val[p0 + p]!;
        }
      }
      const zp = sparseSignZeta(s), pidx = work.phiIdx, pval = work.phiVal, core = state.core;
      for (let t = 0; t < b; t++) {
        const to = t * s;
        for (let p = 0; p < zp; p++) {
          const ro = pidx[t * zp + p]! * s, v = pval[t * zp + p]!;
          for (let c = 0; c < s; c++) core[ro + c] += v * tt[to + c]!;
        }
      }
    } else {
      if (!panel) gemm(false, true, b, s, n, 1, a, off, lda, maps.psi, 0, n, 0, tt, k, ks);
      gemm(true, false, s, s, b, 1, work.phiMap, 0, s, tt, k, ks, 1, state.core, 0, s);
    }
  }

  // Column sums.
  const cs = state.colSums;
  for (let t = 0; t < b; t++) {
    const ao = off + t * lda;
    for (let j = 0; j < n; j++) cs[j] += a[ao + j]!;
  }

  // TSQR: R <- R factor of [R; [Y 1]_chunk] by Householder reflections that exploit the
  // triangle on top (column j's reflector touches row j of R and the b chunk rows only).
  const rr = state.rangeR;
  for (let i = 0; i < k1; i++) {
    const o = i * k1;
    for (let c = 0; c < k1; c++) stack[o + c] = c >= i ? rr[o + c]! : 0;
  }
  householderStackR(stack, k1, b);
  for (let i = 0; i < k1; i++) {
    const o = i * k1;
    for (let c = i; c < k1; c++) rr[o + c] = stack[o + c]!;
  }
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
