/**
 * The update face of every sketch [TYUC19 §2.2: the sketches are linear in A]: validation at the
 * boundary, row coverage, then one dispatch to the method's module.
 * - `updateRows`: a block of rows of A, any order, any block size, global row numbers. A row seen
 *   twice is added twice (A is the sum): the linear sketches stay right but drop the TSQR factor
 *   (`rangeRValid`); refused with `center` (the mean needs each row once) and by rsvd (H = A^T Y
 *   is quadratic in A).
 * - `updateColumns`: a block of COLUMNS of A into a sketch of A^T (created with cols = m).
 * - `updateEntries`: COO triples A[i, j] += v.
 * - `updateLinear`: A <- theta A + eta H, H dense or low-rank.
 * Every one throws ShapeError / NonFiniteError / ArgumentError naming the place before changing
 * anything.
 */
import { ArgumentError, NonFiniteError, ShapeError } from '../errors.js';
import { gemm } from '../kernels/gemm.js';
import { maxMagnitude } from '../kernels/find-non-finite.js';
import type { Matrix } from '../matrix.js';
import { keptAddColumn, keptTimesMatrix } from '../maps/kept-map.js';
import { gaussian } from '../maps/gaussian.js';
import { testMatrixFamily } from '../maps/test-matrix.js';
import { tsqrChunk } from './engine/absorb.js';
import { addInterval } from './intervals.js';
import { spillRows } from './linear/linear.js';
import { checkBlockMagnitude } from './magnitude.js';
import { methodOf } from './registry.js';
import type { LinearState, SketchState } from './types.js';

export function updateRows(state: SketchState, block: Matrix, rowStart: number): void {
  const n = state.cols, b = block.rows;
  if (block.cols !== n) throw new ShapeError(`row block at row ${rowStart} has ${block.cols} columns, expected ${n}`);
  if (!Number.isSafeInteger(rowStart) || rowStart < 0) throw new ArgumentError(`rowStart must be a non-negative integer, found ${rowStart}`);
  if (b === 0) return;
  const overlaps = addInterval(state.covered, rowStart, rowStart + b, true);
  if (overlaps && state.center) {
    throw new ArgumentError(`rows [${rowStart}, ${rowStart + b}) overlap rows already seen: with center, each row must arrive exactly once`);
  }
  if (state.method === 'fd') checkBlock(state, block, rowStart);
  methodOf(state).updateRows(state, block, rowStart, overlaps);
  addInterval(state.covered, rowStart, rowStart + b, false);
  state.rowsSeen += b;
  state.rows = Math.max(state.rows, rowStart + b);
}

/**
 * NaN/Inf anywhere in the block: NonFiniteError naming the first (row, column); a magnitude the
 * method cannot compute with: NumericError (magnitude.ts).
 */
function checkBlock(state: SketchState, block: Matrix, rowStart: number): void {
  const { data, offset, stride, cols } = block;
  let big = 0;
  for (let t = 0; t < block.rows; t++) {
    const o = offset + t * stride;
    const m = maxMagnitude(data, o, cols);
    if (m > big) big = m;
    if (Number.isFinite(m)) continue;
    for (let j = 0; j < cols; j++) {
      const x = data[o + j];
      if (!Number.isFinite(x)) throw new NonFiniteError(`row ${rowStart + t}: value at column ${j} is ${x}`);
    }
  }
  checkBlockMagnitude(state.method, state.dtype, big, `rows ${rowStart}..${rowStart + block.rows - 1}`);
}

/**
 * Absorb a block of COLUMNS of A (m x c: columns [colStart, colStart + c)) into a sketch of A^T
 * (created with `cols` = m) [docs/METHODS.md §0: a column stream of A is a row stream of A^T].
 * Its reconstruction is that of A^T (the consumer swaps U and V). Refused for a centered sketch:
 * PCA of A subtracts the column means of A, which for a column stream means each streamed column's
 * own mean (the streams layer's `sketchColumns({ center: true })` does that); the record's
 * `center` would subtract the row means of A instead.
 */
