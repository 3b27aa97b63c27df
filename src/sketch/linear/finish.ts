/**
 * The last steps every linear method shares, from A ~ Q C P^T (Q = [Y 1] G, C rho x kappa, P
 * n x kappa orthonormal) to the fixed-rank factors [TYUC19 §5.3]: SVD C = U_C S V_C^T,
 * U = Q U_C = [Y 1] (G U_C), V = P V_C; Theta U = (Theta Q) U_C for the error estimate; the sign
 * convention (signs.ts); U formed from the spill when it holds every absorbed row (else `uMissing`
 * says why); and, for the single-view cores, the rank-resolution guard (resolve-rank.ts).
 */
import { gemm } from '../../kernels/gemm.js';
import { svd } from '../../linalg/svd.js';
import { zeros, type Matrix64 } from '../../matrix.js';
import { applyRight } from '../apply-right.js';
import { missingRows, sameCoverage } from '../intervals.js';
import type { ReconstructOptions } from '../method.js';
import { checkTruncations, resolvedRank } from '../resolve-rank.js';
import { negateColumns, negateEntries, signFlips } from '../signs.js';
import type { LinearState, LowRankFactors, RangeSpill, Reconstruction } from '../types.js';
import type { RangeBasis } from './range-basis.js';

export function finishLinear(
  st: LinearState, basis: RangeBasis, c: Matrix64, p: Matrix64, thetaQ: Matrix64, opts: ReconstructOptions, guard: boolean,
): Reconstruction {
  const k = st.sizes.k, n = st.cols, q = st.sizes.q, rho = basis.rho;
  const want = opts.rank ?? st.rank;
  let r = Math.min(want, c.rows, c.cols);
  const sv = svd(c.rows > 0 && c.cols > 0 ? c : zeros(1, 1));
  const notes: string[] = [];
  // thetaU for every kept triplet first: the guard may lower r.
  const thetaAll = zeros(q, r);
  if (r > 0 && q > 0) gemm(false, false, q, r, rho, 1, thetaQ.data, 0, rho, sv.u.data, 0, sv.u.stride, 0, thetaAll.data, 0, r);
  let v = zeros(n, r);
  if (r > 0) gemm(false, false, n, r, p.cols, 1, p.data, 0, p.stride, sv.v.data, 0, sv.v.stride, 0, v.data, 0, r);
  let s = sv.s.slice(0, r);
  if (guard && (opts.guard ?? true) && q > 0 && r > 0) {
    const check = checkTruncations(centeredErrorSketch(st, basis.mean), q, n, s, v, thetaAll);
    const keep = resolvedRank(check), errs = check.errors;
    if (keep < r) {
      notes.push(
        `rank ${r} could not be resolved by this ${st.method}: the error sketch does not show it closer to A than the zero matrix ` +
        `(estimated error ${errs[r].toPrecision(4)}, estimated ||A||_F ${errs[0].toPrecision(4)}), and its singular values would be inflated; ` +
        `returning rank ${keep}, estimated error ${errs[keep].toPrecision(4)}. ` +
        'A larger sketch, more passes (--passes) or the one-pass Gram RSVD (--method rsvd) resolve more.');
      r = keep;
      s = s.slice(0, r);
      v = leading(v, r);
    }
  }
  const thetaU = leading(thetaAll, r);
  // G U_C ((k+1) x r): the top k rows scaled by rangeScale act on spilled rows; the last row is the shift.
  const gu = zeros(k + 1, r);
  if (r > 0) gemm(false, false, k + 1, r, rho, 1, basis.g.data, 0, rho, sv.u.data, 0, sv.u.stride, 0, gu.data, 0, r);
  const uRight = zeros(k, r);
  for (let i = 0; i < k; i++) for (let j = 0; j < r; j++) uRight.data[i * r + j] = st.rangeScale * gu.data[i * r + j];
  const uShift = gu.data.slice(k * r, k * r + r);
  const out: Reconstruction = { s, v, uRight, uShift, uFrom: 'spill', thetaU, mean: basis.mean, signs: 'v', notes };
  const sp = opts.spill ?? st.spill;
  if (sp?.forEachBlock) {
    const spillCovered = opts.spill && opts.spill !== st.spill ? null : st.spillCovered;
    if (spillCovered !== null && !sameCoverage(spillCovered, st.covered)) {
      out.uMissing = `U cannot be formed: the spill does not hold the range rows of ${missingRows(st.covered, spillCovered)} ` +
        '(absorbed before this sketch was serialized, or into another shard\'s spill); S and V are unaffected';
    } else {
      out.u = formFromSpill(sp, st.rows, uRight, uShift);
    }
  } else if (sp === undefined || !sameCoverage(st.spillCovered, st.covered)) {
    out.uMissing = sp === undefined
      ? 'U cannot be formed: this sketch has no spill of its range rows (apply uRight to the shards\' spills)'
      : `U cannot be formed from this spill alone: it does not hold ${missingRows(st.covered, st.spillCovered)}`;
  }
  applySigns(out, opts.signs ?? 'v');
  return out;
}

