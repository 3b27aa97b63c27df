/**
 * The two-sketch single-view method [TYUC17 Alg. 4.1, (4.3); docs/METHODS.md §1]: per row
 * y_i = a_i Omega^T (spilled), W += psi_i a_i, S += theta_i a_i. Reconstruction: Q = [Y 1] G
 * (range-basis.ts), X = (Psi Q)^+ W_c (the least-squares solution of min ||Psi (A - Q X)||_F) with
 * W_c = W - (Psi 1) mu^T under centering; X^T = P Rx, so A ~ Q Rx^T P^T.
 * Defaults without a budget: k = 2r + 1, l = 2k + 1 [TYUC17 §4.5], k capped at n.
 */
import { ArgumentError, NumericError } from '../../errors.js';
import { gemm } from '../../kernels/gemm.js';
import { householderQr } from '../../linalg/householder-qr.js';
import { solveTriangular } from '../../linalg/triangular-solve.js';
import { zeros } from '../../matrix.js';
import { createLinear, disposeLinear, linearLayout, linearSegments, mergeR, updateLinearRows } from '../linear/linear.js';
import { finishLinear, lowRankFactorsOf } from '../linear/finish.js';
import { rangeBasis, throughBasis } from '../linear/range-basis.js';
import { checkRangeSizes, linearExtras } from '../linear/sizes.js';
import type { MethodModule, SketchParams } from '../method.js';
import type { RangeSpill, TwoSketchState } from '../types.js';

const segments = (p: SketchParams) => linearSegments(p);

export const twoSketch: MethodModule<TwoSketchState> = {
  method: 'two-sketch',
  code: 1,
  defaultSizes(r, n, q, chunk) {
    const k = Math.min(n, 2 * r + 1);
    return { k, s: 0, l: 2 * k + 1, q, rule: 'default', chunk };
  },
  checkSizes(r, n, sz) {
    checkRangeSizes(r, n, sz.k);
    if (!Number.isInteger(sz.l) || sz.l < sz.k) throw new ArgumentError(`coRangeDim l must be an integer >= rangeDim k = ${sz.k}, found ${sz.l}`);
  },
  layout: (p) => linearLayout(p, segments(p), 0),
  create(p, spill) {
    const owner = {};
    const { views, ...rest } = createLinear(p, spill, segments(p), owner, null);
    const st: TwoSketchState = { ...rest, method: 'two-sketch', coRange: views.coRange!, coreRange: views.coreRange! };
    return Object.assign(owner, st) as TwoSketchState;
  },
  updateRows: updateLinearRows,
  mergeInto(out, a, b, overlap) {
    out.rangeScale = a.rangeScale;
    out.rangeRValid = a.rangeRValid && b.rangeRValid && !overlap;
    if (out.rangeRValid) mergeR(out, a, b);
  },
  ...linearExtras,
  reconstruct(st, opts) {
    const f = coreFactors(st, opts.spill);
    return finishLinear(st, f.basis, f.c, f.p, f.thetaQ, opts, true);
  },
  lowRank(st, opts) {
    const f = coreFactors(st, opts.spill);
    return lowRankFactorsOf(st, f.basis, f.c, f.p, f.thetaQ, opts);
  },
  dispose: disposeLinear,
};

function coreFactors(st: TwoSketchState, spill: RangeSpill | undefined) {
  const { k, l, q } = st.sizes, n = st.cols, k1 = k + 1;
  const basis = rangeBasis(st, spill);
  const { rho, mean } = basis;
  const psiQ = throughBasis(st.coreRange, l, basis);
  const thetaQ = throughBasis(st.errorRange, q, basis);
  if (rho === 0) return { basis, c: zeros(0, 0), p: zeros(n, 0), thetaQ };
  const wc = zeros(l, n);
  wc.data.set(st.coRange);
  if (mean) {
    for (let i = 0; i < l; i++) {
      const w = st.coreRange[i * k1 + k];
      for (let j = 0; j < n; j++) wc.data[i * n + j] -= w * mean[j];
    }
  }
  const { q: u1, r: t1 } = householderQr(psiQ);
  for (let i = 0; i < t1.rows; i++) {
    if (t1.data[i * t1.stride + i] === 0) throw new NumericError(`reconstruction: Psi Q is rank deficient (column ${i}); the sketch is degenerate`);
  }
  // X = T^{-1} U^T W_c (rho x n); X^T = P Rx, so X = Rx^T P^T and C = Rx^T.
  const xr = zeros(rho, n);
  gemm(true, false, rho, n, l, 1, u1.data, 0, rho, wc.data, 0, n, 0, xr.data, 0, n);
  solveTriangular(t1, xr, { upper: true, side: 'left' });
  const xrt = zeros(n, rho);
  for (let i = 0; i < rho; i++) for (let j = 0; j < n; j++) xrt.data[j * rho + i] = xr.data[i * n + j];
  const { q: p, r: rx } = householderQr(xrt);
  const kappa = p.cols;
  const c = zeros(rho, kappa);
  for (let i = 0; i < rho; i++) for (let j = 0; j < kappa; j++) c.data[i * kappa + j] = rx.data[j * rho + i];
  return { basis, c, p, thetaQ };
}
