/**
 * `approx --rank auto` [docs/METHODS.md §4 "Choosing the rank"]: the sketch was sized for the
 * largest rank the budget allows (planApprox `rankAuto`); after the pass, the smallest rank that
 * meets the target is chosen from what the sketch can vouch for, and reported with the bound it met.
 *
 * - A projection (rsvd, the exact SVD): `rankForEnergy` on the projection's singular values and the
 *   exact ||A||_F. The returned factors explain exactly the fraction reported (certified); the rank
 *   scikit-learn's PCA would choose lies in [rankAtLeast, rank] (exactly `rank` for the exact SVD).
 * - The single-view sketches (three-sketch, two-sketch): the scree upper bound [TYUC19 §6.2], an
 *   a-posteriori estimate, not a certificate (`certified: false`, and a note says so).
 * A target the sketch cannot reach is refused (exit 2) with the most it can vouch for.
 */
import { BudgetError, rankForEnergy, screeBounds, type SketchState } from '../../src/internals.js';
import type { ApproxOptions } from './approx-args.js';

export type RankTarget = NonNullable<ApproxOptions['rankAuto']>;

/** What `--rank auto` chose and why (JSON `rankAuto`). */
export interface RankAutoReport {
  target: RankTarget;
  rank: number;
  /** Fraction of ||A||_F^2 (of A - 1 mu^T with --center) the returned rank-r factors explain. */
  explained: number;
  /** sqrt(1 - explained): their relative Frobenius error. */
  relativeError: number;
  /** true: `explained` is exact for the returned factors (a projection); false: an a-posteriori estimate. */
  certified: boolean;
  basis: 'projection' | 'exact' | 'scree-estimate';
  /** Ranks the sketch could choose from (its width). */
  width: number;
  /** The most any of them explains (estimated for the scree). */
  ceiling: number;
  /** Projections: the best rank-r approximation cannot meet the target below this rank. */
  rankAtLeast?: number;
}

/** The target as a fraction of ||A||_F^2 to explain. */
export function targetFraction(t: RankTarget): number {
  return 'explainedVariance' in t ? t.explainedVariance : 1 - t.relativeError ** 2;
}

function describeTarget(t: RankTarget): string {
  return 'explainedVariance' in t ? `--explained-variance ${t.explainedVariance}` : `--relative-error ${t.relativeError}`;
}

function refuse(t: RankTarget, what: string, ceiling: number, width: number, more: string): never {
  const best = 'explainedVariance' in t ? `explains at most ${ceiling.toPrecision(4)} of ||A||_F^2` : `reaches at best a relative error of ${Math.sqrt(Math.max(0, 1 - ceiling)).toPrecision(4)}`;
  throw new BudgetError(`--rank auto ${describeTarget(t)} is not met: ${what} ${best} (at rank ${width}); ${more}`);
}

/** From a projection's singular values s (all K of them) and the exact ||A||_F. */
export function chooseFromProjection(t: RankTarget, s: ArrayLike<number>, normA: number, basis: 'projection' | 'exact', what: string): RankAutoReport {
  const c = rankForEnergy(s, normA, targetFraction(t));
  if (!c.met) refuse(t, what, c.ceiling, s.length, 'raise --memory-budget or --range-dim (a wider sketch), use --method exact, or lower the target');
  return {
    target: t, rank: c.rank, explained: c.captured, relativeError: Math.sqrt(Math.max(0, 1 - c.captured)), certified: true, basis,
    width: s.length, ceiling: c.ceiling, rankAtLeast: c.rankAtLeast,
  };
}

/** From a single-view sketch's scree bounds: the smallest r whose upper bound on the unexplained fraction meets the target. */
export function chooseFromScree(t: RankTarget, state: SketchState, what: string): RankAutoReport {
  const { upper } = screeBounds(state);
  const K = upper.length - 1, goal = 1 - targetFraction(t);
  let r = 1;
  while (r <= K && !(upper[r]! <= goal)) r++;
  if (K < 1 || r > K) refuse(t, what, Math.max(0, 1 - (upper[K] ?? 1)), K, 'this is an estimate from the error sketch; raise --memory-budget or use the one-pass rsvd (--method auto), which certifies what it explains');
  const explained = Math.max(0, 1 - upper[r]!);
  return {
    target: t, rank: r, explained, relativeError: Math.sqrt(upper[r]!), certified: false, basis: 'scree-estimate',
    width: K, ceiling: Math.max(0, 1 - upper[K]!),
  };
}
