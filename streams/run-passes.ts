/**
 * The multi-pass driver: runs the Gram pass [Yu17; docs/METHODS.md §5] of a plan (`planPasses`) over
 * a replayable BlockSource, opening it once per pass, and returns the rank-r factors.
 *
 * Not an RxJS operator: a pass is a whole subscription, and the next one starts only when the state
 * has turned the previous pass into a new right block X. Each block is absorbed synchronously
 * inside `next` (the sources pull, so nothing queues).
 *
 * - One-shot sources (stdin, sockets) are refused before anything is read when the plan needs more
 *   than one pass: `tcp://... is a one-shot source and cannot be read 2 times; use a file or --passes 1`.
 * - Orientation 'columns' (the source emits rows of A^T): the run factors A^T = U' S V'^T and
 *   returns u = V', v = U' (docs/METHODS.md §0); the tall factor read back from the spill is then V.
 * - Tall factors go through a spill: rows of G = A X of the last pass are written as they are
 *   produced; the tall factor is G M, formed by one pass over the spill (not over the source).
 *   `spill: 'memory'` (default) keeps G in memory (m x w float64) and returns the factor as a matrix;
 *   `spill: 'file'` appends G to a temporary Arrow IPC file (`createSpill`), so the memory does not
 *   depend on the number of rows; the factor is then streamed by `readTallFactor()` and only
 *   collected into a matrix when `collect: true`.
 * - Rows streamed elsewhere: with a `runner` (approx --distributed, streams/cli/distributed/), each
 *   pass is run by shards in other processes and merged into the state here; the source is then
 *   asked for its shape only, and G of the last pass stays in the shards' files (`readG`).
 */
import { Observable, lastValueFrom, map, tap, toArray } from 'rxjs';
import {
  ArgumentError, createGramPass, finishGramPass, leftFactorRows, memorySpill, negateColumns, SignScan, SourceError, updateGramPass, zeros,
  type GramPassState, type GramSpill, type Matrix, type Matrix64, type MemorySpill, type PassPlan, type PassSummary, type SumSquares, type TestMatrixFamily,
} from '../src/internals.js';
import type { BlockSource, RowBlock, SourceInfo } from './types.js';
import { createSpill } from './sinks/create-spill.js';
import type { Spill } from './sinks/create-spill.js';
import { drainSource } from './drain-source.js';
import { addSquares, createSumSquares, isZeroSum, residualNorm, timesPowerOfTwo } from '../src/internals.js';
import { scaleExtremeValues } from './wrappers/scale-extreme.js';
import { emptyStats, type MeasuredSource } from './sources/source-options.js';

/** What `runPasses` needs of a plan (a `PassPlan`, or the same fields written by hand). */
export type RunPlan = Pick<PassPlan, 'method' | 'passes' | 'rank' | 'oversamples'> &
  Partial<Pick<PassPlan, 'powerIterations' | 'views' | 'krylovDepth'>>;

export interface PassProgress {
  /** 1-based pass number and total. */
  pass: number;
  passes: number;
  /** 'block' after each block, 'pass' when a pass ends, 'spill' while the tall factor is formed. */
  phase: 'block' | 'pass' | 'spill';
  rowsSeen: number;
  /** Rows of the source if known. */
  rows?: number;
  seconds: number;
  /** At 'pass': Ritz estimates of the leading singular values after this pass (see PassSummary). */
  ritz?: Float64Array;
  /** At 'pass' with `resultEveryPass`: singular values of the approximation after this pass. */
  s?: Float64Array;
  /**
   * At 'pass' with `resultEveryPass`: ||A - A_r||_F / ||A||_F of this pass's rank-r approximation,
   * exact up to rounding because A_r is an orthogonal projection of A (||A - A_r||_F^2 =
   * ||A||_F^2 - sum s_j^2); unreliable below about 1e-7 (cancellation).
   */
  relativeResidual?: number;
}

/**
 * How the rows of each pass reach the Gram pass state when they are not streamed in this process:
 * shards sketched by other processes and merged into it (`approx --distributed`).
 */
