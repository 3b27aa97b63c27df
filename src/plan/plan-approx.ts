/**
 * `approx`'s planner: from what the user asked (method, passes, budget, rank) and what the input is
 * (shape, element type, replayable or one-shot), the method that runs, its sizes, the state bytes
 * and the reasons, for every method: the single-pass records (plan-sketch.ts), the multi-pass Gram
 * pass (plan-passes.ts) and the exact SVD. The one place a budget becomes sizes.
 */
import { ArgumentError, BudgetError } from '../errors.js';
import { formatBytes } from '../format-bytes.js';
import type { SketchDType, SketchMethod, SketchSizes, SketchTestMatrix } from '../sketch/index.js';
import {
  defaultErrorSketchDim, DEFAULT_TEST_MATRIX, defaultChunk, explicitOrDefaultSizes,
} from '../sketch/index.js';
import { planPasses, type PassPlan } from './plan-passes.js';
import { planSketch, rsvdWidth, RSVD_FREE_WORK, sketchBytes, type RsvdWidth, type SketchPlanQuery } from './plan-sketch.js';

export type ApproxMethod = 'auto' | SketchMethod | 'rsi' | 'krylov' | 'exact';

export interface ApproxQuery {
  method: ApproxMethod;
  passes: number;
  memoryBudget: number;
  rank: number;
  /** m (of the streamed matrix), if known. */
  rows?: number;
  /** n: values per streamed row. */
  cols: number;
  dtype: SketchDType;
  testMatrix?: SketchTestMatrix;
  sizeRule?: 'natural' | 'flat';
  rangeDim?: number;
  coreDim?: number;
  coRangeDim?: number;
  /**
   * Oversampling p (scikit-learn's n_oversamples): the block width of the Gram passes and of rsvd,
   * and the range size k of the three- and two-sketch, is rank + p; FD's l likewise. Instead of the
   * budget rule, and not together with rangeDim / coRangeDim.
   */
  oversamples?: number;
  seed?: number;
  center?: boolean;
  /** The input's name, for messages. */
  where?: string;
  /**
   * How the stream changes the matrix. 'rows' (default): whole rows, each once — a row stream of A,
   * or of A^T when a wide input is streamed by columns (its rows are whole too). 'general': entry
   * updates, linear updates theta A + eta H, column blocks of a row sketch or rows that repeat,
   * which only the linear single-view sketches accept (`--method auto` then plans the three-sketch).
   */
  updates?: 'rows' | 'general';
  /**
   * The rank is chosen after the pass (`--rank auto`): the sketch is sized for the largest rank the
   * budget allows instead of for `rank` (rsvd: the widest l that fits, at most min(m, n) and
   * AUTO_RANK_MAX_WIDTH; the three- and two-sketch: the 'natural' rule, k as large as fits).
   * `rank` is then only the smallest rank the sketch must hold (1).
   */
  rankAuto?: boolean;
}

/**
 * The widest rsvd block `--rank auto` uses by default: its pass costs m n l multiply-adds, so an
 * unbounded l would make a large input slow for a rank nobody asked for; `rangeDim` goes beyond.
 */
export const AUTO_RANK_MAX_WIDTH = 512;

export type ApproxPlan =
  | { kind: 'sketch'; method: SketchMethod; testMatrix: SketchTestMatrix; sizes: SketchSizes; stateBytes: number; reasons: string[] }
  | { kind: 'passes'; plan: PassPlan; reasons: string[] }
  | { kind: 'exact'; stateBytes: number; reasons: string[] };

/**
 * Bytes the exact SVD of an m x n matrix really holds at its peak, p = min(m, n):
 * 8 (8 m n + 6 p^2), and 8 (9 m n + 6 p^2) for a wide one (m < n: the SVD factors A^T, a copy). Counted on the route of src/linalg/svd.ts: the matrix A (float64), then
 * (m >= 1.6 n) its Householder factor, U^T (p x m) and U (m x p), or (otherwise) the
 * bidiagonalisation's copy, Q_B^T and U; the transpose of a wide A; the GEMM kernels' packed
 * copies of the factors being applied (WebAssembly memory, which never shrinks); the p x p
 * factors (R, V^T, V, the bidiagonal's). Measured (peak RSS minus the RSS before the call, plus A,
 * in units of 8 m n): 40000 x 300 7.2, 300 x 40000 8.2, 3000 x 600 9.1 (p^2 terms: 8 + 6 (0.2) = 9.2
 * here), 1000 x 900 9.3; through the CLI (peak RSS minus a tiny run's, test/cli-exact-budget.test.ts)
 * 20000 x 200 within 8 m n + 6 p^2 and 200 x 20000 9.5 with the .npy blocks in flight. It was 8 (2 m n + (m + n) p) before, which a 512 MiB budget let peak at
 * 1002 MiB. Not counted, as for every method: Node itself and the source's blocks.
 */
