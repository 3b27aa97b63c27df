/**
 * Internal: the low-rank approximation A ~ Q C P^T from a linear sketch, without the rows of A or of Y
 * [TYUC19 Alg. 4.2, §4.2 (three-sketch); TYUC17 Alg. 4.1 (two-sketch); ALGORITHMS.md §6].
 *
 * Notation (types.ts): Y1 = [Y 1] (m x (k+1)) with Y the true range sketch (rangeScale times the
 * spilled rows); R its TSQR factor; E ((k+1) x k) = [I; -c^T] with c = Omega mu when centering, else
 * [I; 0], so the (centered) range sketch is Y1 E with R factor R E.
 * 1. SVD R E = U_R S_R V_R^T; rho = #{S_R > tol}; M = V_R(:, :rho) S_R^{-1} (k x rho); G = E M.
 *    Q = Y1 G (m x rho) is an orthonormal basis of range(Y E) (rank-revealing: an input of rank < k
 *    gives rho = rank and is still recovered exactly).
 * 2. Phi Q = (Phi Y1) G, Theta Q = (Theta Y1) G from the accumulators.
 * 3. three-sketch: P = qr(X_c^T) (n x k); C = (Phi Q)^+ Z_c ((Psi P)^+)^T [TYUC19 (4.3)];
 *    two-sketch: X = (Psi Q)^+ W_c [TYUC17 (4.3)], P C^T = qr(X^T).
 */
import { ArgumentError, NumericError } from '../errors.js';
import { gemm } from '../kernels/gemm.js';
import { householderQr } from '../linalg/householder-qr.js';
import { svd } from '../linalg/svd.js';
import { solveTriangular } from '../linalg/triangular-solve.js';
import { zeros, type Matrix64 } from '../matrix.js';
import { sparseSignZeta } from '../random/test-matrix.js';
import { householderStackR } from './absorb-chunk.js';
import type { RangeSpill, SketchState } from './types.js';

export interface CoreFactors {
  /** G ((k+1) x rho): Q = [Y 1] G with Y the TRUE range sketch. */
  g: Matrix64;
  /** C (rho x kappa). */
  c: Matrix64;
  /** P (n x kappa), orthonormal. */
  p: Matrix64;
  /** Theta Q (q x rho). */
  thetaQ: Matrix64;
  /** Column mean (centering) or undefined. */
  mean: Float64Array | undefined;
}

const EPS = 2.220446049250313e-16;

export function coveredRows(state: SketchState): number {
  let m = 0;
  for (let t = 0; t < state.covered.length; t += 2) m += state.covered[t + 1]! - state.covered[t]!;
  return m;
}