export interface PassRunner {
  /**
   * Runs the current pass of `state` over every row of the matrix exactly once and merges the
   * shards' pieces into it (`mergeGramPiece`, in a fixed order, so the result does not depend on
   * which shard finished first); in pass 1 (`state.pass === 0`) also adds the squares of every
   * value into `normA2`.
   */
  run(state: GramPassState, normA2: SumSquares): Promise<void>;
  /** e: the rows were streamed as 2^-e A (scale-extreme.ts), decided in pass 1. */
  readonly exponent: number;
  /** The rows of G = A X of the last pass, by global row (kept by the shards: their files). */
  readG(): Observable<RowBlock>;
}

export interface RunPassesOptions {
  /** Runs the passes elsewhere (see PassRunner); the source then only gives the shape. */
  runner?: PassRunner;
  seed?: number;
  testMatrix?: TestMatrixFamily;
  onProgress?: (p: PassProgress) => void;
  /** Where G goes in the last pass (default 'memory'); a custom sink must copy in `write`. */
  spill?: 'memory' | 'file' | 'none';
  /** Parent directory of a file spill (default os.tmpdir()). */
  tmpDir?: string;
  /** With spill 'file': also collect the tall factor into a matrix (default false). */
  collect?: boolean;
  /**
   * RSI only: also form S and V after every pass (RSI with q = pass - 1, the same numbers as a run
   * with that many passes), reported in `perPass` and in the 'pass' progress events: the accuracy
   * each pass bought. Costs a TSQR of G per pass. Default false.
   */
  resultEveryPass?: boolean;
}

export interface RunPassesResult {
  s: Float64Array;
  /** Left factor (m x r): always for orientation 'columns'; for 'rows' when it was collected. */
  u?: Matrix64;
  /** Right factor (n x r): always for orientation 'rows'; for 'columns' when it was collected. */
  v?: Matrix64;
  /** Which factor came through the spill ('u' for row streams, 'v' for column streams). */
  tallFactor: 'u' | 'v';
  /**
   * 'v': each column of V (of A) has its largest-magnitude entry positive, the project's convention.
   * 'pending': a column stream run without a spill (`spill: 'none'`): V of A was never formed, so
   * the signs of `u` are not decided by the convention.
   */
  signs: 'v' | 'pending';
  /** The tall factor as row blocks (rowStart = global index), read back from the spill. Replayable until `dispose()`. */
  readTallFactor(): Observable<RowBlock>;
  /** Removes a file spill (idempotent; a no-op for memory). */
  dispose(): void;
  passes: PassSummary[];
  rows: number;
  info: SourceInfo;
  /** With `resultEveryPass`: S, V (the non-streamed factor) and the relative Frobenius residual after each pass. */
  perPass: { pass: number; s: Float64Array; v: Matrix64; relativeResidual: number }[];
  /** ||A||_F, accumulated in the first pass. */
  frobeniusNorm: number;
  /** Passes over the rows (fewer than planned for a zero matrix: it is known after the first). */
  passesRead: number;
  /** ||A - U S V^T||_F / ||A||_F of the result (see PassProgress.relativeResidual). */
  relativeResidual: number;
  /** Numerical rank kept when inverting R (below the block width only for rank-deficient inputs). */
  kept: number;
  /**
   * The input is a zero matrix: s is `rank` zeros and U, V are the first canonical basis vectors
   * (numpy's SVD of a zero matrix), found after the first pass (no further pass is made).
   */
  zero: boolean;
  seconds: number;
}

