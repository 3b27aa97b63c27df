/**
 * Internal: + eta H for H = L R^T given as factors, L (m_H x p) on rows [rowStart, rowStart + m_H),
 * R (n x p), without forming H [TYUC19 §2.2, (2.3) with the products regrouped]:
 *   Y_H = eta L (R^T Omega^T)            (m_H x k, written to the spill and the range accumulators)
 *   X  += eta (Upsilon_H L) R^T,  Z += eta (Phi_H L)(R^T Psi^T),  S += eta (Theta_H L) R^T,
 *   colSums += eta R (L^T 1).
 * Cost O(m_H p (k + s + q) + n p (k + s + q)) instead of O(m_H n (k + s + q)) for the dense form.
 * Notation as in types.ts. Allocates its small p-wide products once per call (not a hot loop).
 */
import { gemm } from '../kernels/gemm.js';
import type { Matrix } from '../matrix.js';
import { fillItems, sparseSignZeta } from '../random/test-matrix.js';
import { spillStack, tsqrFromStack } from './absorb-chunk.js';
import type { SketchState } from './types.js';

export function absorbLowRank(state: SketchState, eta: number, left: Matrix, right: Matrix, rowStart: number): void {
  const { k, s, l, q, chunk: c } = state.sizes;
  const n = state.cols, p = left.cols, mH = left.rows, k1 = k + 1;
  const three = state.method === 'three-sketch';
  const co = three ? k : l, lhs = three ? s : l;
  const sparse = state.testMatrix === 'sparse-sign', maps = state.maps;
  // R packed (n x p) float64.
  const rp = new Float64Array(n * p);
  for (let j = 0; j < n; j++) for (let a = 0; a < p; a++) rp[j * p + a] = right.data[right.offset + j * right.stride + a]!;
  // Wk = R^T Omega^T (p x k); Ws = R^T Psi^T (p x s).
  const wk = new Float64Array(p * k), ws = new Float64Array(three ? p * s : 0);
  if (sparse) {
    const zk = sparseSignZeta(k), zs = sparseSignZeta(s);
    for (let j = 0; j < n; j++) for (let a = 0; a < p; a++) {
      const x = rp[j * p + a]!;
      for (let t = 0; t < zk; t++) wk[a * k + maps.omegaIdx[j * zk + t]!] += x * maps.omegaVal[j * zk + t]!;
      if (three) for (let t = 0; t < zs; t++) ws[a * s + maps.psiIdx[j * zs + t]!] += x * maps.psiVal[j * zs + t]!;
    }
  } else {
    gemm(true, false, p, k, n, 1, rp, 0, p, maps.omegaT, 0, k, 0, wk, 0, k);
    if (three) gemm(true, true, p, s, n, 1, rp, 0, p, maps.psi, 0, n, 0, ws, 0, s);
  }
  // Left accumulators: UL = Upsilon_H L (co x p), PL = Phi_H L (s x p), TL = Theta_H L (q x p), oneL = L^T 1.
  const ul = new Float64Array(co * p), pl = new Float64Array(three ? s * p : 0), tl = new Float64Array(q * p), oneL = new Float64Array(p);
  const coBuf = new Float64Array(c * co), phiBuf = new Float64Array(three ? c * s : 0), thBuf = new Float64Array(c * q);
  const lp = new Float64Array(c * p);
  const stack = state.work.stack, y0 = k1 * k1;
  for (let t0 = 0; t0 < mH; t0 += c) {
    const b = Math.min(c, mH - t0), i0 = rowStart + t0;
    for (let t = 0; t < b; t++) for (let a = 0; a < p; a++) lp[t * p + a] = left.data[left.offset + (t0 + t) * left.stride + a]!;
    fillItems(state.testMatrix, state.seed, three ? 'upsilon' : 'psi', co, i0, b, coBuf);
    if (three) fillItems(state.testMatrix, state.seed, 'phi', s, i0, b, phiBuf);
    if (q > 0) fillItems('gaussian', state.seed, 'theta', q, i0, b, thBuf);
    // [Y 1] chunk = [eta L_chunk Wk, 1] into the stack, then spill and range accumulators.
    gemm(false, false, b, k, p, eta, lp, 0, p, wk, 0, k, 0, stack, y0, k1);
    for (let t = 0; t < b; t++) stack[y0 + t * k1 + k] = 1;
    spillStack(state, i0, b);
    gemm(true, false, lhs, k1, b, 1, three ? phiBuf : coBuf, 0, lhs, stack, y0, k1, 1, state.coreRange, 0, k1);
    if (q > 0) gemm(true, false, q, k1, b, 1, thBuf, 0, q, stack, y0, k1, 1, state.errorRange, 0, k1);
    gemm(true, false, co, p, b, 1, coBuf, 0, co, lp, 0, p, 1, ul, 0, p);
    if (three) gemm(true, false, s, p, b, 1, phiBuf, 0, s, lp, 0, p, 1, pl, 0, p);
    if (q > 0) gemm(true, false, q, p, b, 1, thBuf, 0, q, lp, 0, p, 1, tl, 0, p);
    for (let t = 0; t < b; t++) for (let a = 0; a < p; a++) oneL[a] += lp[t * p + a]!;
    if (three) for (let t = 0; t < b; t++) for (let i = 0; i < k; i++) state.coRangeOnes[i] += coBuf[t * k + i]!;
    tsqrFromStack(state, b);
  }
  gemm(false, true, co, n, p, eta, ul, 0, p, rp, 0, p, 1, state.coRange, 0, n);
  if (three) gemm(false, false, s, s, p, eta, pl, 0, p, ws, 0, s, 1, state.core, 0, s);
  if (q > 0) gemm(false, true, q, n, p, eta, tl, 0, p, rp, 0, p, 1, state.errorSketch, 0, n);
  for (let j = 0; j < n; j++) { let x = 0; for (let a = 0; a < p; a++) x += rp[j * p + a]! * oneL[a]!; state.colSums[j] += eta * x; }
}
