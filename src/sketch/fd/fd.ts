/**
 * Frequent Directions [Lib13 Alg. 1; GLPW16 Alg. 2 (the fast 2l-buffer variant); docs/METHODS.md
 * §7], the deterministic baseline behind the sketch interface. B (2l x n) buffer (`coRange`),
 * `fdRows` live rows. Insert rows; when the buffer is full, SVD B = U diag(sigma) V^T,
 * sigma_j^2 <- max(sigma_j^2 - sigma_{l+1}^2, 0), keep the l shrunk rows diag(sigma) V^T.
 * Guarantee ||A^T A - B^T B||_2 <= tau_{r+1}^2 / (l - r) for every r < l [GLPW16 Thm. 1.1].
 * The error sketch S = Theta A and the column sums are kept as for the linear methods, so the
 * a-posteriori estimate works unchanged. V and S come from the buffer; U = A V diag(S)^{-1} needs a
 * second pass over the input (`uFrom: 'input'`). Not linear: no centering, entries or linear
 * updates; merge is stack-and-shrink (keeps the bound, not equal to one pass).
 */
import { ArgumentError } from '../../errors.js';
import { gemm } from '../../kernels/gemm.js';
import { svd } from '../../linalg/svd.js';
import type { Float, Matrix } from '../../matrix.js';
import { zeros } from '../../matrix.js';
import { gaussian } from '../../maps/gaussian.js';
import { allocSums } from '../linear/linear.js';
import { flipColumns } from '../linear/finish.js';
import type { MethodModule, SketchParams } from '../method.js';
import { signFlips } from '../signs.js';
import type { FdState, Reconstruction } from '../types.js';

const segments = (p: SketchParams) => [['errorSketch', p.sizes.q * p.cols], ['colSums', p.cols]] as const;

export const fd: MethodModule<FdState> = {
  method: 'fd',
  code: 2,
  defaultSizes(r, _n, q, chunk) {
    return { k: 0, s: 0, l: 4 * r + 1, q, rule: 'default', chunk };
  },
  checkSizes(r, _n, sz) {
    if (!Number.isInteger(sz.l) || sz.l <= r) throw new ArgumentError(`coRangeDim (FD sketch rows l) must be an integer > rank ${r}, found ${sz.l}`);
  },
  layout(p) {
    const { l, q, chunk: c } = p.sizes, n = p.cols, b = 2 * l;
    return [
      { name: 'sums', bytes: 8 * (q * n + n) },
      { name: 'buffer', bytes: 8 * b * n },
      { name: 'work', bytes: 8 * (c * q + c * n) },
      // The transient peak of one shrink (a copy of B, its Gram and factors), counted though freed after.
      { name: 'shrink', bytes: 8 * (b * n + b * b + b + b * b) },
    ];
  },
  create(p) {
    const { sums, views } = allocSums(segments(p));
    const { l, q, chunk: c } = p.sizes, n = p.cols;
    return {
      ...p, method: 'fd', rows: 0, rowsSeen: 0, covered: [], sums, errorSketch: views.errorSketch!, colSums: views.colSums!,
      coRange: new Float64Array(2 * l * n), fdRows: 0,
      work: { thetaMap: new Float64Array(c * q), a64: new Float64Array(c * n) },
    };
  },
  updateRows(st, block: Matrix, rowStart) {
    const n = st.cols, c = st.sizes.chunk, a64 = st.work.a64;
    for (let t0 = 0; t0 < block.rows; t0 += c) {
      const cb = Math.min(c, block.rows - t0);
      let data: Float = block.data, off = block.offset + t0 * block.stride, ld = block.stride;
      if (!(data instanceof Float64Array)) {
        for (let t = 0; t < cb; t++) for (let j = 0; j < n; j++) a64[t * n + j] = data[off + t * ld + j];
        data = a64; off = 0; ld = n;
      }
      absorb(st, data as Float64Array, off, ld, cb, rowStart + t0);
    }
  },
  mergeInto(out, a, b) {
    const n = a.cols;
    out.coRange.set(a.coRange.subarray(0, a.fdRows * n));
    out.fdRows = a.fdRows;
    insertRows(out, b.coRange, 0, n, b.fdRows);
  },
  extraArrays: (st) => [st.coRange],
  extraScalars: (st) => [st.fdRows],
  setExtraScalars(st, x) { st.fdRows = x[0]; },
  reconstruct(st, opts) {
    const want = opts.rank ?? st.rank;
    const n = st.cols, q = st.sizes.q, rows = st.fdRows;
    const sv = svd(rows > 0 ? { rows, cols: n, data: st.coRange, offset: 0, stride: n } : zeros(1, n));
    let r = Math.min(want, sv.s.length);
    while (r > 0 && !(sv.s[r - 1] > 0)) r--;
    const s = sv.s.slice(0, r);
    const v = zeros(n, r);
    for (let i = 0; i < n; i++) for (let j = 0; j < r; j++) v.data[i * r + j] = sv.v.data[i * sv.v.stride + j];
    const uRight = zeros(n, r);
    for (let i = 0; i < n; i++) for (let j = 0; j < r; j++) uRight.data[i * r + j] = v.data[i * r + j] / s[j];
    // Theta U = Theta A V S^{-1} = S_err V S^{-1} (q x r): the U a second pass would give.
    const thetaU = zeros(q, r);
    if (q > 0 && r > 0) gemm(false, false, q, r, n, 1, st.errorSketch, 0, n, uRight.data, 0, r, 0, thetaU.data, 0, r);
    const out: Reconstruction = { s, v, uRight, uShift: new Float64Array(r), uFrom: 'input', thetaU, signs: 'v', notes: [] };
    if ((opts.signs ?? 'v') === 'v') flipColumns(out, signFlips(v));
    else out.signs = 'pending';
    return out;
  },
  dispose() { /* nothing in WebAssembly memory */ },
};

