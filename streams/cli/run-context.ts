/** What every `approx` runner receives: the parsed options, the opened source and the meter. */
import { timesPowerOfTwo } from '../../src/internals.js';
import type { ScaledSource } from '../wrappers/scale-extreme.js';
import type { OutputSet } from './output-set.js';
import type { RowBlock, SourceInfo } from '../types.js';
import type { Matrix } from '../../src/internals.js';
import type { ApproxOptions } from './approx-args.js';
import type { ProgressMeter } from './progress-meter.js';
import type { ReportRecorder } from './report-recorder.js';
import type { Checkpointer } from './checkpoint.js';
import type { PassRunner } from '../run-passes.js';

export interface RunContext {
  opts: ApproxOptions;
  /**
   * The input, scaled by a power of two when its values sit at the ends of the float64 range
   * (scale-extreme.ts): singular values, norms and error estimates computed from it are multiplied
   * back by `unscale`; U and V need nothing.
   */
  source: ScaledSource;
  /** The output set of --out (checked writable before the input was opened), else undefined. */
  output?: OutputSet;
  info: SourceInfo;
  meter: ProgressMeter;
  /** performance.now() at the start of the run. */
  t0: number;
  /** Seconds from the process start to t0 (module loading, kernel threads, opening the input). */
  startup: number;
  notes: string[];
  /** With --report: where the runners leave what the page needs beyond the result (report-recorder.ts). */
  report?: ReportRecorder;
  /** With --checkpoint / --resume: the one-pass run's checkpoints (checkpoint.ts). */
  checkpoint?: Checkpointer;
  /** `approx --distributed` with more than one pass: the passes' rows are streamed by shards on workers (run-passes.ts PassRunner). */
  passRunner?: PassRunner;
  /**
   * --center over rows: the column mean mu (n, in the input's units) the runner subtracted, for
   * PREFIX.mean (a column stream is centered upstream and its means come from center-rows.ts).
   */
  mean?: Float64Array;
}

/** A row block as a packed Matrix view (no copy). */
export function blockMatrix(b: RowBlock): Matrix {
  return { rows: b.rows, cols: b.cols, data: b.data, offset: 0, stride: b.cols };
}

/** Names of the streamed-axis factor and of the other one: a column stream is A^T, so U and V swap. */
export function factorNames(info: SourceInfo): { tall: 'U' | 'V'; wide: 'U' | 'V' } {
  return info.orientation === 'columns' ? { tall: 'V', wide: 'U' } : { tall: 'U', wide: 'V' };
}

/** x (a singular value, norm or error of the scaled input) in the units of the input. */
export function unscale(ctx: RunContext, x: number): number {
  return timesPowerOfTwo(x, ctx.source.exponent);
}

/** A note when fewer triplets than asked came out (a rank-deficient input), so it is never silent. */
export function lowRankNote(asked: number, got: number): string | null {
  return got < asked ? `the input has numerical rank ${got}, below the requested rank ${asked}: ${got} singular triplet${got === 1 ? '' : 's'} returned` : null;
}