export async function runPasses(input: BlockSource, plan: RunPlan, opts: RunPassesOptions = {}): Promise<RunPassesResult> {
  // Values at the ends of the float64 range: the Gram pass squares the data (H = A^T A X), so the
  // passes run on 2^-e A (scale-extreme.ts) and singular values and norms are scaled back.
  const source = scaleExtremeValues(measuredView(input));
  const runner = opts.runner;
  const back = (x: number): number => timesPowerOfTwo(x, runner?.exponent ?? source.exponent);
  const info = await source.info();
  if (plan.method === 'three-sketch') {
    throw new ArgumentError('runPasses: the plan chose the single-pass three-sketch; run it with the single-pass engine (createSketch / updateRows / reconstruct)');
  }
  const passes = plan.views !== undefined ? Math.ceil(plan.views / 2) : plan.passes;
  if (!source.replayable && passes > 1) {
    throw new SourceError(`${info.where} is a one-shot source and cannot be read ${passes} times; use a file or --passes 1`);
  }
  const t0 = performance.now();
  const seconds = () => (performance.now() - t0) / 1000;
  const spillKind = opts.spill ?? 'memory';
  let mem: MemorySpill | undefined;
  let file: Spill | undefined;
  const sink: GramSpill | undefined = spillKind === 'none' || runner !== undefined ? undefined : {
    write(rowStart: number, g: Matrix): void {
      if (spillKind === 'memory') (mem ??= memorySpill()).write(rowStart, g);
      else {
        file ??= createSpill({ cols: g.cols, dtype: 'float64', ...(opts.tmpDir ? { tmpDir: opts.tmpDir } : {}) });
        file.write(rowStart, g);
      }
    },
  };
  const state = createGramPass({
    cols: info.cols, rows: info.rows, rank: plan.rank, oversamples: plan.oversamples,
    method: plan.method, seed: opts.seed, testMatrix: opts.testMatrix, spill: sink, resultEveryPass: opts.resultEveryPass,
    ...(plan.method === 'block-krylov'
      ? { powerIterations: plan.krylovDepth ?? passes - 1 }
      : plan.views !== undefined ? { views: plan.views } : { powerIterations: plan.powerIterations ?? passes - 1 }),
  });
  const summaries: PassSummary[] = [];
  const perPass: RunPassesResult['perPass'] = [];
  const normA2 = createSumSquares();
  const residual = (sv: Float64Array): number => {
    const a = residualNorm(normA2, []);
    return a > 0 ? residualNorm(normA2, sv) / a : 0;
  };
  const unscaled = (sv: Float64Array): Float64Array => Float64Array.from(sv, back);
  let passesRead = 0;
  try {
    for (;;) {
      const pass = state.pass + 1;
      if (opts.resultEveryPass) { mem = undefined; file?.dispose(); file = undefined; } // G of the last pass only (gram-pass.ts writes no other)
      if (runner !== undefined) await runner.run(state, normA2);
      else {
        await drainSource(source, (blk) => {
          const a: Matrix = { rows: blk.rows, cols: blk.cols, data: blk.data, offset: 0, stride: blk.cols };
          updateGramPass(state, a, blk.rowStart);
          if (pass === 1) addSquares(normA2, blk.data, 0, blk.rows * blk.cols);
          opts.onProgress?.({ pass, passes, phase: 'block', rowsSeen: state.rowsSeen, rows: info.rows, seconds: seconds() });
        });
      }
      passesRead++;
      if (pass === 1 && isZeroSum(normA2) && state.rowsSeen > 0) {
        // A zero matrix: every singular value is 0 and the Gram pass has no range to find; return
        // the requested rank with canonical basis vectors, as numpy's SVD does (zero-matrix note).
        file?.dispose();
        return { ...zeroMatrixResult(info, state.rowsSeen, plan.rank, summaries, seconds(), spillKind === 'memory' || opts.collect === true), passesRead };
      }
      const out = finishGramPass(state);
      if (source.exponent !== 0) out.summary.ritz = unscaled(out.summary.ritz);
      summaries.push(out.summary);
      const passResult = out.done ? out.result : out.summary.result;
      if (opts.resultEveryPass && passResult) perPass.push({ pass, s: unscaled(passResult.s), v: passResult.v, relativeResidual: residual(passResult.s) });
      opts.onProgress?.({
        pass, passes, phase: 'pass', rowsSeen: out.summary.rows, rows: info.rows, seconds: seconds(), ritz: out.summary.ritz,
        ...(opts.resultEveryPass && passResult ? { s: unscaled(passResult.s), relativeResidual: residual(passResult.s) } : {}),
      });
      if (!out.done) continue;
      const { result } = out;
      const r = result.s.length;
      const readTallFactor = (): Observable<RowBlock> => {
        if (runner !== undefined && spillKind !== 'none') return runner.readG().pipe(map((b) => toRowBlock(b.rowStart, leftFactorRows(result.leftMap, asMatrix(b)))));
        if (mem) {
          const m0 = mem;
          return new Observable<RowBlock>((sub) => {
            m0.forEachBlock((rowStart, g) => { if (!sub.closed) sub.next(toRowBlock(rowStart, leftFactorRows(result.leftMap, g))); });
            sub.complete();
          });
        }
        if (file) return file.readBlocks().pipe(map((b) => toRowBlock(b.rowStart, leftFactorRows(result.leftMap, asMatrix(b)))));
        return new Observable<RowBlock>((sub) => sub.error(new ArgumentError('runPasses: no spill was kept (spill: \'none\'), so the tall factor is not available')));
      };
      // Signs are decided on V of A (docs/METHODS.md "Signs"): for a column stream that is the tall
      // factor, so it is scanned once (a read of the spill, not of the source) and both factors follow.
      const columns = info.orientation === 'columns';
      let signs: RunPassesResult['signs'] = 'v';
      const spilled = mem !== undefined || file !== undefined || (runner !== undefined && spillKind !== 'none');
      if (columns && spilled) {
        const scan = new SignScan(r);
        await lastValueFrom(readTallFactor().pipe(tap((b) => scan.add(asMatrix(b)))), { defaultValue: undefined });
        const flip = scan.flips();
        negateColumns(result.v, flip);
        negateColumns(result.leftMap, flip);
      } else if (columns) {
        signs = 'pending';
      }
      let tall: Matrix64 | undefined;
      if (spilled && (spillKind === 'memory' || opts.collect === true)) {
        opts.onProgress?.({ pass, passes, phase: 'spill', rowsSeen: result.rows, rows: info.rows, seconds: seconds() });
        tall = await collect(readTallFactor(), result.rows, r);
      }
      return {
        s: unscaled(result.s), signs,
        ...(columns ? { u: result.v, v: tall } : { u: tall, v: result.v }),
        tallFactor: columns ? 'v' : 'u',
        readTallFactor,
        dispose: () => file?.dispose(),
        passes: summaries, perPass, frobeniusNorm: back(residualNorm(normA2, [])), passesRead,
        relativeResidual: residual(result.s), rows: result.rows, info, kept: result.kept, seconds: seconds(), zero: false,
      };
    }
  } catch (err) {
    file?.dispose();
    throw err;
  }
}


