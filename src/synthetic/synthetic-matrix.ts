/**
 * A synthetic test input with its oracle: the matrix, its exact singular values when they are
 * known in closed form (descending), and the orthogonal factors when it was rotated.
 */
import type { Matrix64 } from '../matrix.js';

export interface SyntheticMatrix {
  /** The matrix (m x n, float64, packed). */
  a: Matrix64;
  /** Exact singular values, descending (length min(m, n)); null when not known in closed form. */
  sigma: Float64Array | null;
  /** Left factor U (m x min(m, n)) of a = U diag(.) V^T when rotated; null for diagonal inputs. */
  u: Matrix64 | null;
  /** Right factor V (n x min(m, n)); null for diagonal inputs. */
  v: Matrix64 | null;
}
