/**
 * PCA's variance figures from singular values, as scikit-learn's PCA defines them [docs/METHODS.md
 * §4 "Explained variance"]: for the centered A_c (m x n, m samples) with singular values s_j,
 * explained_variance_j = s_j^2 / (m - 1), total variance = ||A_c||_F^2 / (m - 1) (the sum of the
 * column variances with ddof 1), explained_variance_ratio_j = s_j^2 / ||A_c||_F^2. `normA` is the
 * exact ||A_c||_F (the CLI measures it in the pass), so the ratio is not the ratio of two estimates.
 * Without centering the same fractions are of ||A||_F^2 (energy, not variance).
 * Ratios are formed as (s_j / normA)^2: no overflow near 1e300, no underflow of the squares.
 */
import { ArgumentError } from '../errors.js';

export interface ExplainedVariance {
  /** s_j^2 / (m - 1); null entries where the value overflows float64. */
  variance: (number | null)[];
  /** s_j^2 / ||A||_F^2 (0 for a zero matrix). */
  ratio: number[];
  /** ||A||_F^2 / (m - 1), or null when it overflows. */
  total: number | null;
}

export function explainedVariance(s: ArrayLike<number>, normA: number, samples: number): ExplainedVariance {
  if (!Number.isInteger(samples) || samples < 2) throw new ArgumentError(`explainedVariance: needs at least 2 samples, found ${samples}`);
  if (!(normA >= 0) || !Number.isFinite(normA)) throw new ArgumentError(`explainedVariance: normA must be finite and non-negative, found ${normA}`);
  const d = Math.sqrt(samples - 1);
  const sq = (x: number): number | null => { const v = (x / d) ** 2; return Number.isFinite(v) ? v : null; };
  const variance: (number | null)[] = [], ratio: number[] = [];
  for (let j = 0; j < s.length; j++) {
    variance.push(sq(s[j]!));
    ratio.push(normA > 0 ? (s[j]! / normA) ** 2 : 0);
  }
  return { variance, ratio, total: sq(normA) };
}
