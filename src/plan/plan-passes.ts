/**
 * The pass-budget planner: given how many times the source may be read and how much memory the
 * state may use, choose the method, oversampling and sizes, and say why [docs/METHODS.md §2, §5].
 *
 * Rules (each reason string below quotes the rule that fired; evidence in bench/out/rsi-study.md):
 * 1. passes = 1: the three-sketch single-view method [TYUC19] with sizes from the budget
 *    (`sizesForBudget` of the single-pass engine, range rows spilled so the state has no m term);
 *    size rule 'natural' for spectrum 'fast', 'flat' (the engine's default) otherwise [TYUC19 §5.4; docs/METHODS.md §2].
 *    `method: 'rsi'` with passes = 1 plans the single-pass Gram RSVD (q = 0) [Yu17] instead: at
 *    equal memory it was markedly more accurate on the shared matrices (bench/out/one-pass.md),
 *    but it lacks the three-sketch's error estimate, centering and general linear updates.
 * 2. passes = P >= 2: randomized subspace iteration by the Gram pass with q = P - 1 power
 *    iterations (2P views) [HMT11 Alg. 4.4; Yu17]. Block Krylov [MM15] only when asked
 *    (`method: 'block-krylov'`): on the shared real matrices, spending the Krylov width
 *    (q + 1) l on RSI oversampling instead was as accurate or better at equal passes.
 * 3. Oversampling p: 10 [HMT11 §4.2; scikit-learn]; raised to max(10, ceil(r / 2)) when P <= 3
 *    and the spectrum is 'slow' or 'unknown' (bench/out/rsi-study.md part 3, 5 seeds: rank 50 on
 *    ppocr_rec_conv180, P = 2: 1.159 -> 1.090, P = 3: 1.070 -> 1.018; navy_winds_u P = 2:
 *    1.109 -> 1.030; at P = 5 both are within 0.03 of 1). Then capped so that l = r + p <=
 *    min(m, n) and the state fits the budget; below p = 2 the plan is refused.
 * 4. Infeasible budgets throw BudgetError stating the smallest budget that works.
 */
import { ArgumentError, BudgetError } from '../errors.js';
import { formatBytes } from '../format-bytes.js';
import { checkKrylovWidth } from '../multipass/block-krylov.js';
import { gramPassBytes } from '../multipass/gram-pass-bytes.js';
import { DEFAULT_OVERSAMPLES } from '../multipass/multipass-options.js';
import { defaultChunk, DEFAULT_ERROR_SKETCH_DIM, DEFAULT_TEST_MATRIX } from '../sketch/index.js';
import { minimumSketchBudget, planSketch, sketchBytes, type SketchPlanQuery } from './plan-sketch.js';

export type Spectrum = 'fast' | 'slow' | 'unknown';
export type PlannedMethod = 'three-sketch' | 'rsi' | 'block-krylov';

export interface PlanPassesOptions {
  /** P >= 1: how many times the source may be read. */
  passes: number;
  /** Bytes the in-memory state may use (see `gramPassBytes` and `sketchBytes` for what counts). */
  memoryBudget: number;
  rank: number;
  /** m, if known (caps the block width at min(m, n)). */
  rows?: number;
  cols: number;
  /** What is known of the singular value decay (default 'unknown'). */
  spectrum?: Spectrum;
  /** Force a method; 'auto' (default) applies the rules above. */
  method?: 'auto' | PlannedMethod;
  /** Force the oversampling p (multi-pass methods); still checked against the budget. */
  oversamples?: number;
}

export interface PassPlan {
  method: PlannedMethod;
  passes: number;
  rank: number;
  /** p (multi-pass) or k - r (three-sketch). */
  oversamples: number;
  /** RSI: q = P - 1. */
  powerIterations?: number;
  /** RSI: v = 2P. */
  views?: number;
  /** Block Krylov: q = P - 1. */
  krylovDepth?: number;
  /** l (block width) for multi-pass; k, s (and q error-sketch rows) for the three-sketch. */
  sizes: { l?: number; width?: number; k?: number; s?: number; q?: number };
  stateBytes: number;
  reasons: string[];
}

const MIN_OVERSAMPLES = 2;