export function coreFactors(state: SketchState, spill: RangeSpill | undefined): CoreFactors {
  if (state.method === 'fd') throw new ArgumentError('coreFactors: Frequent Directions has no range sketch');
  const { k, q } = state.sizes;
  const n = state.cols, k1 = k + 1;
  const three = state.method === 'three-sketch';
  const left = three ? state.sizes.s : state.sizes.l;

  // Centering: mean mu and c = Omega mu.
  let mean: Float64Array | undefined;
  const cvec = new Float64Array(k);
  if (state.center) {
    const m = coveredRows(state);
    mean = new Float64Array(n);
    if (m > 0) for (let j = 0; j < n; j++) mean[j] = state.colSums[j]! / m;
    omegaTimes(state, mean, cvec);
  }

  // R of [Y 1]: kept by TSQR, or rebuilt from a spill that can be read back.
  const r1 = state.rangeRValid ? state.rangeR : rebuildR(state, spill);
  // R E ((k+1) x k).
  const re = zeros(k1, k);
  for (let i = 0; i < k1; i++) for (let j = 0; j < k; j++) re.data[i * k + j] = r1[i * k1 + j]! - cvec[j]! * r1[i * k1 + k]!;
  const sr = svd(re);
  const tol = (sr.s[0] ?? 0) * k1 * 10 * EPS;
  let rho = 0;
  while (rho < sr.s.length && sr.s[rho]! > tol) rho++;
  const g = zeros(k1, rho);
  for (let i = 0; i < k; i++) for (let j = 0; j < rho; j++) g.data[i * rho + j] = sr.v.data[i * sr.v.stride + j]! / sr.s[j]!;
  for (let j = 0; j < rho; j++) {
    let t = 0;
    for (let i = 0; i < k; i++) t += cvec[i]! * g.data[i * rho + j]!;
    g.data[k * rho + j] = -t;
  }

  // Phi Q (left x rho) and Theta Q (q x rho).
  const leftQ = zeros(left, rho);
  if (rho > 0) gemm(false, false, left, rho, k1, 1, state.coreRange, 0, k1, g.data, 0, rho, 0, leftQ.data, 0, rho);
  const thetaQ = zeros(q, rho);
  if (rho > 0 && q > 0) gemm(false, false, q, rho, k1, 1, state.errorRange, 0, k1, g.data, 0, rho, 0, thetaQ.data, 0, rho);

  // Centered co-range: X_c = X - (Upsilon 1) mu^T (three), W_c = W - (Psi 1) mu^T (two).
  const xc = zeros(three ? k : left, n);
  xc.data.set(state.coRange);
  if (mean) {
    for (let i = 0; i < xc.rows; i++) {
      const w = three ? state.coRangeOnes[i]! : state.coreRange[i * k1 + k]!;
      for (let j = 0; j < n; j++) xc.data[i * n + j] -= w * mean[j]!;
    }
  }
  if (rho === 0) return { g, c: zeros(0, 0), p: zeros(n, 0), thetaQ, mean };

  const { q: u1, r: t1 } = householderQr(leftQ); // Phi Q = U1 T1 (left x rho, rho x rho)
  checkTriangle(t1, 'Phi Q');
  if (three) {
    const s = state.sizes.s;
    const xt = zeros(n, k);
    for (let i = 0; i < k; i++) for (let j = 0; j < n; j++) xt.data[j * k + i] = xc.data[i * n + j]!;
    const p = householderQr(xt).q; // n x kappa, kappa = min(n, k)
    const kappa = p.cols;
    const psiP = psiTimes(state, p); // s x kappa
    const { q: u2, r: t2 } = householderQr(psiP);
    checkTriangle(t2, 'Psi P');
    // Z_c = Z - (Phi 1)(Psi mu)^T.
    const zc = zeros(s, s);
    zc.data.set(state.core);
    if (mean) {
      const psiMu = new Float64Array(s);
      psiTimesVector(state, mean, psiMu);
      for (let i = 0; i < s; i++) {
        const phi1 = state.coreRange[i * k1 + k]!;
        for (let j = 0; j < s; j++) zc.data[i * s + j] -= phi1 * psiMu[j]!;
      }
    }
    // C = T1^{-1} (U1^T Z_c U2) T2^{-T}.
    const tmp = zeros(rho, s);
    gemm(true, false, rho, s, s, 1, u1.data, 0, rho, zc.data, 0, s, 0, tmp.data, 0, s);
    const c = zeros(rho, kappa);
    gemm(false, false, rho, kappa, s, 1, tmp.data, 0, s, u2.data, 0, kappa, 0, c.data, 0, kappa);
    solveTriangular(t1, c, { upper: true, side: 'left' });
    solveTriangular(t2, c, { upper: true, side: 'right', trans: true });
    return { g, c, p, thetaQ, mean };
  }
  // Two-sketch: X = T^{-1} U^T W_c (rho x n); X^T = P Rx, so X = Rx^T P^T and C = Rx^T.
  const xr = zeros(rho, n);
  gemm(true, false, rho, n, left, 1, u1.data, 0, rho, xc.data, 0, n, 0, xr.data, 0, n);
  solveTriangular(t1, xr, { upper: true, side: 'left' });
  const xrt = zeros(n, rho);
  for (let i = 0; i < rho; i++) for (let j = 0; j < n; j++) xrt.data[j * rho + i] = xr.data[i * n + j]!;
  const { q: p, r: rx } = householderQr(xrt); // p: n x kappa, rx: kappa x rho
  const kappa = p.cols;
  const c = zeros(rho, kappa);
  for (let i = 0; i < rho; i++) for (let j = 0; j < kappa; j++) c.data[i * kappa + j] = rx.data[j * rho + i]!;
  return { g, c, p, thetaQ, mean };
}

