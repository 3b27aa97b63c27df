/**
 * `approx`'s planner: from what the user asked (method, passes, budget, rank) and what the input is
 * (shape, element type, replayable or one-shot), the method that runs, its sizes, the state bytes
 * and the reasons, for every method: the single-pass records (plan-sketch.ts), the multi-pass Gram
 * pass (plan-passes.ts) and the exact SVD. The one place a budget becomes sizes.
 */
import { BudgetError } from '../errors.js';
import { formatBytes } from '../format-bytes.js';
import type { SketchDType, SketchMethod, SketchSizes, SketchTestMatrix } from '../sketch/index.js';
import {
  DEFAULT_ERROR_SKETCH_DIM, DEFAULT_TEST_MATRIX, defaultChunk, explicitOrDefaultSizes,
} from '../sketch/index.js';
import { planPasses, type PassPlan } from './plan-passes.js';
import { planSketch, sketchBytes } from './plan-sketch.js';

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
  seed?: number;
  center?: boolean;
  /** The input's name, for messages. */
  where?: string;
}

export type ApproxPlan =
  | { kind: 'sketch'; method: SketchMethod; testMatrix: SketchTestMatrix; sizes: SketchSizes; stateBytes: number; reasons: string[] }
  | { kind: 'passes'; plan: PassPlan; reasons: string[] }
  | { kind: 'exact'; stateBytes: number; reasons: string[] };

/**
 * Bytes of the exact SVD of an m x n matrix: A, the SVD's working copy and its factors,
 * 8 (2 m n + (m + n) min(m, n)).
 */
export function exactBytes(m: number, n: number): number {
  return 8 * (2 * m * n + (m + n) * Math.min(m, n));
}

export function planApprox(q: ApproxQuery): ApproxPlan {
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
  const method: SketchMethod = q.method === 'auto' ? 'three-sketch' : q.method;
  const testMatrix = q.testMatrix ?? DEFAULT_TEST_MATRIX;
  const chunk = defaultChunk(q.cols), errorSketchDim = DEFAULT_ERROR_SKETCH_DIM;
  const base = { method, testMatrix, dtype: q.dtype, seed: q.seed ?? 0, center: q.center ?? false, cols: q.cols, rank: q.rank };
  const explicit = q.rangeDim !== undefined || q.coreDim !== undefined || q.coRangeDim !== undefined;
  let sizes: SketchSizes;
  if (explicit) {
    sizes = explicitOrDefaultSizes({ ...base, rangeDim: q.rangeDim, coreDim: q.coreDim, coRangeDim: q.coRangeDim }, errorSketchDim, chunk);
    reasons.push('sizes as given');
  } else {
    sizes = planSketch({ ...base, q: errorSketchDim, chunk, rowsInMemory: 0 }, q.memoryBudget, q.sizeRule ?? 'flat');
    reasons.push(`sizes from the memory budget ${formatBytes(q.memoryBudget)} (rule ${sizes.rule})`);
  }
  if (q.method === 'auto') reasons.unshift('one pass: the three-sketch [TYUC19]');
  const stateBytes = sketchBytes({ ...base, q: sizes.q, chunk: sizes.chunk, rowsInMemory: 0 }, sizes);
  return { kind: 'sketch', method, testMatrix, sizes, stateBytes, reasons };
}
