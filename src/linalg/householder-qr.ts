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
import type { ReflectorBlock } from './reflector-block.js';
import { applyBlockToRows, makeReflectorBlock } from './reflector-block.js';

/** A Householder factorisation in the transposed layout, with the blocks that apply Q by GEMM. */
export interface HouseholderFactors {
  m: number;
  n: number;
  /** A^T (n x m) overwritten by R (upper part, transposed) and the reflectors. */
  at: Float64Array;
  tau: Float64Array;
  blocks: ReflectorBlock[];
}

/** Panel width: small panels keep the Level-2 share low for thin matrices. */
function panelWidth(n: number): number {
  return n <= 64 ? 16 : 32;
}

/**
 * Blocked Householder QR [GVL13 Alg. 5.2.2]: each panel of nb columns is factored with Level-2
 * reflectors, then the trailing columns get C <- (I - V T^T V^T) C as two GEMMs, which is where
 * nearly all the flops go when n >> nb. In the transposed layout that update reads
 * C^T <- C^T - (C^T V) T V^T.
 */
function factorTransposed(at: Float64Array, m: number, n: number): HouseholderFactors {
  const p = Math.min(m, n);
  const tau = new Float64Array(p);
  const blocks: ReflectorBlock[] = [];
  const nbMax = panelWidth(n);
  for (let j0 = 0; j0 < p; j0 += nbMax) {
    const nb = Math.min(nbMax, p - j0);
    const len = m - j0;
    for (let j = j0; j < j0 + nb; j++) {
      const rj = j * m + j;
      const t = makeHouseholder(at, rj, 1, m - j);
      tau[j] = t;
      if (t === 0) continue;
      for (let c = j + 1; c < j0 + nb; c++) applyHouseholder(at, rj, t, m - j, at, c * m + j);
    }
    const vt = new Float64Array(nb * len);
    for (let i = 0; i < nb; i++) {
      const o = i * len, src = (j0 + i) * m + j0;
      vt[o + i] = 1;
      for (let c = i + 1; c < len; c++) vt[o + c] = at[src + c];
    }
    const block = makeReflectorBlock(j0, nb, vt, tau, j0);
    blocks.push(block);
    const nTrail = n - j0 - nb;
    if (nTrail > 0) applyBlockToRows(block, at, (j0 + nb) * m, nTrail, m, true);
  }
  return { m, n, at, tau, blocks };
}

/**
 * Rows of X (count x m, packed): each row, read as a column y, becomes Q y = H_0 ... H_{p-1} y
 * (X <- X Q^T), applied block by block from the last. With `identityInit` the caller promises X = [I_count 0] initially, so rows above a
 * block's first column are still unit vectors outside its support and are skipped (thin Q).
 */
export function applyQToRows(f: HouseholderFactors, x: Float64Array, count: number, identityInit: boolean): void {
  for (let b = f.blocks.length - 1; b >= 0; b--) {
    const block = f.blocks[b];
    const r0 = identityInit ? Math.min(block.j, count) : 0;
    if (r0 >= count) continue;
    applyBlockToRows(block, x, r0 * f.m, count - r0, f.m, false);
  }
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
 * Thin QR: A (m x n) = Q (m x p) R (p x n), p = min(m, n), Q^T Q = I, R upper triangular
 * (trapezoidal when m < n) with diag(R) >= 0. Works for any rank (Q stays orthonormal).
 * Cost 2 m n^2 - 2n^3/3 flops for R plus the same again for Q.
 */
export function householderQr(a: Matrix): { q: Matrix64; r: Matrix64 } {
  const m = a.rows, n = a.cols, p = Math.min(m, n);
  const f = factorTransposed(packedTranspose(a), m, n);
  const r = extractR(f.at, m, n);
  const qt = new Float64Array(p * m);
  for (let c = 0; c < p; c++) qt[c * m + c] = 1;
  applyQToRows(f, qt, p, true);
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
  const r = extractR(factorTransposed(packedTranspose(a), m, n).at, m, n);
  for (let c = 0; c < p; c++) {
    if (r.data[c * n + c] < 0) for (let j = c; j < n; j++) r.data[c * n + j] = -r.data[c * n + j];
  }
  return r;
}

/**
 * Internal: factor A (m x n) and return the reflectors (for `applyQToRows`) and R without sign
 * normalisation. Used by the SVD's QR reduction; not part of the public contract.
 */
export function householderFactor(a: Matrix): { f: HouseholderFactors; r: Matrix64 } {
  const f = factorTransposed(packedTranspose(a), a.rows, a.cols);
  return { f, r: extractR(f.at, a.rows, a.cols) };
}