function checkTriangle(t: Matrix64, what: string): void {
  for (let i = 0; i < t.rows; i++) {
    if (t.data[i * t.stride + i] === 0) throw new NumericError(`reconstruction: ${what} is rank deficient (column ${i}); the sketch is degenerate`);
  }
}

/** out (k) = Omega x for x (n): Omega^T is (n x k) dense or sparse by columns of Omega. */
function omegaTimes(state: SketchState, x: Float64Array, out: Float64Array): void {
  const { k } = state.sizes, n = state.cols, m = state.maps;
  out.fill(0);
  if (state.testMatrix === 'sparse-sign') {
    const z = sparseSignZeta(k);
    for (let j = 0; j < n; j++) for (let p = 0; p < z; p++) out[m.omegaIdx[j * z + p]!] += m.omegaVal[j * z + p]! * x[j]!;
  } else {
    for (let j = 0; j < n; j++) { const xj = x[j]!; for (let c = 0; c < k; c++) out[c] += m.omegaT[j * k + c]! * xj; }
  }
}

/** out (s) = Psi x (three-sketch Psi, s x n). */
function psiTimesVector(state: SketchState, x: Float64Array, out: Float64Array): void {
  const s = state.sizes.s, n = state.cols, m = state.maps;
  out.fill(0);
  if (state.testMatrix === 'sparse-sign') {
    const z = sparseSignZeta(s);
    for (let j = 0; j < n; j++) for (let p = 0; p < z; p++) out[m.psiIdx[j * z + p]!] += m.psiVal[j * z + p]! * x[j]!;
  } else {
    for (let i = 0; i < s; i++) { let t = 0; for (let j = 0; j < n; j++) t += m.psi[i * n + j]! * x[j]!; out[i] = t; }
  }
}

/** Psi P (s x kappa) for P (n x kappa). */
function psiTimes(state: SketchState, p: Matrix64): Matrix64 {
  const s = state.sizes.s, n = state.cols, kap = p.cols, m = state.maps;
  const out = zeros(s, kap);
  if (state.testMatrix === 'sparse-sign') {
    const z = sparseSignZeta(s);
    for (let j = 0; j < n; j++) {
      for (let t = 0; t < z; t++) {
        const row = m.psiIdx[j * z + t]!, v = m.psiVal[j * z + t]!;
        for (let c = 0; c < kap; c++) out.data[row * kap + c] += v * p.data[j * p.stride + c]!;
      }
    }
  } else {
    gemm(false, false, s, kap, n, 1, m.psi, 0, n, p.data, p.offset, p.stride, 0, out.data, 0, kap);
  }
  return out;
}

/** R factor of [Y 0] (k+1 square) recomputed from a spill that can be read back. */
function rebuildR(state: SketchState, spill: RangeSpill | undefined): Float64Array {
  const sp = spill ?? state.spill;
  if (!sp?.forEachBlock) {
    throw new ArgumentError(
      'the TSQR factor was dropped (a row was written more than once: entry, linear or overlapping updates); ' +
      'reconstruction needs a spill that can be read back (forEachBlock)');
  }
  const k = state.sizes.k, k1 = k + 1, c = 64, sc = state.rangeScale;
  const stack = new Float64Array((k1 + c) * k1);
  const r = new Float64Array(k1 * k1);
  sp.forEachBlock((_r0, y) => {
    for (let t0 = 0; t0 < y.rows; t0 += c) {
      const b = Math.min(c, y.rows - t0);
      for (let i = 0; i < k1; i++) for (let j = 0; j < k1; j++) stack[i * k1 + j] = j >= i ? r[i * k1 + j]! : 0;
      for (let t = 0; t < b; t++) {
        const o = (k1 + t) * k1, so = y.offset + (t0 + t) * y.stride;
        for (let j = 0; j < k; j++) stack[o + j] = sc * y.data[so + j]!;
        stack[o + k] = 0;
      }
      householderStackR(stack, k1, b);
      for (let i = 0; i < k1; i++) for (let j = i; j < k1; j++) r[i * k1 + j] = stack[i * k1 + j]!;
    }
  });
  return r;
}
