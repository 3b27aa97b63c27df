/**
 * Sparse-sign test matrices [TYUC19 §3.3; docs/METHODS.md §3]: each item vector has
 * zeta = min(dim, 8) entries +-sqrt(dim / zeta) in distinct random positions (unit variance, like
 * the Gaussian) and zeros elsewhere. Applied sparsely: an input entry costs zeta multiply-adds.
 * When zeta = dim (dim <= 8) there is no sparsity to gain, and a dense sign matrix of so few rows is
 * singular with large probability (a 3 x 3 one with about 2/3): such vectors are Gaussian instead
 * (the Gaussian family's values, same seed and purpose), so small sketches never lose rank by luck.
 */
import { fillItems, fillSparseSignItems, sparseSignZeta } from '../random/test-matrix.js';
import { gaussian } from './gaussian.js';
import type { TestMatrixFamily } from './test-matrix.js';

export const sparseSign: TestMatrixFamily = {
  name: 'sparse-sign',
  form: 'sparse',
  nnz: sparseSignZeta,
  fillDense(seed, purpose, dim, i0, count, out, off, ld) {
    if (sparseSignZeta(dim) === dim) gaussian.fillDense(seed, purpose, dim, i0, count, out, off, ld);
    else fillItems('sparse-sign', seed, purpose, dim, i0, count, out, off, ld);
  },
  fillSparse(seed, purpose, dim, i0, count, idx, val) {
    if (sparseSignZeta(dim) === dim) gaussian.fillSparse(seed, purpose, dim, i0, count, idx, val);
    else fillSparseSignItems(seed, purpose, dim, i0, count, idx, val);
  },
};
