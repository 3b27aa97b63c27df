import type { ErrorEstimate } from '../../src/internals.js';
import type { RankAutoReport } from './rank-auto.js';

/**
 * What `rangefinder approx --json` prints: one object with stable keys (scripts depend on them).
 * A is `rows x cols` as the user sees it (after --orientation); `rank` is the number of triplets
 * returned (below the asked rank only when the input has lower rank).
 */
export interface ApproxResult {
  input: string;
  rows: number;
  cols: number;
  rank: number;
  /** Passes over the input actually made. */
  passes: number;
  /** 'three-sketch' | 'two-sketch' | 'fd' | 'rsi' | 'krylov' | 'exact'. */
  method: string;
  testMatrix: string;
  /** The sizes used: k, s, l, q, rule (sketches); l, oversamples, powerIterations (RSI); ... */
  sketch: Record<string, number | string>;
  /** Bytes of the in-memory state (what the memory budget covers). */
  stateBytes: number;
  memoryBudget: number;
  singularValues: number[];
  /**
   * ||A - U diag(S) V^T||_F: 'sketch' = the a-posteriori estimate of the error sketch [TYUC19 §6];
   * 'residual' = sqrt(||A||_F^2 - sum S^2), exact for a projection method (RSI, Krylov, exact SVD).
   * `normA` = ||A||_F (of the centered A with --center), measured exactly on the last pass;
   * `relative` = frobenius / normA.
   */
  errorEstimate: ApproxErrorEstimate;
  /**
   * --center (PCA), as scikit-learn's PCA names them: explained_variance_ = s_j^2 / (m - 1),
   * explained_variance_ratio_ = s_j^2 / ||A_c||_F^2 with ||A_c||_F measured exactly in the pass,
   * and totalVariance = ||A_c||_F^2 / (m - 1) (the sum of the column variances, ddof 1). Absent
   * without --center or with fewer than 2 rows; a value that overflows float64 is null.
   */
  explainedVariance?: (number | null)[];
  explainedVarianceRatio?: number[];
  totalVariance?: number | null;
  /**
   * --non-finite skip|zero: what was dropped or zeroed in the pass the factors come from.
   * `skippedRows`: the input row numbers dropped (0-based, numbered before skipping; for a column
   * stream `skippedColumns`, columns of A), the first 100 000 (`skipped` counts them all; U has a
   * row for each row that was kept, in order).
   */
  nonFinite?: { policy: 'skip' | 'zero'; skipped: number; skippedRows?: number[]; skippedColumns?: number[]; zeroedRows: number; zeroedValues: number };
  /**
   * RSI with P >= 2 passes (an even view count): the rank-r approximation after each pass (the same
   * numbers as a run with that many passes) and its error ||A - A_r||_F, exact (a projection:
   * sqrt(||A||_F^2 - sum s_j^2)), absolute and relative to ||A||_F. Off with --no-pass-errors.
   */
  perPass?: { pass: number; relativeError: number; frobenius: number }[];
  /** --distributed: where the shards ran and where the time went (seconds; several passes: summed over the passes). */
  distributed?: DistributedSummary;
  /** --rank auto: the target, the rank chosen, the fraction it explains and whether that is certified (rank-auto.ts). */
  rankAuto?: RankAutoReport;
  seconds: number;
  peakRssBytes: number;
  /**
   * One pass (sketch records): where the time went, in seconds. `startup` from the process start to
   * the run (Node, module loading, kernel threads); `open` the input's header and the plan; `read`
   * the pass minus the time in the sketch (reading, decoding, validating, or waiting for them);
   * `sketch` the time inside the sketch's fold (||A||_F included); `reconstruct` the factors from
   * the sketch; `output` U, S, V written and the error formed. `seconds` = open + read + sketch +
   * reconstruct + output.
   */
  timings?: { startup: number; open: number; read: number; sketch: number; reconstruct: number; output: number };
  /** Files written with --out. */
  output?: Record<string, string>;
  notes: string[];
  /** How A was streamed: 'rows' or 'columns' (a column of A per streamed row), and why (--orientation auto). */
  orientation?: 'rows' | 'columns';
  orientationReason?: string;
  /** Why this method and these sizes (the planner's reasons, src/plan). */
  reasons?: string[];
}

