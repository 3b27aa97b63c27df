/**
 * A kept map: a test matrix M (dim x n) over the non-streamed axis (Omega, Psi of a row stream),
 * generated once for items j < n and held for the life of the sketch [docs/METHODS.md §0]. Sparse
 * families keep their compressed columns (n nnz pairs), dense ones M^T (n x dim). The operations
 * the reconstruction and the entry and low-rank updates need are here, so none of them branches on
 * the family; the hot path builds its own panel or CSR lists from these arrays once
 * (src/sketch/engine).
 *
 * Full rank, always: a sparse map of few rows or columns can be singular (a 3 x 3 sign matrix is,
 * with probability about 2/3), and a kept map of rank below min(dim, n) loses part of the range for
 * every input, so exact recovery of a rank-k input would fail for that seed. A sparse family's kept
 * map is therefore checked once (its Gram matrix, O(n nnz^2 + min(dim, n)^3)) and, if rank
 * deficient, drawn again from the purpose's redraw stream (src/random/purposes.ts): a deterministic
 * function of (seed, purpose, dim, n), so every shard draws the same map and shards still merge.
 */
import { gemm } from '../kernels/gemm.js';
import { choleskyUpper } from '../linalg/cholesky.js';
import type { Purpose } from '../random/purposes.js';
import { zeros, type Matrix, type Matrix64 } from '../matrix.js';
import { testMatrixFamily, type TestMatrixFamily, type TestMatrixName } from './test-matrix.js';

export interface KeptMap {
  readonly family: TestMatrixFamily;
  readonly dim: number;
  readonly n: number;
  /** Nonzeros per column (dim for dense families). */
  readonly nnz: number;
  /** Sparse families: column j's nonzeros at idx[j nnz + p], val[j nnz + p]; empty for dense. */
  readonly idx: Int32Array;
  readonly val: Float64Array;
  /** Dense families: M^T (n x dim) row-major; empty for sparse. */
  readonly dense: Float64Array;
}

export function keptMap(name: TestMatrixName, seed: number, purpose: 'omega' | 'psi', dim: number, n: number): KeptMap {
  const family = testMatrixFamily(name);
  const nnz = family.nnz(dim);
  if (family.form === 'sparse') {
    const idx = new Int32Array(n * nnz), val = new Float64Array(n * nnz);
    for (let attempt = 0; ; attempt++) {
      // Attempt a > 0: the purpose's redraw stream with the seed moved by a (a key no first draw uses).
      const p: Purpose = attempt === 0 ? purpose : purpose === 'omega' ? 'omega-redraw' : 'psi-redraw';
      family.fillSparse((seed + Math.imul(attempt, 0x9e3779b9)) >>> 0, p, dim, 0, n, idx, val);
      const m: KeptMap = { family, dim, n, nnz, idx, val, dense: new Float64Array(0) };
      if (attempt >= MAX_ATTEMPTS || fullRank(m)) return m;
    }
  }
  const dense = new Float64Array(n * dim);
  family.fillDense(seed, purpose, dim, 0, n, dense, 0, dim);
  return { family, dim, n, nnz, idx: new Int32Array(0), val: new Float64Array(0), dense };
}

/** Bytes a kept map holds. */
export function keptMapBytes(name: TestMatrixName, dim: number, n: number): number {
  const f = testMatrixFamily(name);
  return f.form === 'sparse' ? 12 * n * f.nnz(dim) : 8 * n * dim;
}

/** out (dim) = M x for x (n). */
export function keptTimes(m: KeptMap, x: ArrayLike<number>, out: Float64Array): Float64Array {
  out.fill(0, 0, m.dim);
  if (m.family.form === 'sparse') {
    const z = m.nnz;
    for (let j = 0; j < m.n; j++) { const xj = x[j]; for (let p = 0; p < z; p++) out[m.idx[j * z + p]] += m.val[j * z + p] * xj; }
  } else {
    const d = m.dim;
    for (let j = 0; j < m.n; j++) { const xj = x[j]; for (let c = 0; c < d; c++) out[c] += m.dense[j * d + c] * xj; }
  }
  return out;
}

