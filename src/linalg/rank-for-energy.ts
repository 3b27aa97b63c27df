/**
 * The smallest rank whose approximation captures a target fraction of ||A||_F^2, from the singular
 * values s_1 >= ... >= s_K of a PROJECTION of A (A ~ Q B with Q orthonormal, B = Q^T A: rsvd, RSI,
 * Krylov, the exact SVD) and the exact ||A||_F [docs/METHODS.md §4 "Choosing the rank"].
 *
 * What is guaranteed, with e(r) = sum_{j <= r} s_j^2 / ||A||_F^2:
 * - the returned rank-r factors Q [B]_r are an orthogonal projection of A, so they capture exactly
 *   e(r) (Pythagoras: ||A - Q [B]_r||_F^2 = ||A||_F^2 - sum_{j <= r} s_j^2), up to rounding;
 * - the best rank r (the exact truncated SVD, scikit-learn's PCA) captures e*(r) >= e(r), since
 *   s_j <= sigma_j(A) (B = Q^T A), so the rank scikit-learn would choose is at most the one chosen;
 * - and e*(r) <= e(r) + (1 - e(K)): A^T A = B^T B + E^T E with E = A - Q B (Q^T E = 0), and the sum
 *   of the r largest eigenvalues is subadditive (Ky Fan), so sum_{j <= r} sigma_j^2 <= sum_{j <= r}
 *   s_j^2 + ||E||_F^2. The rank scikit-learn would choose is therefore at least `rankAtLeast`.
 * Not guaranteed: that the chosen rank is scikit-learn's (it lies in [rankAtLeast, rank]).
 */
import { ArgumentError } from '../errors.js';

export interface RankForEnergy {
  /** Smallest r >= 1 with e(r) >= target; K (every value) when none meets it (`met` false). */
  rank: number;
  met: boolean;
  /** e(rank): the fraction of ||A||_F^2 the rank-r factors capture. */
  captured: number;
  /** e(K): the most any truncation of this projection captures. */
  ceiling: number;
  /** Smallest r with e(r) + (1 - e(K)) >= target: the best rank r cannot meet the target below it. */
  rankAtLeast: number;
}

export function rankForEnergy(s: ArrayLike<number>, normA: number, target: number): RankForEnergy {
  if (!(target > 0 && target < 1)) throw new ArgumentError(`rankForEnergy: target must be in (0, 1), found ${target}`);
  const K = s.length;
  if (K === 0 || !(normA > 0)) return { rank: Math.max(1, K), met: false, captured: 0, ceiling: 0, rankAtLeast: 1 };
  // Fractions as (s_j / ||A||)^2: no overflow near 1e300, no underflow of the squares.
  const e = new Float64Array(K + 1);
  for (let j = 0; j < K; j++) e[j + 1] = e[j]! + (s[j]! / normA) ** 2;
  const ceiling = Math.min(1, e[K]!), slack = 1 - ceiling;
  let rank = 0, rankAtLeast = 0;
  for (let r = 1; r <= K; r++) {
    if (rankAtLeast === 0 && e[r]! + slack >= target) rankAtLeast = r;
    if (e[r]! >= target) { rank = r; break; }
  }
  if (rank === 0) return { rank: K, met: false, captured: ceiling, ceiling, rankAtLeast: rankAtLeast || K };
  return { rank, met: true, captured: Math.min(1, e[rank]!), ceiling, rankAtLeast: rankAtLeast || rank };
}