function absorb(st: FdState, a: Float64Array, off: number, lda: number, b: number, i0: number): void {
  const n = st.cols, { l, q } = st.sizes, buf = st.coRange;
  if (q > 0) {
    gaussian.fillDense(st.seed, 'theta', q, i0, b, st.work.thetaMap, 0, q);
    gemm(true, false, q, n, b, 1, st.work.thetaMap, 0, q, a, off, lda, 1, st.errorSketch, 0, n);
  }
  for (let t = 0; t < b; t++) {
    if (st.fdRows === 2 * l) shrink(st);
    const ao = off + t * lda, bo = st.fdRows * n;
    for (let j = 0; j < n; j++) { const x = a[ao + j]; buf[bo + j] = x; st.colSums[j] += x; }
    st.fdRows++;
  }
}

/** Shrink the buffer to at most l rows (in place). */
function shrink(st: FdState): void {
  const n = st.cols, l = st.sizes.l, rows = st.fdRows, buf = st.coRange;
  if (rows === 0) return;
  const { s, v } = svd({ rows, cols: n, data: buf, offset: 0, stride: n });
  const p = s.length;
  const cut = p > l ? s[l] : 0; // sigma_{l+1} (0-based index l): rows beyond l vanish
  buf.fill(0);
  let kept = 0;
  for (let j = 0; j < Math.min(p, l); j++) {
    // sqrt(s_j^2 - cut^2) without squaring s_j (no overflow near 1e308, no underflow near 1e-160).
    const ratio = s[j] > 0 ? cut / s[j] : 1;
    const sj = s[j] * Math.sqrt(Math.max(1 - ratio * ratio, 0));
    if (sj === 0) break;
    for (let c = 0; c < n; c++) buf[kept * n + c] = sj * v.data[v.offset + c * v.stride + j];
    kept++;
  }
  st.fdRows = kept;
}

/** Insert rows (b x n) into the FD buffer, shrinking when full (merge). */
function insertRows(st: FdState, a: Float64Array, off: number, lda: number, b: number): void {
  const n = st.cols, l = st.sizes.l, buf = st.coRange;
  for (let t = 0; t < b; t++) {
    if (st.fdRows === 2 * l) shrink(st);
    const ao = off + t * lda, bo = st.fdRows * n;
    for (let j = 0; j < n; j++) buf[bo + j] = a[ao + j];
    st.fdRows++;
  }
}