export function updateColumns(state: SketchState, block: Matrix, colStart: number): void {
  const m = state.cols, c = block.cols;
  if (block.rows !== m) throw new ShapeError(`column block at column ${colStart} has ${block.rows} rows, expected ${m}`);
  if (!Number.isSafeInteger(colStart) || colStart < 0) throw new ArgumentError(`colStart must be a non-negative integer, found ${colStart}`);
  if (state.center) {
    throw new ArgumentError('updateColumns on a centered sketch would subtract the row means of A: for PCA of a column stream, ' +
      'subtract each column\'s own mean and use an uncentered sketch (sketchColumns({ center: true }) does this)');
  }
  for (let i = 0; i < m; i++) {
    const o = block.offset + i * block.stride;
    for (let j = 0; j < c; j++) {
      const x = block.data[o + j];
      if (!Number.isFinite(x)) throw new NonFiniteError(`column ${colStart + j}: value at row ${i} is ${x}`);
    }
  }
  const ch = state.sizes.chunk, w = new Float64Array(Math.min(ch, c) * m);
  for (let j0 = 0; j0 < c; j0 += ch) {
    const cb = Math.min(ch, c - j0);
    for (let i = 0; i < m; i++) {
      const o = block.offset + i * block.stride + j0;
      for (let t = 0; t < cb; t++) w[t * m + i] = block.data[o + t];
    }
    updateRows(state, { rows: cb, cols: m, data: w, offset: 0, stride: m }, colStart + j0);
  }
}

/** The linear record of an update that needs one (entries, linear updates), else an error. */
function linearOnly(state: SketchState, what: string): Exclude<LinearState, { method: 'rsvd' }> {
  if (state.method === 'fd') throw new ArgumentError(`Frequent Directions accepts row updates only (it is not linear): no ${what}`);
  if (state.method === 'rsvd') throw new ArgumentError(`the rsvd sketch needs whole rows, each once (H = A^T Y is quadratic in A): no ${what}; use the three-sketch`);
  if (state.center) throw new ArgumentError(`${what} are not supported with center (the mean needs each row once)`);
  return state;
}

/**
 * COO triples A[i_t, j_t] += v_t. An entry adds v e_i e_j^T to A: y_i += v Omega[:, j]^T (spilled),
 * L [Y 1] += l_i [v Omega[:, j]^T 0], X[:, j] += v upsilon_i, Z += v phi_i Psi[:, j]^T,
 * S[:, j] += v theta_i (two-sketch: W with Psi (l x m)). The TSQR factor cannot follow, so it is
 * dropped and reconstruction needs a spill that can be read back. Cost O(k + s^2) per entry.
 */