/** S_c = S - (Theta 1) mu^T (q x n): the error sketch of the centered A. */
export function centeredErrorSketch(st: LinearState, mean: Float64Array | undefined): Float64Array {
  const q = st.sizes.q, n = st.cols, k = st.sizes.k, k1 = k + 1;
  if (!mean) return st.errorSketch;
  const out = Float64Array.from(st.errorSketch);
  for (let i = 0; i < q; i++) {
    const t1 = st.errorRange[i * k1 + k];
    for (let j = 0; j < n; j++) out[i * n + j] -= t1 * mean[j];
  }
  return out;
}

/** Apply the sign convention: decide on V, on U (when formed), or leave it to the caller. */
function applySigns(out: Reconstruction, by: 'v' | 'u' | 'pending'): void {
  if (by === 'pending' || (by === 'u' && !out.u)) { out.signs = 'pending'; return; }
  const flip = signFlips(by === 'u' ? out.u! : out.v);
  flipColumns(out, flip);
  out.signs = by;
}

/** Negate the flagged triplets of a reconstruction (every factor that holds them). */
export function flipColumns(out: Reconstruction, flip: readonly boolean[]): void {
  negateColumns(out.v, flip);
  negateColumns(out.uRight, flip);
  negateColumns(out.thetaU, flip);
  negateEntries(out.uShift, flip);
  if (out.u) negateColumns(out.u, flip);
}

function leading(a: Matrix64, r: number): Matrix64 {
  if (a.cols === r) return a;
  const out = zeros(a.rows, r);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < r; j++) out.data[i * r + j] = a.data[a.offset + i * a.stride + j];
  return out;
}

/** U (m x r) = Y uRight + 1 uShift, reading the spill block by block. */
export function formFromSpill(sp: RangeSpill, rows: number, right: Matrix64, shift: Float64Array): Matrix64 {
  const r = right.cols;
  const u = zeros(rows, r);
  for (let i = 0; i < rows; i++) for (let j = 0; j < r; j++) u.data[i * r + j] = shift[j];
  sp.forEachBlock!((r0, y) => {
    const b = Math.min(y.rows, rows - r0);
    if (b <= 0) return;
    applyRight({ ...y, rows: b }, right, { rows: b, cols: r, data: u.data, offset: r0 * r, stride: r }, shift);
  });
  return u;
}

/** A ~ Q C P^T with Q given blockwise (qRight, qShift), and formed when the spill can be read back and holds every row. */
export function lowRankFactorsOf(
  st: LinearState, basis: RangeBasis, c: Matrix64, p: Matrix64, thetaQ: Matrix64, opts: { spill?: RangeSpill; formQ?: boolean },
): LowRankFactors {
  const k = st.sizes.k, rho = basis.rho;
  const qRight = zeros(k, rho);
  for (let i = 0; i < k; i++) for (let j = 0; j < rho; j++) qRight.data[i * rho + j] = st.rangeScale * basis.g.data[i * rho + j];
  const qShift = basis.g.data.slice(k * rho, k * rho + rho);
  const out: LowRankFactors = { qRight, qShift, c, p, thetaQ, mean: basis.mean };
  const sp = opts.spill ?? st.spill;
  const complete = opts.spill !== undefined && opts.spill !== st.spill ? true : sameCoverage(st.spillCovered, st.covered);
  if (sp?.forEachBlock && opts.formQ !== false && complete) out.q = formFromSpill(sp, st.rows, qRight, qShift);
  return out;
}