/** M P (dim x p) for P (n x p). */
export function keptTimesMatrix(m: KeptMap, pm: Matrix): Matrix64 {
  const d = m.dim, p = pm.cols, out = zeros(d, p);
  if (m.family.form === 'sparse') {
    const z = m.nnz;
    for (let j = 0; j < m.n; j++) {
      const po = pm.offset + j * pm.stride;
      for (let t = 0; t < z; t++) {
        const row = m.idx[j * z + t] * p, v = m.val[j * z + t];
        for (let c = 0; c < p; c++) out.data[row + c] += v * pm.data[po + c];
      }
    }
  } else {
    gemm(true, false, d, p, m.n, 1, m.dense, 0, d, pm.data, pm.offset, pm.stride, 0, out.data, 0, p);
  }
  return out;
}

/** out (dim) += v M[:, j]. */
export function keptAddColumn(m: KeptMap, j: number, v: number, out: Float64Array): void {
  if (m.family.form === 'sparse') {
    const z = m.nnz;
    for (let p = 0; p < z; p++) out[m.idx[j * z + p]] += v * m.val[j * z + p];
  } else {
    const d = m.dim;
    for (let c = 0; c < d; c++) out[c] += v * m.dense[j * d + c];
  }
}

/** Write M^T (n x dim) into columns [c0, c0 + dim) of `out` (row stride ld), zeros included. */
export function keptTransposedInto(m: KeptMap, out: Float64Array, ld: number, c0: number): void {
  const d = m.dim;
  for (let j = 0; j < m.n; j++) {
    const o = j * ld + c0;
    if (m.family.form === 'sparse') {
      out.fill(0, o, o + d);
      for (let p = 0; p < m.nnz; p++) out[o + m.idx[j * m.nnz + p]] += m.val[j * m.nnz + p];
    } else {
      for (let c = 0; c < d; c++) out[o + c] = m.dense[j * d + c];
    }
  }
}

/**
 * CSR lists of M by output row (sparse families): list c holds (j, value) for every column j with a
 * nonzero in row c, j increasing. ptr has dim + 1 entries; idx and val n nnz; cursor dim of scratch.
 */
export function keptCsrByRow(m: KeptMap, ptr: Int32Array, idx: Int32Array, val: Float64Array | Float32Array, cursor: Int32Array): void {
  const z = m.nnz, d = m.dim;
  ptr.fill(0, 0, d + 1);
  for (let p = 0; p < m.n * z; p++) ptr[m.idx[p] + 1]++;
  for (let c = 0; c < d; c++) { ptr[c + 1] += ptr[c]; cursor[c] = ptr[c]; }
  for (let j = 0; j < m.n; j++) {
    for (let p = 0; p < z; p++) {
      const e = cursor[m.idx[j * z + p]]++;
      idx[e] = j; val[e] = m.val[j * z + p];
    }
  }
}

/** Redraws of a rank-deficient sparse kept map before giving up (each fails with probability < 0.7). */
const MAX_ATTEMPTS = 64;

/**
 * Whether a sparse kept map has rank min(dim, n): Cholesky of its Gram matrix (M M^T when dim <= n,
 * else M^T M), with a pivot below 1e-10 of the largest diagonal entry taken as zero (the entries are
 * +-scale, so a singular map gives an exactly singular Gram matrix up to rounding).
 */
function fullRank(m: KeptMap): boolean {
  const { dim, n, nnz: z, idx, val } = m;
  const p = Math.min(dim, n), g = new Float64Array(p * p);
  if (dim <= n) {
    for (let j = 0; j < n; j++) for (let a = 0; a < z; a++) {
      const ra = idx[j * z + a], va = val[j * z + a];
      for (let b = 0; b < z; b++) g[ra * p + idx[j * z + b]] += va * val[j * z + b];
    }
  } else {
    const col = new Float64Array(n * dim);
    for (let j = 0; j < n; j++) for (let a = 0; a < z; a++) col[j * dim + idx[j * z + a]] += val[j * z + a];
    for (let i = 0; i < n; i++) for (let l = 0; l < n; l++) {
      let t = 0;
      for (let c = 0; c < dim; c++) t += col[i * dim + c] * col[l * dim + c];
      g[i * p + l] = t;
    }
  }
  let dmax = 0;
  for (let i = 0; i < p; i++) dmax = Math.max(dmax, g[i * p + i]);
  if (!choleskyUpper({ rows: p, cols: p, data: g, offset: 0, stride: p })) return false;
  for (let i = 0; i < p; i++) if (!(g[i * p + i] ** 2 > 1e-10 * dmax)) return false;
  return true;
}