export function exactBytes(m: number, n: number): number {
  const p = Math.min(m, n);
  return 8 * ((m < n ? 9 : 8) * m * n + 6 * p * p);
}

export function planApprox(query: ApproxQuery): ApproxPlan {
  const q = withOversamples(query);
  const reasons: string[] = [];
  if (q.method === 'exact') {
    if (q.rows !== undefined && exactBytes(q.rows, q.cols) > q.memoryBudget) {
      throw new BudgetError(
        `memory budget ${formatBytes(q.memoryBudget)} is too small for the exact SVD of ${q.where ? `${q.where} ` : ''}(${q.rows} x ${q.cols}): it needs about ` +
        `${formatBytes(exactBytes(q.rows, q.cols))}; raise --memory-budget or use a sketch (--method auto)`);
    }
    reasons.push('method exact: the dense truncated SVD (Golub-Kahan), the baseline; the whole matrix is held');
    return { kind: 'exact', stateBytes: q.rows !== undefined ? exactBytes(q.rows, q.cols) : 0, reasons };
  }
  if (q.method === 'rsi' || q.method === 'krylov' || (q.method === 'auto' && q.passes > 1)) {
    const width = q.coRangeDim ?? q.rangeDim;
    const plan = planPasses({
      passes: q.passes, memoryBudget: q.memoryBudget, rank: q.rank, cols: q.cols,
      ...(q.rows !== undefined ? { rows: q.rows } : {}),
      method: q.method === 'krylov' ? 'block-krylov' : q.method === 'rsi' ? 'rsi' : 'auto',
      ...(width !== undefined ? { oversamples: width - q.rank } : {}),
    });
    return { kind: 'passes', plan, reasons: plan.reasons };
  }
  // One pass: a sketch record. (`rsi --passes 1` stays the Gram pass with q = 0 above, so that it
  // draws the same Omega as every other RSI run; `rsvd` is the one-pass record.)
  const method: SketchMethod = q.method === 'auto' ? autoOnePass(q, reasons) : q.method;
  const testMatrix = q.testMatrix ?? DEFAULT_TEST_MATRIX;
  const chunk = defaultChunk(q.cols), errorSketchDim = defaultErrorSketchDim(method);
  const base = { method, testMatrix, dtype: q.dtype, seed: q.seed ?? 0, center: q.center ?? false, cols: q.cols, rank: q.rank };
  const explicit = q.rangeDim !== undefined || q.coreDim !== undefined || q.coRangeDim !== undefined;
  let sizes: SketchSizes;
  if (explicit) {
    sizes = explicitOrDefaultSizes({ ...base, rangeDim: q.rangeDim, coreDim: q.coreDim, coRangeDim: q.coRangeDim }, errorSketchDim, chunk);
    reasons.push('sizes as given');
  } else if (q.rankAuto && method !== 'fd') {
    const query: SketchPlanQuery = { ...base, q: errorSketchDim, chunk, rowsInMemory: 0, ...(q.rows !== undefined ? { rows: q.rows } : {}) };
    sizes = planSketch(query, q.memoryBudget, 'natural');
    if (method === 'rsvd') {
      const w = rsvdWidth({ ...query, chunk: sizes.chunk }, q.memoryBudget);
      const cap = Math.min(q.cols, q.rows ?? q.cols, AUTO_RANK_MAX_WIDTH);
      sizes = { ...sizes, k: Math.max(sizes.k, Math.min(w.fit, cap)) };
      reasons.push(`--rank auto: block width l = ${sizes.k}, the largest rank this sketch can choose: ` +
        (sizes.k === w.fit && w.fit < cap ? `the most the memory budget ${formatBytes(q.memoryBudget)} holds` : `min(m, n, ${AUTO_RANK_MAX_WIDTH}) (--range-dim for more)`));
    } else {
      reasons.push(`--rank auto: sizes from the memory budget ${formatBytes(q.memoryBudget)} by the natural rule (k = ${sizes.k} as large as fits), the largest rank this sketch can choose`);
    }
  } else {
    const query: SketchPlanQuery = { ...base, q: errorSketchDim, chunk, rowsInMemory: 0, ...(q.rows !== undefined ? { rows: q.rows } : {}) };
    sizes = planSketch(query, q.memoryBudget, q.sizeRule ?? 'flat');
    reasons.push(method === 'rsvd'
      ? rsvdReason(rsvdWidth({ ...query, chunk: sizes.chunk }, q.memoryBudget), q)
      : `sizes from the memory budget ${formatBytes(q.memoryBudget)} (rule ${sizes.rule})`);
  }
  const stateBytes = sketchBytes({ ...base, q: sizes.q, chunk: sizes.chunk, rowsInMemory: 0 }, sizes);
  return { kind: 'sketch', method, testMatrix, sizes, stateBytes, reasons };
}

