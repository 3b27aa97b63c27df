/**
 * The single-pass Gram RSVD [Yu17 Alg. 2 with q = 0; HMT11 Alg. 4.1; docs/METHODS.md §5]: every
 * row is complete on arrival, so one pass computes y_i = a_i Omega^T (spilled, TSQR'd as [Y 1])
 * and H = A^T Y = sum a_i^T y_i (n x k); with Q = Y R^+ (range-basis.ts), B = Q^T A = M^T H^T
 * needs no second pass. Plus the error sketch S = Theta A and Theta [Y 1] [TYUC19 §6], so the
 * a-posteriori estimate comes with it, and exact centering: with mu = c/m and g = Y^T 1 (from R),
 * Q_c^T A_c = M^T (H^T - g mu^T) [docs/METHODS.md §5]. A ~ Q B is a projection of A, so no rank
 * of it is further from A than zero. Needs whole rows: no entry or general linear updates,
 * no row written twice (H is quadratic in A).
 * Defaults without a budget: l = r + max(10, r) (oversampling p = 10 [HMT11 §4.2], raised to r for
 * one pass [HMT11 §10.2: E||A - QQ^T A|| <= (1 + r/(p - 1))^{1/2} tau_{r+1}]), capped at n.
 */
import { ArgumentError, IncompatibleMergeError } from '../../errors.js';
import { gemm } from '../../kernels/gemm.js';
import { householderQr } from '../../linalg/householder-qr.js';
import { zeros } from '../../matrix.js';
import { createLinear, disposeLinear, linearLayout, linearSegments, mergeR, updateLinearRows } from '../linear/linear.js';
import { finishLinear, lowRankFactorsOf } from '../linear/finish.js';
import { rangeBasis, throughBasis } from '../linear/range-basis.js';
import { checkRangeSizes, linearExtras } from '../linear/sizes.js';
import type { MethodModule, SketchParams } from '../method.js';
import type { RangeSpill, RsvdState } from '../types.js';

const segments = (p: SketchParams) => linearSegments(p);

/** Default oversampling of the single-pass RSVD for rank r: max(10, r). */
export function rsvdOversamples(rank: number): number {
  return Math.max(10, rank);
}

export const rsvd: MethodModule<RsvdState> = {
  method: 'rsvd',
  code: 3,
  defaultSizes(r, n, q, chunk) {
    return { k: Math.min(n, r + rsvdOversamples(r)), s: 0, l: 0, q, rule: 'default', chunk };
  },
  checkSizes(r, n, sz) {
    checkRangeSizes(r, n, sz.k);
  },
  layout: (p) => linearLayout(p, segments(p), 0),
  create(p, spill) {
    const owner = {};
    const { views, ...rest } = createLinear(p, spill, segments(p), owner, null);
    const st: RsvdState = { ...rest, method: 'rsvd', gram: views.gram! };
    return Object.assign(owner, st) as RsvdState;
  },
  updateRows(st, block, rowStart, overlaps) {
    if (overlaps) throw overlapError(rowStart, block.rows);
    updateLinearRows(st, block, rowStart, false);
  },
  mergeInto(out, a, b, overlap) {
    if (overlap) throw new IncompatibleMergeError('cannot merge rsvd sketches whose rows overlap (H = A^T Y needs each row once)');
    out.rangeScale = 1;
    out.rangeRValid = true;
    mergeR(out, a, b);
  },
  ...linearExtras,
  reconstruct(st, opts) {
    const f = factors(st, opts.spill);
    return finishLinear(st, f.basis, f.c, f.p, f.thetaQ, opts, false);
  },
  lowRank(st, opts) {
    const f = factors(st, opts.spill);
    return lowRankFactorsOf(st, f.basis, f.c, f.p, f.thetaQ, opts);
  },
  dispose: disposeLinear,
};

export function overlapError(rowStart: number, rows: number): ArgumentError {
  return new ArgumentError(`rows [${rowStart}, ${rowStart + rows}) overlap rows already seen: the rsvd sketch (H = A^T Y) needs each row exactly once`);
}

/**
 * The rank-revealing cut of the rsvd basis: sqrt(eps) of the largest singular value of [Y 1] E.
 * B = M^T H^T divides by S_R, and H = A^T Y carries rounding of order eps ||A|| ||Y||, so a direction
 * kept at S_R[j] adds about eps ||A|| S_R[0] / S_R[j] to B while dropping it loses at most about
 * S_R[j] / S_R[0] ||A||: the two balance at sqrt(eps) (the single-pass Gram form squares the
 * condition, as the normal equations do). With the default cut (10 (k+1) eps) a fast spectrum got
 * WORSE as l grew (exp(-(i/5)^2), 500 x 100 at rank 10: max |U S V^T - best| 3.6e-8 at l = 20,
 * 1.3e-4 at l = 40); with this one 5e-10 at l = 40 and 100 (test/sketch-rsvd-precision.test.ts).
 */
export const RSVD_REL_TOL = Math.sqrt(2.220446049250313e-16);

/** A ~ Q B with B = M^T (H^T - g mu^T) = Rb^T P^T (P from the QR of B^T): C = Rb^T. */
function factors(st: RsvdState, spill: RangeSpill | undefined) {
  const k = st.sizes.k, q = st.sizes.q, n = st.cols, k1 = k + 1;
  const basis = rangeBasis(st, spill, RSVD_REL_TOL);
  const { rho, mean } = basis;
  const thetaQ = throughBasis(st.errorRange, q, basis);
  if (rho === 0) return { basis, c: zeros(0, 0), p: zeros(n, 0), thetaQ };
  const hc = Float64Array.from(st.gram);
  if (mean) {
    // g = Y^T 1 = (R^T R)[0:k, k] (R of [Y 1]).
    const r = st.rangeR, g = new Float64Array(k);
    for (let j = 0; j < k; j++) { let t = 0; for (let i = 0; i <= j; i++) t += r[i * k1 + j] * r[i * k1 + k]; g[j] = t; }
    for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) hc[i * k + j] -= mean[i] * g[j];
  }
  // B^T = (H - mu g^T) M (n x rho).
  const bt = zeros(n, rho);
  gemm(false, false, n, rho, k, 1, hc, 0, k, basis.m.data, 0, rho, 0, bt.data, 0, rho);
  const { q: p, r: rb } = householderQr(bt);
  const kappa = p.cols, c = zeros(rho, kappa);
  for (let i = 0; i < rho; i++) for (let j = 0; j < kappa; j++) c.data[i * kappa + j] = rb.data[j * rho + i];
  return { basis, c, p, thetaQ };
}