export function planPasses(opts: PlanPassesOptions): PassPlan {
  const { passes, memoryBudget, rank, rows, cols } = opts;
  const spectrum = opts.spectrum ?? 'unknown';
  const int = (x: unknown): x is number => Number.isInteger(x) && (x as number) >= 1;
  if (!int(passes)) throw new ArgumentError(`planPasses: passes must be a positive integer, found ${passes}`);
  if (!int(rank)) throw new ArgumentError(`planPasses: rank must be a positive integer, found ${rank}`);
  if (!int(cols)) throw new ArgumentError(`planPasses: cols must be a positive integer, found ${cols}`);
  if (rows !== undefined && !int(rows)) throw new ArgumentError(`planPasses: rows must be a positive integer, found ${rows}`);
  if (!(memoryBudget > 0)) throw new ArgumentError(`planPasses: memoryBudget must be a positive number of bytes, found ${memoryBudget}`);
  if (!['fast', 'slow', 'unknown'].includes(spectrum)) throw new ArgumentError(`planPasses: spectrum must be 'fast', 'slow' or 'unknown', found ${spectrum}`);
  const limit = rows === undefined ? cols : Math.min(rows, cols);
  if (rank > limit) throw new ArgumentError(`planPasses: rank ${rank} exceeds min(rows, cols) = ${limit}`);
  const forced = opts.method ?? 'auto';
  const reasons: string[] = [];

  if (forced === 'three-sketch' || (passes === 1 && forced === 'auto')) return planOnePass(opts, spectrum, reasons);
  if (passes === 1 && forced === 'block-krylov') {
    throw new ArgumentError(`planPasses: method 'block-krylov' needs at least 2 passes (depth q = passes - 1 >= 1)`);
  }
  if (passes === 1) {
    reasons.push('passes = 1 with method \'rsi\' asked: the single-pass Gram RSVD (q = 0; A Omega and A^T A Omega in one pass, B = R^{-T} H^T) [Yu17]; ' +
      'at equal memory it was never less accurate than the three-sketch on the shared matrices and up to 3.2x more (bench/out/one-pass.md), ' +
      'but has no a-posteriori error estimate, no centering and accepts only whole rows');
  }
  const method: 'rsi' | 'block-krylov' = forced === 'block-krylov' ? 'block-krylov' : 'rsi';
  const q = passes - 1;
  if (method === 'rsi') {
    if (passes >= 2) reasons.push(`passes = ${passes} >= 2: randomized subspace iteration by the Gram pass, q = passes - 1 = ${q} power iterations (${2 * passes} views) [HMT11 Alg. 4.4; Yu17]`);
    if (forced === 'auto') reasons.push('block Krylov not chosen: at equal passes, spending its (q + 1)-fold width on RSI oversampling was as accurate or better on the shared real matrices (bench/out/rsi-study.md); ask for it with method: \'block-krylov\'');
  } else {
    reasons.push(`method 'block-krylov' asked: Krylov depth q = passes - 1 = ${q}, last pass ${passes} blocks wide [MM15 Alg. 2]`);
  }
  let p: number;
  if (opts.oversamples !== undefined) {
    if (!Number.isInteger(opts.oversamples) || opts.oversamples < 0) throw new ArgumentError(`planPasses: oversamples must be a non-negative integer, found ${opts.oversamples}`);
    p = opts.oversamples;
    reasons.push(`oversamples p = ${p} as asked`);
  } else if (passes <= 3 && spectrum !== 'fast' && method === 'rsi') {
    p = Math.max(DEFAULT_OVERSAMPLES, Math.ceil(rank / 2));
    reasons.push(`p = max(10, ceil(r / 2)) = ${p}: few passes (${passes} <= 3) on a '${spectrum}' spectrum, where oversampling buys what iterations cannot`);
  } else {
    p = DEFAULT_OVERSAMPLES;
    reasons.push(`p = 10 [HMT11 §4.2; scikit-learn's n_oversamples]` + (spectrum === 'fast' ? `: spectrum 'fast'` : `: ${passes} passes already converge (q = ${q} >= 3)`));
  }
  const widthCap = method === 'block-krylov' ? Math.floor(limit / passes) : limit;
  if (rank + MIN_OVERSAMPLES > widthCap && method === 'block-krylov') checkKrylovWidth('planPasses', q, rank + MIN_OVERSAMPLES, cols, rows);
  if (rank + p > widthCap) {
    const capped = Math.max(0, widthCap - rank);
    reasons.push(`p cut from ${p} to ${capped}: the block width l = r + p may not exceed ${method === 'block-krylov' ? `min(rows, cols) / passes = ${widthCap}` : `min(rows, cols) = ${widthCap}`}`);
    p = capped;
  }
  const bytes = (pp: number) => gramPassBytes(method, cols, rank + pp, passes);
  const pMin = Math.min(p, MIN_OVERSAMPLES);
  if (bytes(pMin) > memoryBudget) {
    throw new BudgetError(
      `memory budget ${formatBytes(memoryBudget)} is too small for ${method} with rank ${rank}, ${cols} columns and ${passes} passes: ` +
      `the smallest that works is ${formatBytes(bytes(pMin))} (${bytes(pMin)} bytes, oversamples ${pMin})`,
    );
  }
  if (bytes(p) > memoryBudget) {
    let lo = pMin, hi = p; // bytes(lo) fits, bytes(hi) does not
    while (hi - lo > 1) { const mid = (lo + hi) >> 1; if (bytes(mid) <= memoryBudget) lo = mid; else hi = mid; }
    reasons.push(`p cut from ${p} to ${lo} by the memory budget ${formatBytes(memoryBudget)} (state ${formatBytes(bytes(p))} at p = ${p})`);
    p = lo;
  }
  const l = rank + p;
  reasons.push(`state ${formatBytes(bytes(p))} of ${formatBytes(memoryBudget)}: X, H (n x l), R (l x l) and workspaces; no term grows with the number of rows (G is spilled)`);
  if (rows !== undefined && rows < cols) {
    const mirrored = gramPassBytes(method, rows, rank + p, passes);
    reasons.push(`rows < cols: a column-block stream (orientation 'columns', the mirrored form) would hold ${formatBytes(mirrored)} instead, and spill ${cols} rows of G`);
  }
  const plan: PassPlan = {
    method, passes, rank, oversamples: p,
    sizes: { l, width: method === 'block-krylov' ? passes * l : l }, stateBytes: bytes(p), reasons,
  };
  if (method === 'rsi') { plan.powerIterations = q; plan.views = 2 * passes; } else plan.krylovDepth = q;
  return plan;
}