export function updateEntries(state: SketchState, i: ArrayLike<number>, j: ArrayLike<number>, v: ArrayLike<number>): void {
  const st = linearOnly(state, 'entry updates');
  const N = i.length, n = st.cols;
  if (j.length !== N || v.length !== N) throw new ArgumentError(`COO arrays differ in length: i ${N}, j ${j.length}, v ${v.length}`);
  for (let t = 0; t < N; t++) {
    const ii = i[t], jj = j[t], vv = v[t];
    if (!Number.isSafeInteger(ii) || ii < 0) throw new ArgumentError(`entry ${t}: row index ${ii} is not a non-negative integer`);
    if (!Number.isInteger(jj) || jj < 0 || jj >= n) throw new ArgumentError(`entry ${t}: column index ${jj} is outside [0, ${n})`);
    if (!Number.isFinite(vv)) throw new NonFiniteError(`row ${ii}: value at column ${jj} is ${vv}`);
    checkBlockMagnitude(st.method, st.dtype, Math.abs(vv), `entry ${t} (row ${ii}, column ${jj})`);
  }
  const { k, s, l, q } = st.sizes, k1 = k + 1;
  const three = st.method === 'three-sketch';
  const co = three ? k : l, left = three ? s : l;
  const fam = testMatrixFamily(st.testMatrix);
  const coVec = new Float64Array(co), phiVec = new Float64Array(three ? s : 0), thVec = new Float64Array(q);
  const psiCol = new Float64Array(three ? s : 0), y = new Float64Array(k1);
  for (let t = 0; t < N; t++) {
    const ii = i[t], jj = j[t], vv = v[t];
    if (vv === 0) continue;
    fam.fillDense(st.seed, three ? 'upsilon' : 'psi', co, ii, 1, coVec, 0, co);
    if (three) fam.fillDense(st.seed, 'phi', s, ii, 1, phiVec, 0, s);
    if (q > 0) gaussian.fillDense(st.seed, 'theta', q, ii, 1, thVec, 0, q);
    y.fill(0);
    keptAddColumn(st.omega, jj, vv, y); // y = v Omega[:, j]^T, y[k] = 0
    spillRows(st, ii, 1, y, 0);
    const lv = three ? phiVec : coVec;
    for (let a = 0; a < left; a++) {
      const w = lv[a];
      if (w !== 0) for (let c = 0; c < k; c++) st.coreRange[a * k1 + c] += w * y[c];
    }
    for (let a = 0; a < q; a++) for (let c = 0; c < k; c++) st.errorRange[a * k1 + c] += thVec[a] * y[c];
    for (let a = 0; a < co; a++) st.coRange[a * n + jj] += vv * coVec[a];
    for (let a = 0; a < q; a++) st.errorSketch[a * n + jj] += vv * thVec[a];
    st.colSums[jj] += vv;
    if (three) {
      psiCol.fill(0);
      keptAddColumn(st.psi, jj, 1, psiCol);
      for (let a = 0; a < s; a++) {
        const w = vv * phiVec[a];
        if (w !== 0) for (let c = 0; c < s; c++) st.core[a * s + c] += w * psiCol[c];
      }
    }
    addInterval(st.covered, ii, ii + 1, false);
    st.rows = Math.max(st.rows, ii + 1);
  }
  if (N > 0) { st.rangeRValid = false; st.sumSquares[3] += 1; }
}

export type LinearUpdate =
  | Matrix
  | { h: Matrix; rowStart?: number }
  | { left: Matrix; right: Matrix; rowStart?: number };

/**
 * General linear update A <- theta A + eta H [TYUC19 §2.2, (2.3)]: every sketch maps the same way
 * (X <- theta X + eta Upsilon H, Y <- theta Y + eta H Omega^T, Z <- theta Z + eta Phi H Psi^T,
 * S <- theta S + eta Theta H). H dense (rows [rowStart, ...) of A) goes through the row engine;
 * low-rank H = left right^T never expanded (O((m_H + n) p (k + s + q))). theta scales the state in
 * place and the spilled rows lazily through `rangeScale`; theta = 0 is refused (create a new
 * sketch). H rows overlapping rows already seen drop the TSQR factor.
 */
