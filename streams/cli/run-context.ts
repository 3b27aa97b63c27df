/** What every `approx` runner receives: the parsed options, the opened source and the meter. */
import type { MeasuredSource } from '../sources/source-options.js';
import type { RowBlock, SourceInfo } from '../types.js';
import type { Matrix } from '../../src/internals.js';
import type { ApproxOptions } from './approx-args.js';
import type { ProgressMeter } from './progress-meter.js';
import type { ReportRecorder } from './report-recorder.js';

export interface RunContext {
  opts: ApproxOptions;
  source: MeasuredSource;
  info: SourceInfo;
  meter: ProgressMeter;
  /** performance.now() at the start of the run. */
  t0: number;
  /** Seconds from the process start to t0 (module loading, kernel threads, opening the input). */
  startup: number;
  notes: string[];
  /** With --report: where the runners leave what the page needs beyond the result (report-recorder.ts). */
  report?: ReportRecorder;
}

/** A row block as a packed Matrix view (no copy). */
export function blockMatrix(b: RowBlock): Matrix {
  return { rows: b.rows, cols: b.cols, data: b.data, offset: 0, stride: b.cols };
}

/** Names of the streamed-axis factor and of the other one: a column stream is A^T, so U and V swap. */
export function factorNames(info: SourceInfo): { tall: 'U' | 'V'; wide: 'U' | 'V' } {
  return info.orientation === 'columns' ? { tall: 'V', wide: 'U' } : { tall: 'U', wide: 'V' };
}