function planOnePass(opts: PlanPassesOptions, spectrum: Spectrum, reasons: string[]): PassPlan {
  const rule = spectrum === 'fast' ? 'natural' : 'flat';
  const query: SketchPlanQuery = {
    method: 'three-sketch', testMatrix: DEFAULT_TEST_MATRIX, dtype: 'float64', seed: 0, center: false, cols: opts.cols, rank: opts.rank,
    q: DEFAULT_ERROR_SKETCH_DIM, chunk: defaultChunk(opts.cols), rowsInMemory: 0,
  };
  reasons.push('passes = 1: the single-view three-sketch [TYUC19], the preferred single-pass method (docs/METHODS.md §2): it has the a-posteriori error estimate, exact centering and accepts any linear update');
  reasons.push('alternative for whole-row streams: method \'rsi\' with passes = 1 (single-pass Gram RSVD [Yu17]), more accurate at equal memory on the shared matrices (bench/out/one-pass.md)');
  reasons.push(`size rule '${rule}'` + (rule === 'flat' ? `: spectrum '${spectrum}' (flat is at most 1.1% worse than natural in total error on our grid, natural up to 29% worse than flat)` : ": spectrum 'fast' [TYUC19 §5.4.2]"));
  const min = minimumSketchBudget(query);
  if (opts.memoryBudget < min) {
    throw new BudgetError(
      `memory budget ${formatBytes(opts.memoryBudget)} is too small for one pass (three-sketch) with rank ${opts.rank} and ${opts.cols} columns: ` +
      `the smallest that works is ${formatBytes(min)} (${min} bytes)`,
    );
  }
  const sz = planSketch(query, opts.memoryBudget, rule);
  reasons.push(`k = ${sz.k}, s = ${sz.s} from the budget; range rows spilled, so the state has no m term (docs/METHODS.md §6)`);
  return {
    method: 'three-sketch', passes: 1, rank: opts.rank, oversamples: sz.k - opts.rank,
    sizes: { k: sz.k, s: sz.s, q: sz.q }, stateBytes: sketchBytes({ ...query, chunk: sz.chunk }, sz), reasons,
  };
}
