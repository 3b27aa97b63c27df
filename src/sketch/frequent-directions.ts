/**
 * Frequent Directions [Lib13 Alg. 1; GLPW16 Alg. 2 (the fast 2l-buffer variant)], the deterministic
 * baseline behind the sketch interface. Notation: B (2l x n) buffer (`coRange`), `fdRows` live rows.
 * Insert rows; when the buffer is full, SVD B = U diag(sigma) V^T, sigma_j^2 <- max(sigma_j^2 -
 * sigma_l^2, 0), keep the l shrunk rows diag(sigma) V^T. Guarantee ||A^T A - B^T B||_2 <=
 * tau_{r+1}^2 / (l - r) for every r < l [GLPW16 Thm. 1.1]. The error sketch S = Theta A and the column
 * sums are kept as for the linear methods, so `estimateError` works unchanged.
 */
import { gemm } from '../kernels/gemm.js';
import type { Float } from '../matrix.js';
import { svd } from '../linalg/svd.js';
import { fillItems } from '../random/test-matrix.js';
import type { SketchState } from './types.js';

export function fdAbsorb(state: SketchState, a: Float, off: number, lda: number, b: number, i0: number): void {
  const n = state.cols, { l, q } = state.sizes, buf = state.coRange;
  if (q > 0) {
    fillItems('gaussian', state.seed, 'theta', q, i0, b, state.work.thetaMap);
    gemm(true, false, q, n, b, 1, state.work.thetaMap, 0, q, a, off, lda, 1, state.errorSketch, 0, n);
  }
  for (let t = 0; t < b; t++) {
    if (state.fdRows === 2 * l) fdShrink(state);
    const ao = off + t * lda, bo = state.fdRows * n;
    for (let j = 0; j < n; j++) { const x = a[ao + j]!; buf[bo + j] = x; state.colSums[j] += x; }
    state.fdRows++;
  }
}

/** Shrink the buffer to at most l rows (in place); also used by merge and reconstruction. */
export function fdShrink(state: SketchState): void {
  const n = state.cols, l = state.sizes.l, rows = state.fdRows, buf = state.coRange;
  if (rows === 0) return;
  const { s, v } = svd({ rows, cols: n, data: buf, offset: 0, stride: n });
  const p = s.length;
  const cut = p > l ? s[l]! * s[l]! : 0; // sigma_{l+1}^2 (0-based index l): rows beyond l vanish
  buf.fill(0);
  let kept = 0;
  for (let j = 0; j < Math.min(p, l); j++) {
    const sj = Math.sqrt(Math.max(s[j]! * s[j]! - cut, 0));
    if (sj === 0) break;
    for (let c = 0; c < n; c++) buf[kept * n + c] = sj * v.data[v.offset + c * v.stride + j]!;
    kept++;
  }
  state.fdRows = kept;
}

/** Insert rows (b x n, packed at `off` with stride `lda`) into the FD buffer, shrinking when full (merge). */
export function fdInsertRows(state: SketchState, a: Float64Array, off: number, lda: number, b: number): void {
  const n = state.cols, l = state.sizes.l, buf = state.coRange;
  for (let t = 0; t < b; t++) {
    if (state.fdRows === 2 * l) fdShrink(state);
    const ao = off + t * lda, bo = state.fdRows * n;
    for (let j = 0; j < n; j++) buf[bo + j] = a[ao + j]!;
    state.fdRows++;
  }
}