export function updateLinear(state: SketchState, theta: number, eta: number, upd: LinearUpdate): void {
  const st = linearOnly(state, 'general linear updates');
  if (!Number.isFinite(theta) || theta === 0) throw new ArgumentError(`theta must be finite and nonzero, found ${theta} (to start over, create a new sketch)`);
  if (!Number.isFinite(eta)) throw new ArgumentError(`eta must be finite, found ${eta}`);
  const n = st.cols;
  const rowStart = 'rows' in upd ? 0 : (upd.rowStart ?? 0);
  if (!Number.isSafeInteger(rowStart) || rowStart < 0) throw new ArgumentError(`rowStart must be a non-negative integer, found ${rowStart}`);
  let dense: Matrix | undefined, left: Matrix | undefined, right: Matrix | undefined;
  if ('rows' in upd) dense = upd;
  else if ('h' in upd) dense = upd.h;
  else { left = upd.left; right = upd.right; }
  if (dense && dense.cols !== n) throw new ShapeError(`H has ${dense.cols} columns, expected ${n}`);
  if (left && right) {
    if (right.rows !== n) throw new ShapeError(`right factor has ${right.rows} rows, expected ${n}`);
    if (left.cols !== right.cols) throw new ShapeError(`factors have ${left.cols} and ${right.cols} columns`);
  }
  for (const mat of [dense, left, right]) {
    if (!mat) continue;
    for (let i = 0; i < mat.rows; i++) for (let j = 0; j < mat.cols; j++) {
      const x = mat.data[mat.offset + i * mat.stride + j];
      if (!Number.isFinite(x)) throw new NonFiniteError(`linear update: value at (${i}, ${j}) is ${x}`);
    }
  }
  if (theta !== 1) {
    const k = st.sizes.k, k1 = k + 1;
    for (const a of [st.coRange, st.errorSketch, st.colSums]) for (let t = 0; t < a.length; t++) a[t] *= theta;
    if (st.method === 'three-sketch') for (let t = 0; t < st.core.length; t++) st.core[t] *= theta;
    for (const a of [st.coreRange, st.errorRange, st.rangeR]) {
      for (let t = 0; t < a.length; t++) if (t % k1 !== k) a[t] *= theta; // the ones column is not A
    }
    st.rangeScale *= theta;
  }
  if (eta === 0) return;
  const mH = dense ? dense.rows : left!.rows;
  if (mH === 0) return;
  if (!dense) {
    if (addInterval(st.covered, rowStart, rowStart + mH, false)) st.rangeRValid = false;
    st.sumSquares[3] += 1; // ||A||_F is not measured for a low-rank update
    absorbLowRank(st, eta, left!, right!, rowStart);
    st.rows = Math.max(st.rows, rowStart + mH);
    return;
  }
  // eta H through the row engine, a chunk at a time (scaled into a float64 buffer).
  const c = st.sizes.chunk, w = new Float64Array(Math.min(c, mH) * n);
  const overlaps = addInterval(st.covered, rowStart, rowStart + mH, true);
  for (let t0 = 0; t0 < mH; t0 += c) {
    const cb = Math.min(c, mH - t0);
    for (let t = 0; t < cb; t++) {
      const o = dense.offset + (t0 + t) * dense.stride;
      for (let j = 0; j < n; j++) w[t * n + j] = eta * dense.data[o + j];
    }
    methodOf(st).updateRows(st, { rows: cb, cols: n, data: w, offset: 0, stride: n }, rowStart + t0, overlaps);
  }
  addInterval(st.covered, rowStart, rowStart + mH, false);
  st.rows = Math.max(st.rows, rowStart + mH);
}

/**
 * + eta H for H = L R^T given as factors, L (m_H x p) on rows [rowStart, rowStart + m_H), R (n x p),
 * without forming H [TYUC19 §2.2, (2.3) regrouped]: Y_H = eta L (R^T Omega^T) (spilled and folded
 * into the range accumulators), X += eta (Upsilon_H L) R^T, Z += eta (Phi_H L)(R^T Psi^T),
 * S += eta (Theta_H L) R^T, colSums += eta R (L^T 1). Allocates its p-wide products once per call.
 */