function zeroMatrixResult(info: SourceInfo, rows: number, rank: number, passes: PassSummary[], seconds: number, withTall: boolean): Omit<RunPassesResult, 'passesRead'> {
  const n = info.cols;
  const r = Math.min(rank, rows, n);
  const basis = (len: number): Matrix64 => {
    const out = zeros(len, r);
    for (let j = 0; j < Math.min(len, r); j++) out.data[j * r + j] = 1;
    return out;
  };
  const readTallFactor = (): Observable<RowBlock> => new Observable<RowBlock>((sub) => {
    const step = 4096;
    for (let r0 = 0; r0 < rows && !sub.closed; r0 += step) {
      const b = Math.min(step, rows - r0);
      const data = new Float64Array(b * r);
      for (let i = 0; i < b; i++) if (r0 + i < r) data[i * r + r0 + i] = 1;
      sub.next({ rowStart: r0, rows: b, cols: r, data });
    }
    sub.complete();
  });
  const columns = info.orientation === 'columns';
  return {
    s: new Float64Array(r), signs: 'v',
    ...(columns ? { u: basis(n) } : { v: basis(n) }),
    ...(withTall ? (columns ? { v: basis(rows) } : { u: basis(rows) }) : {}),
    tallFactor: columns ? 'v' : 'u',
    readTallFactor,
    dispose: () => undefined,
    passes, perPass: [], frobeniusNorm: 0, relativeResidual: 0, rows, info, kept: 0, seconds, zero: true,
  };
}

/** The source as a MeasuredSource (scale-extreme wraps one; plain BlockSources get empty stats). */
function measuredView(source: BlockSource): MeasuredSource {
  if ('stats' in source) return source as MeasuredSource;
  const stats = emptyStats();
  return { get replayable() { return source.replayable; }, stats, info: () => source.info(), open: () => source.open() };
}

function toRowBlock(rowStart: number, u: Matrix64): RowBlock {
  return { rowStart, rows: u.rows, cols: u.cols, data: u.data };
}

function asMatrix(b: RowBlock): Matrix {
  return { rows: b.rows, cols: b.cols, data: b.data, offset: 0, stride: b.cols };
}

async function collect(blocks: Observable<RowBlock>, rows: number, r: number): Promise<Matrix64> {
  const all = await lastValueFrom(blocks.pipe(toArray()));
  let extent = rows;
  for (const b of all) extent = Math.max(extent, b.rowStart + b.rows);
  const out = zeros(extent, r);
  for (const b of all) out.data.set(b.data.subarray(0, b.rows * r), b.rowStart * r);
  return out;
}