/** `oversamples` as the sizes it stands for (rangeDim, or FD's coRangeDim), checked. */
function withOversamples(q: ApproxQuery): ApproxQuery {
  const p = q.oversamples;
  if (p === undefined) return q;
  if (!Number.isInteger(p) || p < 0) throw new ArgumentError(`oversamples must be a non-negative integer, found ${p}`);
  if (q.rangeDim !== undefined || q.coRangeDim !== undefined) {
    throw new ArgumentError('give oversamples or explicit sizes (rangeDim / coRangeDim; on the command line --oversamples or --range-dim / --co-range-dim), not both: oversamples p sets the width rank + p');
  }
  return q.method === 'fd' ? { ...q, coRangeDim: q.rank + p } : { ...q, rangeDim: q.rank + p };
}

/**
 * `--method auto` with one pass [docs/METHODS.md §5; bench/out/one-pass.md]. Whole rows, each once
 * (every stream the CLI reads, by rows or by columns): the single-pass Gram RSVD (`rsvd`). At equal
 * memory it was the most accurate one-pass method on every shared real matrix and synthetic family
 * of the benchmark, it is a projection of A (never further from A than zero, residual exact), and
 * with l = r + max(10, r) it costs m n l multiply-adds where the three-sketch's TSQR alone costs
 * m k^2 with the k a budget buys. It has the error sketch, exact centering, merge and serialization
 * of the three-sketch. Other updates (entries, theta A + eta H, column blocks, repeated rows) are
 * linear but not whole-row: the three-sketch [TYUC19], the method [TYUC19]'s bounds are proved for.
 * A `coreDim` asks for the three-sketch, `rangeDim` with `coRangeDim` for the two-sketch.
 */
function autoOnePass(q: ApproxQuery, reasons: string[]): SketchMethod {
  if (q.coreDim !== undefined) {
    reasons.push('one pass, --core-dim given: the three-sketch [TYUC19] (the one-pass method with a core sketch)');
    return 'three-sketch';
  }
  if (q.coRangeDim !== undefined && q.rangeDim !== undefined) {
    reasons.push('one pass, --range-dim and --co-range-dim given: the two-sketch [TYUC17]');
    return 'two-sketch';
  }
  if ((q.updates ?? 'rows') === 'general') {
    reasons.push('one pass with entry, linear or column-block updates: the three-sketch [TYUC19], the one-pass method that accepts any linear update');
    return 'three-sketch';
  }
  reasons.push('one pass over whole rows: the single-pass Gram RSVD [Yu17; HMT11 Alg. 4.1] (A Omega^T and A^T A Omega^T in one pass, B = R^-T H^T); ' +
    'at equal memory the most accurate one-pass method on the shared real matrices and the synthetic families (bench/out/one-pass.md), ' +
    'a projection of A (never worse than zero; its residual is exact), and with the error sketch, centering and merge of the three-sketch; ' +
    'the three-sketch stays for entry, linear and column-block updates (--method three-sketch)');
  return 'rsvd';
}

const WORK = `2^${Math.log2(RSVD_FREE_WORK)}`;

function rsvdReason(w: RsvdWidth, q: ApproxQuery): string {
  const r = q.rank, budget = formatBytes(q.memoryBudget);
  const head = `block width l = ${w.l} (oversampling p = ${w.l - r})`;
  if (w.l < w.base) return `${head}: the most the memory budget ${budget} holds (r + max(10, r) = ${w.base} does not fit)`;
  const base = `r + max(10, r) = ${w.base} [HMT11 §4.2, §10.2]`;
  if (w.cheap === undefined) return `${head} = ${base}; the number of rows is not known, so no more is bought with the budget ${budget} (it allows l = ${w.fit})`;
  if (w.l === w.base) {
    return `${head} = ${base}; more oversampling would cost more than ${WORK} multiply-adds on a ${q.rows} x ${q.cols} input, ` +
      `so the budget ${budget} (which allows l = ${w.fit}) is a ceiling, not a target`;
  }
  const why = w.l === Math.min(q.cols, q.rows ?? q.cols) ? `, up to min(m, n) = ${w.l} (the exact answer)`
    : w.l === w.fit ? `, up to what the memory budget ${budget} holds` : `, up to the ${WORK} multiply-adds the rule allows (the budget ${budget} allows l = ${w.fit})`;
  return `${head}: more than ${base} because a ${q.rows} x ${q.cols} input makes it cheap${why}`;
}
