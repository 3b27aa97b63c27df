/**
 * Create an empty single-pass sketch of a row stream of A (m x n) [TYUC19 Alg. 4.1 (three-sketch),
 * TYUC17 Alg. 4.1 (two-sketch), Yu17 (rsvd), GLPW16 Alg. 2 (FD)]: options validated synchronously
 * (ArgumentError / BudgetError), sizes from explicit options, else from `memoryBudget` by the
 * planner (plan-sketch.ts), else the papers' defaults (the method module).
 */
import { ArgumentError } from '../errors.js';
import {
  allocateSketch, explicitOrDefaultSizes, hasExplicitSizes, methodOf, sketchParamsOf,
  type SketchMethod, type SketchOptions, type SketchSizes, type SketchState,
} from '../sketch/index.js';
import { planSketch } from './plan-sketch.js';

/** The record type of a method (the three-sketch when none is named). */
export type SketchOf<M extends SketchMethod | undefined> = Extract<SketchState, { method: M extends SketchMethod ? M : 'three-sketch' }>;

export function createSketch<M extends SketchMethod | undefined = undefined>(opts: SketchOptions & { method?: M }): SketchOf<M>;
export function createSketch(opts: SketchOptions): SketchState;
export function createSketch(opts: SketchOptions): SketchState {
  const { q, chunk, ...p } = sketchParamsOf(opts);
  let sizes: SketchSizes;
  if (opts.sizes !== undefined) {
    sizes = { ...opts.sizes };
    methodOf(p.method).checkSizes(p.rank, p.cols, sizes);
  } else if (hasExplicitSizes(opts) || opts.memoryBudget === undefined) {
    sizes = explicitOrDefaultSizes(opts, q, chunk);
  } else {
    if (!opts.spill && opts.rows === undefined && p.method !== 'fd') {
      throw new ArgumentError('a memory budget needs a spill for the range rows, or `rows` (m) so that keeping them in memory can be counted');
    }
    sizes = planSketch({ ...p, q, chunk, rowsInMemory: opts.spill || p.method === 'fd' ? 0 : opts.rows!, ...(opts.rows !== undefined ? { rows: opts.rows } : {}) },
      opts.memoryBudget, opts.sizeRule ?? 'flat', opts.chunkRows !== undefined);
  }
  const st = allocateSketch({ ...p, sizes }, opts.spill);
  if (opts.rows !== undefined) st.rows = opts.rows;
  return st;
}
