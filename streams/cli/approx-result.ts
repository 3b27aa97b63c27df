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
  errorEstimate: { frobenius: number; relative: number; normA: number; kind: 'sketch' | 'residual' };
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

export function peakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}
