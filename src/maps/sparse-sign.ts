/**
 * Sparse-sign test matrices [TYUC19 §3.3; docs/METHODS.md §3]: each item vector has
 * zeta = min(dim, 8) entries +-sqrt(dim / zeta) in distinct random positions (unit variance, like
 * the Gaussian) and zeros elsewhere. Applied sparsely: an input entry costs zeta multiply-adds.
 */
import { fillItems, fillSparseSignItems, sparseSignZeta } from '../random/test-matrix.js';
import type { TestMatrixFamily } from './test-matrix.js';

export const sparseSign: TestMatrixFamily = {
  name: 'sparse-sign',
  form: 'sparse',
  nnz: sparseSignZeta,
  fillDense(seed, purpose, dim, i0, count, out, off, ld) {
    fillItems('sparse-sign', seed, purpose, dim, i0, count, out, off, ld);
  },
  fillSparse(seed, purpose, dim, i0, count, idx, val) {
    fillSparseSignItems(seed, purpose, dim, i0, count, idx, val);
  },
};