export interface DistributedSummary {
  /** The Redis URL, its password masked. */
  redis: string;
  shards: number;
  /** `HOST:PID` of every worker that returned a shard. */
  workers: string[];
  /** The longest shard job (per pass, summed over the passes). */
  shardSeconds: number;
  /** From the first job enqueued to the last result back. */
  waitSeconds: number;
  /** Checking (SHA-256) and merging the shards' files here (U excluded: it is written as approx writes it). */
  mergeSeconds: number;
}

/**
 * The error of the returned factors [docs/METHODS.md §4]. `kind` 'residual': exact, always
 * `reliable`. `kind` 'sketch': the a-posteriori estimate with its reliability (src/sketch/
 * estimate-reliability.ts): `q` rows of the error sketch, `directions` (the estimated effective
 * number of directions of the error; null when more than q rows can count) and
 * `inRangeProbability` (the predicted probability of lying within [0.8, 1.25] of the truth). When
 * the estimate cannot be trusted by construction, `reliable` is false, `frobenius` and `relative`
 * are null and `unreliable` says why; below the rounding floor of the sketch, `atMostRelative` is
 * that floor (the error is at most about it).
 */
export interface ApproxErrorEstimate {
  frobenius: number | null;
  relative: number | null;
  normA: number;
  kind: 'sketch' | 'residual';
  reliable: boolean;
  unreliable?: string;
  atMostRelative?: number;
  q?: number;
  directions?: number | null;
  inRangeProbability?: number;
}

/** The JSON form of a sketch's estimate `est` (scaled units) with ||A||_F = `normScaled` measured; `unscale` maps back. */
export function sketchErrorEstimate(est: ErrorEstimate, normScaled: number, normA: number, unscale: (x: number) => number): ApproxErrorEstimate {
  const about = {
    q: est.q, directions: Number.isFinite(est.directions) ? Number(est.directions.toPrecision(3)) : null,
    inRangeProbability: Number(est.inRangeProbability.toFixed(3)),
  };
  if (est.reliable) {
    return { frobenius: unscale(est.frobenius), relative: est.frobenius / normScaled, normA, kind: 'sketch', reliable: true, ...about };
  }
  return {
    frobenius: null, relative: null, normA, kind: 'sketch', reliable: false, unreliable: est.unreliable ?? 'unreliable',
    ...(est.relative < est.precisionFloor ? { atMostRelative: Number(est.precisionFloor.toPrecision(2)) } : {}), ...about,
  };
}

/** `distributed: 12 shards on 3 workers (...), 4.20 s for the shards, 0.31 s for the merge`. */
export function distributedLine(d: DistributedSummary, passes: number): string {
  return `distributed: ${d.shards} shards${passes > 1 ? ` x ${passes} passes` : ''} on ${d.workers.length} worker${d.workers.length === 1 ? '' : 's'} (${d.workers.join(', ')}), ` +
    `${d.waitSeconds.toFixed(2)} s for the shards, ${d.mergeSeconds.toFixed(2)} s for the merge`;
}

/** The error as one phrase after "||A - U S V^T||_F" (summary, report, demo): the number, or why there is none. */
export function errorPhrase(e: ApproxErrorEstimate, num: (x: number) => string = (x) => x.toPrecision(4)): string {
  if (e.frobenius === null || e.relative === null) {
    return e.atMostRelative !== undefined
      ? `below about ${e.atMostRelative.toExponential(1)} of ||A||_F (no reliable estimate: ${e.unreliable})`
      : `not estimated (no reliable estimate: ${e.unreliable})`;
  }
  if (e.kind === 'residual') return `= ${num(e.frobenius)} (relative ${e.relative.toPrecision(3)}, exact)`;
  return `~ ${num(e.frobenius)} (relative ${e.relative.toPrecision(3)}; a-posteriori estimate, q = ${e.q}: within [0.8, 1.25] of the truth ` +
    `with probability ${(e.inRangeProbability ?? 0).toFixed(2)})`;
}

export function peakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}