function absorbLowRank(st: Exclude<LinearState, { method: 'rsvd' }>, eta: number, left: Matrix, right: Matrix, rowStart: number): void {
  const ws = st.engine;
  if (ws === null) throw new ArgumentError('this sketch was disposed (disposeSketch): it can be read, merged and reconstructed, not updated');
  const { k, s, l, q, chunk: c } = st.sizes;
  const n = st.cols, p = left.cols, mH = left.rows, k1 = k + 1;
  const three = st.method === 'three-sketch';
  const co = three ? k : l, lhs = three ? s : l;
  const fam = testMatrixFamily(st.testMatrix);
  // Wk = R^T Omega^T (p x k) = (Omega R)^T; Ws = R^T Psi^T (p x s).
  const transposeOf = (m: { rows: number; cols: number; data: Float64Array }) => {
    const t = new Float64Array(m.rows * m.cols);
    for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) t[j * m.rows + i] = m.data[i * m.cols + j];
    return t;
  };
  const wk = transposeOf(keptTimesMatrix(st.omega, right));
  const ws2 = three ? transposeOf(keptTimesMatrix(st.psi, right)) : new Float64Array(0);
  const rp = new Float64Array(n * p);
  for (let j = 0; j < n; j++) for (let a = 0; a < p; a++) rp[j * p + a] = right.data[right.offset + j * right.stride + a];
  const ul = new Float64Array(co * p), pl = new Float64Array(three ? s * p : 0), tl = new Float64Array(q * p), oneL = new Float64Array(p);
  const coBuf = new Float64Array(c * co), phiBuf = new Float64Array(three ? c * s : 0), thBuf = new Float64Array(c * q);
  const lp = new Float64Array(c * p);
  const ys = ws.ys;
  ws.tsqr.r.data.set(st.rangeR);
  for (let t0 = 0; t0 < mH; t0 += c) {
    const b = Math.min(c, mH - t0), i0 = rowStart + t0;
    for (let t = 0; t < b; t++) for (let a = 0; a < p; a++) lp[t * p + a] = left.data[left.offset + (t0 + t) * left.stride + a];
    fam.fillDense(st.seed, three ? 'upsilon' : 'psi', co, i0, b, coBuf, 0, co);
    if (three) fam.fillDense(st.seed, 'phi', s, i0, b, phiBuf, 0, s);
    if (q > 0) gaussian.fillDense(st.seed, 'theta', q, i0, b, thBuf, 0, q);
    // [Y 1] chunk = [eta L_chunk Wk, 1] (the ones column of ys is preset).
    gemm(false, false, b, k, p, eta, lp, 0, p, wk, 0, k, 0, ys, 0, k1);
    spillRows(st, i0, b, ys, 0);
    gemm(true, false, lhs, k1, b, 1, three ? phiBuf : coBuf, 0, lhs, ys, 0, k1, 1, st.coreRange, 0, k1);
    if (q > 0) gemm(true, false, q, k1, b, 1, thBuf, 0, q, ys, 0, k1, 1, st.errorRange, 0, k1);
    gemm(true, false, co, p, b, 1, coBuf, 0, co, lp, 0, p, 1, ul, 0, p);
    if (three) gemm(true, false, s, p, b, 1, phiBuf, 0, s, lp, 0, p, 1, pl, 0, p);
    if (q > 0) gemm(true, false, q, p, b, 1, thBuf, 0, q, lp, 0, p, 1, tl, 0, p);
    for (let t = 0; t < b; t++) for (let a = 0; a < p; a++) oneL[a] += lp[t * p + a];
    if (three) for (let t = 0; t < b; t++) for (let i = 0; i < k; i++) st.coRangeOnes[i] += coBuf[t * k + i];
    tsqrChunk(ws, b);
  }
  st.rangeR.set(ws.tsqr.r.data);
  gemm(false, true, co, n, p, eta, ul, 0, p, rp, 0, p, 1, st.coRange, 0, n);
  if (three) gemm(false, false, s, s, p, eta, pl, 0, p, ws2, 0, s, 1, st.core, 0, s);
  if (q > 0) gemm(false, true, q, n, p, eta, tl, 0, p, rp, 0, p, 1, st.errorSketch, 0, n);
  for (let j = 0; j < n; j++) { let x = 0; for (let a = 0; a < p; a++) x += rp[j * p + a] * oneL[a]; st.colSums[j] += eta * x; }
}
