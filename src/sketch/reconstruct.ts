/**
 * Fixed-rank reconstruction A ~ U diag(s) V^T from the sketch alone, never from the input
 * [TYUC19 Alg. 4.2 + §5.3 (three-sketch); TYUC17 Alg. 4.1 / 5.1 (two-sketch); GLPW16 (FD: V, S only)].
 * Three-sketch: Q = [Y 1] E M with E = [I; -c^T] (centering) or [I; 0], M = V_R S_R^{-1} from the
 * SVD of R E (range basis without the rows, rank-revealing so inputs of rank < k are exact);
 * P = qr(X^T); C = (Phi Q)^+ Z ((Psi P)^+)^T; SVD of C = U_C S V_C^T; U = Q U_C, V = P V_C.
 * Two-sketch: X = (Psi Q)^+ W, SVD of X.
 * Shapes: s (r), v (n x r), uRight (k x r) with U_blk = Y_blk uRight + 1 uShift (see `applyRight`),
 * Y_blk the rows as written to the spill; u (m x r) when the spill can be read back.
 * FD: s, v from the SVD of the buffer; U = A V diag(s)^{-1} by a second pass (`uFrom: 'input'`,
 * uRight = V diag(s)^{-1}, n x r).
 * rank defaults to the sketch's `rank`; fewer are returned if the sketch has lower rank.
 * Deterministic signs: each column of V has its largest-magnitude entry positive (U may be on disk,
 * so the sign is decided on V; ties go to the first index).
 */
import { ArgumentError } from '../errors.js';
import { gemm } from '../kernels/gemm.js';
import { svd } from '../linalg/svd.js';
import { zeros, type Matrix64 } from '../matrix.js';
import { applyRight } from './apply-right.js';
import { coreFactors } from './core-factors.js';
import type { Reconstruction, RangeSpill, SketchState } from './types.js';

export interface ReconstructOptions {
  rank?: number;
  /** A spill to read the range rows from (defaults to the state's own, if it can be read). */
  spill?: RangeSpill;
}

export function reconstruct(state: SketchState, opts: ReconstructOptions = {}): Reconstruction {
  const want = opts.rank ?? state.rank;
  const n = state.cols, q = state.sizes.q;
  if (!Number.isInteger(want) || want < 1) throw new ArgumentError(`rank must be a positive integer, found ${want}`);
  if (state.method === 'fd') return reconstructFd(state, want);
  if (want > state.sizes.k) throw new ArgumentError(`rank ${want} exceeds the range sketch size k = ${state.sizes.k}`);
  const f = coreFactors(state, opts.spill);
  const k = state.sizes.k, rho = f.g.cols;
  const r = Math.min(want, f.c.rows, f.c.cols);
  const sv = svd(f.c.rows > 0 && f.c.cols > 0 ? f.c : zeros(1, 1));
  const s = sv.s.slice(0, r);
  // V = P V_C(:, :r) (n x r).
  const v = zeros(n, r);
  if (r > 0) gemm(false, false, n, r, f.p.cols, 1, f.p.data, 0, f.p.stride, sv.v.data, 0, sv.v.stride, 0, v.data, 0, r);
  // G U_C ((k+1) x r): top k rows scaled by rangeScale act on spilled rows; last row is the shift.
  const gu = zeros(k + 1, r);
  if (r > 0) gemm(false, false, k + 1, r, rho, 1, f.g.data, 0, rho, sv.u.data, 0, sv.u.stride, 0, gu.data, 0, r);
  const uRight = zeros(k, r);
  for (let i = 0; i < k; i++) for (let j = 0; j < r; j++) uRight.data[i * r + j] = state.rangeScale * gu.data[i * r + j]!;
  const uShift = gu.data.slice(k * r, k * r + r);
  const thetaU = zeros(q, r);
  if (r > 0 && q > 0) gemm(false, false, q, r, rho, 1, f.thetaQ.data, 0, rho, sv.u.data, 0, sv.u.stride, 0, thetaU.data, 0, r);
  const out: Reconstruction = { s, v, uRight, uShift, uFrom: 'spill', thetaU, mean: f.mean };
  fixSignsByV(out);
  const sp = opts.spill ?? state.spill;
  if (sp?.forEachBlock) out.u = formFromSpill(sp, state.rows, out.uRight, out.uShift);
  return out;
}

/** U (m x r) = Y uRight + 1 uShift, reading the spill block by block. */
export function formFromSpill(sp: RangeSpill, rows: number, right: Matrix64, shift: Float64Array): Matrix64 {
  const r = right.cols;
  const u = zeros(rows, r);
  for (let i = 0; i < rows; i++) for (let j = 0; j < r; j++) u.data[i * r + j] = shift[j]!;
  sp.forEachBlock!((r0, y) => {
    const b = Math.min(y.rows, rows - r0);
    if (b <= 0) return;
    applyRight({ ...y, rows: b }, right, { rows: b, cols: r, data: u.data, offset: r0 * r, stride: r }, shift);
  });
  return u;
}

function fixSignsByV(out: Reconstruction): void {
  const { v } = out, n = v.rows, r = v.cols;
  for (let j = 0; j < r; j++) {
    let best = 0, val = 0;
    for (let i = 0; i < n; i++) { const x = v.data[i * r + j]!; if (Math.abs(x) > best) { best = Math.abs(x); val = x; } }
    if (val >= 0) continue;
    const flip = (m: Matrix64) => { for (let i = 0; i < m.rows; i++) m.data[m.offset + i * m.stride + j] = -m.data[m.offset + i * m.stride + j]!; };
    flip(v); flip(out.uRight); flip(out.thetaU);
    out.uShift[j] = -out.uShift[j]!;
    if (out.u) flip(out.u);
  }
}

function reconstructFd(state: SketchState, want: number): Reconstruction {
  const n = state.cols, q = state.sizes.q;
  const rows = state.fdRows;
  const sv = svd(rows > 0 ? { rows, cols: n, data: state.coRange, offset: 0, stride: n } : zeros(1, n));
  let r = Math.min(want, sv.s.length);
  while (r > 0 && !(sv.s[r - 1]! > 0)) r--;
  const s = sv.s.slice(0, r);
  const v = zeros(n, r);
  for (let i = 0; i < n; i++) for (let j = 0; j < r; j++) v.data[i * r + j] = sv.v.data[i * sv.v.stride + j]!;
  const uRight = zeros(n, r);
  for (let i = 0; i < n; i++) for (let j = 0; j < r; j++) uRight.data[i * r + j] = v.data[i * r + j]! / s[j]!;
  // Theta U = Theta A V S^{-1} = S_err V S^{-1} (q x r): the U a second pass would give.
  const thetaU = zeros(q, r);
  if (q > 0 && r > 0) gemm(false, false, q, r, n, 1, state.errorSketch, 0, n, uRight.data, 0, r, 0, thetaU.data, 0, r);
  const out: Reconstruction = { s, v, uRight, uShift: new Float64Array(r), uFrom: 'input', thetaU };
  fixSignsByV(out);
  return out;
}
