/**
 * General linear update A <- theta A + eta H [TYUC19 §2.2, (2.3)]: every sketch maps the same way,
 * X <- theta X + eta Upsilon H, Y <- theta Y + eta H Omega^T, Z <- theta Z + eta Phi H Psi^T,
 * S <- theta S + eta Theta H (two-sketch: W <- theta W + eta Psi H). (Accumulation is
 * theta = eta = 1; an update never silently replaces the sketch.)
 * H is given dense (a `Matrix` whose rows are rows [0, H.rows) of A, or `{ h, rowStart }`) or as
 * low-rank factors `{ left (m_H x p), right (n x p), rowStart? }` with H = left right^T.
 * theta scales the state in place; the spilled rows are rescaled lazily through `rangeScale`
 * (Y = rangeScale * spilled rows); theta = 0 is refused (it would need the spill erased: create a
 * new sketch instead). H rows that overlap rows already seen drop the TSQR factor (`rangeRValid`).
 * Low-rank factors are never expanded: the sketches are updated through the p-wide products
 * (absorb-low-rank.ts), at O((m_H + n) p (k + s + q)) instead of O(m_H n (k + s + q)).
 * Refused with `center` and for FD.
 */
import { ArgumentError, NonFiniteError, ShapeError } from '../errors.js';
import type { Matrix } from '../matrix.js';
import { absorbChunk } from './absorb-chunk.js';
import { absorbLowRank } from './absorb-low-rank.js';
import { addInterval } from './update-rows.js';
import type { SketchState } from './types.js';

export type LinearUpdate =
  | Matrix
  | { h: Matrix; rowStart?: number }
  | { left: Matrix; right: Matrix; rowStart?: number };

export function updateLinear(state: SketchState, theta: number, eta: number, upd: LinearUpdate): void {
  if (state.method === 'fd') throw new ArgumentError('Frequent Directions accepts row updates only (it is not linear)');
  if (state.center) throw new ArgumentError('general linear updates are not supported with center (the mean needs each row once)');
  if (!Number.isFinite(theta) || theta === 0) throw new ArgumentError(`theta must be finite and nonzero, found ${theta} (to start over, create a new sketch)`);
  if (!Number.isFinite(eta)) throw new ArgumentError(`eta must be finite, found ${eta}`);
  const n = state.cols;
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
      const x = mat.data[mat.offset + i * mat.stride + j]!;
      if (!Number.isFinite(x)) throw new NonFiniteError(`linear update: value at (${i}, ${j}) is ${x}`);
    }
  }

  // A <- theta A.
  if (theta !== 1) {
    const k = state.sizes.k, k1 = k + 1;
    for (const a of [state.coRange, state.core, state.errorSketch, state.colSums]) for (let t = 0; t < a.length; t++) a[t] *= theta;
    for (const a of [state.coreRange, state.errorRange, state.rangeR]) {
      for (let t = 0; t < a.length; t++) if (t % k1 !== k) a[t] *= theta; // the ones column is not A
    }
    state.rangeScale *= theta;
  }
  if (eta === 0) return;

  // + eta H, chunk by chunk through the row kernel (H scaled by eta into the workspace).
  const mH = dense ? dense.rows : left!.rows;
  if (mH === 0) return;
  if (addInterval(state.covered, rowStart, rowStart + mH, true)) state.rangeRValid = false;
  addInterval(state.covered, rowStart, rowStart + mH, false);
  if (!dense) {
    absorbLowRank(state, eta, left!, right!, rowStart);
    state.rows = Math.max(state.rows, rowStart + mH);
    return;
  }
  const c = state.sizes.chunk, w = state.work.a64;
  for (let t0 = 0; t0 < mH; t0 += c) {
    const cb = Math.min(c, mH - t0);
    for (let t = 0; t < cb; t++) {
      const wo = t * n, o = dense.offset + (t0 + t) * dense.stride;
      for (let j = 0; j < n; j++) w[wo + j] = eta * dense.data[o + j]!;
    }
    absorbChunk(state, w, 0, n, cb, rowStart + t0);
  }
  state.rows = Math.max(state.rows, rowStart + mH);
}
