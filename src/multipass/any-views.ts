/**
 * Randomized SVD with any number of views of A, odd ones included [Bja19 Alg. 3 and §2-3;
 * docs/METHODS.md §5]. A view is one product with A or with A^T.
 *
 * | symbol | shape  | here                                                   |
 * |--------|--------|--------------------------------------------------------|
 * | Omega  | n x l  | `rangeTestMatrix(...)`, l = rank + oversamples         |
 * | Q_c    | m x l  | column-space basis, after an A view                   |
 * | Q_r    | n x l  | row-space basis, after an A^T view                    |
 * | R      | l x l  | R factor of the last view                             |
 * | Psi    | l' x m | single view only: co-range map, l' = min(2l + 1, m)   |
 *
 * v >= 2: Q_c R = qr(A Omega) (view 1), then alternately Q_r R = qr(A^T Q_c) and Q_c R = qr(A Q_r).
 * The last R factor gives the SVD without another view [Bja19 §3]:
 *   last view A^T (v even): A^T Q_c = Q_r R, so A ~ Q_c Q_c^T A = Q_c R^T Q_r^T;
 *   last view A   (v odd):  A Q_r = Q_c R,   so A ~ A Q_r Q_r^T = Q_c R Q_r^T;
 * then SVD of the l x l matrix (R^T or R) and rotate. v = 2q + 2 is RSI with q power iterations;
 * odd v is half an iteration more (or less), which is what a pass budget over a column-major or
 * operator-only A buys.
 * v = 1: the single-view two-sketch [TYUC17 §4; Bja19 §2.2]: Y = A Omega, W = Psi A in the same
 * view, Q = qr(Y), X = (Psi Q)^+ W (least squares by QR), SVD of X.
 */
import type { Matrix, Matrix64 } from '../matrix.js';
import { transpose } from '../matrix.js';
import { ArgumentError } from '../errors.js';
import { householderQr } from '../linalg/householder-qr.js';
import { solveTriangular } from '../linalg/triangular-solve.js';
import { svd } from '../linalg/svd.js';
import { fixSigns } from '../linalg/sign-fix.js';
import { testMatrix } from '../random/test-matrix.js';
import type { LowRankSvd } from './low-rank-svd.js';
import type { MultipassOptions } from './multipass-options.js';
import { resolveMultipassOptions } from './multipass-options.js';
import { multiply } from './multiply.js';
import { projectionSvd } from './projection-svd.js';
import { rangeTestMatrix } from './range-test-matrix.js';
import { truncateSvd } from './truncate-svd.js';

export interface AnyViewsOptions extends Omit<MultipassOptions, 'powerIterations'> {
  /** v >= 1: the number of products with A or A^T. */
  views: number;
}

export function anyViews(a: Matrix, opts: AnyViewsOptions): LowRankSvd {
  const { views } = opts;
  if (!Number.isInteger(views) || views < 1) throw new ArgumentError(`anyViews: views must be a positive integer, found ${views}`);
  const o = resolveMultipassOptions('anyViews', { ...opts, powerIterations: 0 }, a.cols, a.rows, 0);
  const omega = rangeTestMatrix(o.testMatrix, o.seed, a.cols, o.l);
  if (views === 1) return singleView(a, omega, o.seed, o.testMatrix, o.rank);
  let qc = householderQr(multiply(a, omega)).q;
  let qr: Matrix64 = omega;
  let r: Matrix64 = omega;
  for (let view = 2; view <= views; view++) {
    if (view % 2 === 0) ({ q: qr, r } = householderQr(multiply(a, qc, true)));
    else ({ q: qc, r } = householderQr(multiply(a, qr)));
  }
  const core = views % 2 === 0 ? transpose(r) : r;
  const f = truncateSvd(svd(core), o.rank);
  const u = multiply(qc, f.u), v = multiply(qr, f.v);
  fixSigns(v, u);
  return { u, s: f.s, v };
}

function singleView(a: Matrix, omega: Matrix, seed: number, family: Parameters<typeof testMatrix>[0], rank: number): LowRankSvd {
  const m = a.rows, l = omega.cols;
  const lp = Math.min(2 * l + 1, m);
  const psiT = testMatrix(family, seed, 'multipass-psi', m, lp);
  const w = multiply(psiT, a, true);
  const q = householderQr(multiply(a, omega)).q;
  const { q: u, r: t } = householderQr(multiply(psiT, q, true));
  const x = multiply(u, w, true);
  solveTriangular(t, x, { upper: true, side: 'left' });
  return projectionSvd(q, x, rank);
}
