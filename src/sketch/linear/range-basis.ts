/**
 * The range basis of a linear sketch without the rows of Y [TYUC19 §4.2 with docs/METHODS.md §6]:
 * with E ((k+1) x k) = [I; -c^T] (c = Omega mu when centering, else 0), the (centered) range sketch
 * is [Y 1] E and its R factor R E. SVD R E = U_R S_R V_R^T; rho = #{S_R > tol}; M = V_R(:, :rho)
 * S_R^{-1} (k x rho); G = E M ((k+1) x rho). Then Q = [Y 1] G (m x rho) is an orthonormal basis of
 * range(Y E): rank-revealing, so an input of rank < k gives rho = rank and is still recovered
 * exactly. Small accumulators map through G: L Q = (L [Y 1]) G for L = Phi, Psi, Theta.
 */
import { ArgumentError } from '../../errors.js';
import { gemm } from '../../kernels/gemm.js';
import { householderStackR } from '../../linalg/householder-stack.js';
import { svd } from '../../linalg/svd.js';
import { zeros, type Matrix64 } from '../../matrix.js';
import { keptTimes } from '../../maps/kept-map.js';
import { coveredCount } from '../intervals.js';
import type { LinearState, RangeSpill } from '../types.js';

const EPS = 2.220446049250313e-16;

export interface RangeBasis {
  /** G ((k+1) x rho): Q = [Y 1] G with Y the TRUE range sketch (rangeScale times the spilled rows). */
  g: Matrix64;
  rho: number;
  /** Column mean (centering) or undefined. */
  mean: Float64Array | undefined;
  /** c = Omega mu (k), zeros without centering. */
  c: Float64Array;
  /** M = V_R S_R^{-1} (k x rho): G's top k rows. */
  m: Matrix64;
}

/**
 * `relTol`: directions of [Y 1] E with singular value at most relTol * S_R[0] are dropped. The default
 * (10 (k+1) eps) keeps every direction the arithmetic resolves; a caller whose later products divide
 * by S_R passes a larger one (rsvd: sqrt(eps), see RSVD_REL_TOL).
 */
export function rangeBasis(st: LinearState, spill: RangeSpill | undefined, relTol = (st.sizes.k + 1) * 10 * EPS): RangeBasis {
  const k = st.sizes.k, n = st.cols, k1 = k + 1;
  let mean: Float64Array | undefined;
  const cvec = new Float64Array(k);
  if (st.center) {
    const m = coveredCount(st.covered);
    mean = new Float64Array(n);
    if (m > 0) for (let j = 0; j < n; j++) mean[j] = st.colSums[j] / m;
    keptTimes(st.omega, mean, cvec);
  }
  const r1 = st.rangeRValid ? st.rangeR : rebuildR(st, spill);
  const re = zeros(k1, k);
  for (let i = 0; i < k1; i++) for (let j = 0; j < k; j++) re.data[i * k + j] = r1[i * k1 + j] - cvec[j] * r1[i * k1 + k];
  const sr = svd(re);
  const tol = (sr.s[0] ?? 0) * relTol;
  let rho = 0;
  while (rho < sr.s.length && sr.s[rho] > tol) rho++;
  const g = zeros(k1, rho), mm = zeros(k, rho);
  for (let i = 0; i < k; i++) for (let j = 0; j < rho; j++) g.data[i * rho + j] = mm.data[i * rho + j] = sr.v.data[i * sr.v.stride + j] / sr.s[j];
  for (let j = 0; j < rho; j++) {
    let t = 0;
    for (let i = 0; i < k; i++) t += cvec[i] * g.data[i * rho + j];
    g.data[k * rho + j] = -t;
  }
  return { g, rho, mean, c: cvec, m: mm };
}

/** (acc ((rows) x (k+1))) G: an accumulated L [Y 1] mapped to L Q (rows x rho). */
export function throughBasis(acc: Float64Array, rows: number, b: RangeBasis): Matrix64 {
  const k1 = b.g.rows, rho = b.rho, out = zeros(rows, rho);
  if (rho > 0 && rows > 0) gemm(false, false, rows, rho, k1, 1, acc, 0, k1, b.g.data, 0, rho, 0, out.data, 0, rho);
  return out;
}

/** R factor of [Y 0] (k+1 square) recomputed from a spill that can be read back. */
function rebuildR(st: LinearState, spill: RangeSpill | undefined): Float64Array {
  const sp = spill ?? st.spill;
  if (!sp?.forEachBlock) {
    throw new ArgumentError(
      'the TSQR factor was dropped (a row was written more than once: entry, linear or overlapping updates); ' +
      'reconstruction needs a spill that can be read back (forEachBlock)');
  }
  const k = st.sizes.k, k1 = k + 1, c = 64, sc = st.rangeScale;
  const stack = new Float64Array((k1 + c) * k1);
  const r = new Float64Array(k1 * k1);
  sp.forEachBlock((_r0, y) => {
    for (let t0 = 0; t0 < y.rows; t0 += c) {
      const b = Math.min(c, y.rows - t0);
      for (let i = 0; i < k1; i++) for (let j = 0; j < k1; j++) stack[i * k1 + j] = j >= i ? r[i * k1 + j] : 0;
      for (let t = 0; t < b; t++) {
        const o = (k1 + t) * k1, so = y.offset + (t0 + t) * y.stride;
        for (let j = 0; j < k; j++) stack[o + j] = sc * y.data[so + j];
        stack[o + k] = 0;
      }
      householderStackR(stack, k1, b);
      for (let i = 0; i < k1; i++) for (let j = i; j < k1; j++) r[i * k1 + j] = stack[i * k1 + j];
    }
  });
  return r;
}
