/**
 * Thin Householder QR of a dense matrix [GVL13 Alg. 5.2.1 (factor), §5.1.6 (backward accumulation
 * of Q)]. Unconditionally stable: Q is orthonormal to working precision whatever the rank of A,
 * which is why it is the fallback of `orthonormalize` and the reduction step of `svd`.
 *
 * Layout: the factorisation runs on a packed float64 transpose A^T (n x m), so every column of A
 * (the Householder vector and each column it updates) is contiguous; the update is then a dot
 * product and an axpy over contiguous memory, which is what the JIT vectorises best.
 *
 * Sign convention: R has a non-negative diagonal (rows of R and columns of Q flipped together), so
 * the factorisation is unique for full column rank. Haar sampling and TSQR comparisons rely on it.
 */
import type { Matrix, Matrix64 } from '../matrix.js';
import { zeros } from '../matrix.js';
import { applyHouseholder, makeHouseholder } from './householder.js';

/** Householder factorisation in the transposed layout: at (n x m) is overwritten, taus returned. */
function factorTransposed(at: Float64Array, m: number, n: number): Float64Array {
  const p = Math.min(m, n);
  const tau = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    const rj = j * m + j;
    const t = makeHouseholder(at, rj, 1, m - j);
    tau[j] = t;
    if (t === 0) continue;
    for (let c = j + 1; c < n; c++) applyHouseholder(at, rj, t, m - j, at, c * m + j);
  }
  return tau;
}

function packedTranspose(a: Matrix): Float64Array {
  const m = a.rows, n = a.cols;
  const at = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    const o = a.offset + i * a.stride;
    for (let j = 0; j < n; j++) at[j * m + i] = a.data[o + j];
  }
  return at;
}

function extractR(at: Float64Array, m: number, n: number): Matrix64 {
  const p = Math.min(m, n);
  const r = zeros(p, n);
  for (let i = 0; i < p; i++) for (let c = i; c < n; c++) r.data[i * n + c] = at[c * m + i];
  return r;
}

/**
 * Q^T stored as (p x m) rows (row c = column c of the thin Q), by backward accumulation: at step j
 * only rows c >= j are touched, because rows c < j are still e_c and vanish on the support of v_j.
 */
export function formQTransposed(at: Float64Array, tau: Float64Array, m: number, p: number): Float64Array {
  const qt = new Float64Array(p * m);
  for (let c = 0; c < p; c++) qt[c * m + c] = 1;
  for (let j = p - 1; j >= 0; j--) {
    const t = tau[j];
    if (t === 0) continue;
    for (let c = j; c < p; c++) applyHouseholder(at, j * m + j, t, m - j, qt, c * m + j);
  }
  return qt;
}

/**
 * Thin QR: A (m x n) = Q (m x p) R (p x n), p = min(m, n), Q^T Q = I, R upper triangular
 * (trapezoidal when m < n) with diag(R) >= 0. Works for any rank (Q stays orthonormal).
 * Cost 2 m n^2 - 2n^3/3 flops for R plus the same again for Q.
 */
export function householderQr(a: Matrix): { q: Matrix64; r: Matrix64 } {
  const m = a.rows, n = a.cols, p = Math.min(m, n);
  const at = packedTranspose(a);
  const tau = factorTransposed(at, m, n);
  const r = extractR(at, m, n);
  const qt = formQTransposed(at, tau, m, p);
  const q = zeros(m, p);
  for (let c = 0; c < p; c++) {
    const neg = r.data[c * n + c] < 0;
    if (neg) for (let j = c; j < n; j++) r.data[c * n + j] = -r.data[c * n + j];
    const s = neg ? -1 : 1;
    for (let i = 0; i < m; i++) q.data[i * p + c] = s * qt[c * m + i];
  }
  return { q, r };
}

/** R factor only (p x n, p = min(m, n), diag(R) >= 0) of A (m x n) [GVL13 Alg. 5.2.1]. */
export function qrR(a: Matrix): Matrix64 {
  const m = a.rows, n = a.cols, p = Math.min(m, n);
  const at = packedTranspose(a);
  factorTransposed(at, m, n);
  const r = extractR(at, m, n);
  for (let c = 0; c < p; c++) {
    if (r.data[c * n + c] < 0) for (let j = c; j < n; j++) r.data[c * n + j] = -r.data[c * n + j];
  }
  return r;
}

/**
 * Internal: factor A (m x n) and return the pieces the SVD needs (the reflectors in the transposed
 * layout, their taus, and R without sign normalisation). Not part of the public contract.
 */
export function householderFactorTransposed(a: Matrix): { at: Float64Array; tau: Float64Array; r: Matrix64 } {
  const m = a.rows, n = a.cols;
  const at = packedTranspose(a);
  const tau = factorTransposed(at, m, n);
  return { at, tau, r: extractR(at, m, n) };
}
