/**
 * The test-matrix abstraction of the sketch engine [TYUC19 §3.3; docs/METHODS.md §3]: a family of
 * random maps whose vector for item i is a function of (seed, purpose, i) alone
 * (src/random/test-matrix.ts generates them). A family says how its vectors are generated and how
 * the engine applies them:
 * - form 'dense': vectors written out as rows and applied by the GEMM kernels (Gaussian);
 * - form 'sparse': vectors kept as `nnz(dim)` (index, value) pairs and applied by the sparse
 *   kernels through CSR lists, so an input entry costs nnz instead of dim multiply-adds (sparse sign).
 * The engine never branches on a family's name, only on its form: a new family is one file here
 * and one line in `FAMILIES`.
 */
import type { Float } from '../matrix.js';
import type { Purpose } from '../random/purposes.js';
import { gaussian } from './gaussian.js';
import { sparseSign } from './sparse-sign.js';

export type TestMatrixName = 'gaussian' | 'sparse-sign';

export interface TestMatrixFamily {
  readonly name: TestMatrixName;
  readonly form: 'dense' | 'sparse';
  /** Nonzeros of an item vector of dimension `dim` (dim for dense families). */
  nnz(dim: number): number;
  /** Vectors of items [i0, i0 + count) as the rows of `out` (count x dim, row t at off + t ld), zeros included. */
  fillDense(seed: number, purpose: Purpose, dim: number, i0: number, count: number, out: Float, off: number, ld: number): void;
  /**
   * Compressed vectors of items [i0, i0 + count): item t's nonzeros at idx[t nnz + p], values at
   * val[t nnz + p], p < nnz(dim), positions distinct. Dense families write every position.
   */
  fillSparse(seed: number, purpose: Purpose, dim: number, i0: number, count: number, idx: Int32Array, val: Float64Array): void;
}

const FAMILIES: Record<TestMatrixName, TestMatrixFamily> = { gaussian, 'sparse-sign': sparseSign };
export const TEST_MATRIX_NAMES = Object.keys(FAMILIES) as TestMatrixName[];

export function testMatrixFamily(name: TestMatrixName): TestMatrixFamily {
  return FAMILIES[name];
}

/** Whether `x` names a family (for validation at the boundary). */
export function isTestMatrixName(x: unknown): x is TestMatrixName {
  return typeof x === 'string' && Object.hasOwn(FAMILIES, x);
}
