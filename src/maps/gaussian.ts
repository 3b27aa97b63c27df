/**
 * Gaussian test matrices: i.i.d. N(0, 1) entries [HMT11 §4.6; TYUC19 §3.3], the family the
 * papers' bounds are proved for. Dense: applied by the GEMM kernels.
 */
import { fillItems } from '../random/test-matrix.js';
import type { TestMatrixFamily } from './test-matrix.js';

export const gaussian: TestMatrixFamily = {
  name: 'gaussian',
  form: 'dense',
  nnz: (dim) => dim,
  fillDense(seed, purpose, dim, i0, count, out, off, ld) {
    fillItems('gaussian', seed, purpose, dim, i0, count, out, off, ld);
  },
  fillSparse(seed, purpose, dim, i0, count, idx, val) {
    fillItems('gaussian', seed, purpose, dim, i0, count, val, 0, dim);
    for (let t = 0; t < count; t++) for (let j = 0; j < dim; j++) idx[t * dim + j] = j;
  },
};
