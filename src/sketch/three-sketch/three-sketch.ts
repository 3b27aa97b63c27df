/**
 * The three-sketch single-view method [TYUC19 Alg. 4.1, 4.2, §5.3; docs/METHODS.md §2]: per row
 * y_i = a_i Omega^T (spilled), X += upsilon_i a_i, Z += phi_i (a_i Psi^T), S += theta_i a_i.
 * Reconstruction without the rows: Q = [Y 1] G from the TSQR factor (range-basis.ts);
 * P = qr(X_c^T) (n x kappa); C = (Phi Q)^+ Z_c ((Psi P)^+)^T with Z_c = Z - (Phi 1)(Psi mu)^T and
 * X_c = X - (Upsilon 1) mu^T under centering; A ~ Q C P^T. Accepts every linear update (rows in any
 * order, entries, theta A + eta H), which is why it is the method for column streams and entries.
 * Defaults without a budget: k = 4r + 1, s = 2k + 1 [TYUC19 §5.4.3], k capped at n.
 */
import { ArgumentError, NumericError } from '../../errors.js';
import { gemm } from '../../kernels/gemm.js';
import { householderQr } from '../../linalg/householder-qr.js';
import { solveTriangular } from '../../linalg/triangular-solve.js';
import { zeros, type Matrix64 } from '../../matrix.js';
import { keptMap, keptTimes, keptTimesMatrix } from '../../maps/kept-map.js';
import { createLinear, disposeLinear, linearLayout, linearSegments, mergeR, updateLinearRows } from '../linear/linear.js';
import { finishLinear, lowRankFactorsOf } from '../linear/finish.js';
import { rangeBasis, throughBasis } from '../linear/range-basis.js';
import { checkRangeSizes, linearExtras } from '../linear/sizes.js';
import type { MethodModule, SketchParams } from '../method.js';
import type { RangeSpill, ThreeSketchState } from '../types.js';

const segments = (p: SketchParams) => linearSegments(p, [['coRangeOnes', p.sizes.k]]);

export const threeSketch: MethodModule<ThreeSketchState> = {
  method: 'three-sketch',
  code: 0,
  defaultSizes(r, n, q, chunk) {
    const k = Math.min(n, 4 * r + 1);
    return { k, s: 2 * k + 1, l: 0, q, rule: 'default', chunk };
  },
  checkSizes(r, n, sz) {
    checkRangeSizes(r, n, sz.k);
    if (!Number.isInteger(sz.s) || sz.s < sz.k) throw new ArgumentError(`coreDim s must be an integer >= rangeDim k = ${sz.k}, found ${sz.s}`);
  },
  layout: (p) => linearLayout(p, segments(p), p.sizes.s),
  create(p, spill) {
    const owner = {};
    const psi = keptMap(p.testMatrix, p.seed, 'psi', p.sizes.s, p.cols);
    const base = createLinear(p, spill, segments(p), owner, psi);
    const { views, ...rest } = base;
    const st: ThreeSketchState = {
      ...rest, method: 'three-sketch', psi,
      coRange: views.coRange!, core: views.core!, coreRange: views.coreRange!, coRangeOnes: views.coRangeOnes!,
    };
    return Object.assign(owner, st) as ThreeSketchState;
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

interface CoreFactors {
  basis: ReturnType<typeof rangeBasis>;
  c: Matrix64;
  p: Matrix64;
  thetaQ: Matrix64;
}

function coreFactors(st: ThreeSketchState, spill: RangeSpill | undefined): CoreFactors {
  const { k, s, q } = st.sizes, n = st.cols, k1 = k + 1;
  const basis = rangeBasis(st, spill);
  const { rho, mean } = basis;
  const phiQ = throughBasis(st.coreRange, s, basis);
  const thetaQ = throughBasis(st.errorRange, q, basis);
  if (rho === 0) return { basis, c: zeros(0, 0), p: zeros(n, 0), thetaQ };
  // X_c^T (n x k), P = qr(X_c^T).
  const xt = zeros(n, k);
  for (let i = 0; i < k; i++) {
    const w = mean ? st.coRangeOnes[i] : 0;
    for (let j = 0; j < n; j++) xt.data[j * k + i] = st.coRange[i * n + j] - (mean ? w * mean[j] : 0);
  }
  const p = householderQr(xt).q;
  const kappa = p.cols;
  const { q: u1, r: t1 } = householderQr(phiQ);
  checkTriangle(t1, 'Phi Q');
  const { q: u2, r: t2 } = householderQr(keptTimesMatrix(st.psi, p));
  checkTriangle(t2, 'Psi P');
  const zc = zeros(s, s);
  zc.data.set(st.core);
  if (mean) {
    const psiMu = keptTimes(st.psi, mean, new Float64Array(s));
    for (let i = 0; i < s; i++) {
      const phi1 = st.coreRange[i * k1 + k];
      for (let j = 0; j < s; j++) zc.data[i * s + j] -= phi1 * psiMu[j];
    }
  }
  // C = T1^{-1} (U1^T Z_c U2) T2^{-T}.
  const tmp = zeros(rho, s);
  gemm(true, false, rho, s, s, 1, u1.data, 0, rho, zc.data, 0, s, 0, tmp.data, 0, s);
  const c = zeros(rho, kappa);
  gemm(false, false, rho, kappa, s, 1, tmp.data, 0, s, u2.data, 0, kappa, 0, c.data, 0, kappa);
  solveTriangular(t1, c, { upper: true, side: 'left' });
  solveTriangular(t2, c, { upper: true, side: 'right', trans: true });
  return { basis, c, p, thetaQ };
}

function checkTriangle(t: Matrix64, what: string): void {
  for (let i = 0; i < t.rows; i++) {
    if (t.data[i * t.stride + i] === 0) throw new NumericError(`reconstruction: ${what} is rank deficient (column ${i}); the sketch is degenerate`);
  }
}
