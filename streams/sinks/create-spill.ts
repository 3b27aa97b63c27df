/**
 * The range-sketch spill of ALGORITHMS.md §6: rows `y_i` of Y = A Omega (m x k) are appended as they
 * arrive to an Arrow IPC file in a fresh temporary directory (`fs.mkdtempSync`), then read back in
 * one pass to form U = Y R^{-1} U_core, then deleted.
 *
 * Appends are synchronous (`fs.writeSync` under Arrow's IPC writer): the numeric side sees the spill
 * only as the sink `{ write(rowStart, y) }` called inside a synchronous `next`, and a synchronous
 * write keeps the pull-based backpressure of the pipeline (nothing queues in memory).
 *
 * Schema: `row: Float64` (global row index of each row; blocks may come in any order, e.g. from
 * shards) and `y: FixedSizeList<Float64|Float32>[k]`. `readBlocks()` replays the blocks in the order
 * they were written, zero-copy from each batch.
 *
 * Life cycle: `dispose()` removes the directory; it is idempotent and is also run at process exit
 * for spills still alive (an error path that forgets to dispose leaves nothing behind).
 */
import type { Observable } from 'rxjs';
import type { Matrix } from '../../src/matrix.js';
import type { MeasuredSource } from '../sources/source-options.js';
import type { RowBlock } from '../types.js';

/** The synchronous sink interface of the numeric side. */
export interface RowSink {
  write(rowStart: number, y: Matrix): void;
}

export interface Spill extends RowSink {
  /** The temporary directory and the IPC file inside it. */
  readonly dir: string;
  readonly path: string;
  readonly cols: number;
  readonly rows: number;
  /** Appends a packed block of `rows x cols` values starting at global row `rowStart`. */
  append(rowStart: number, rows: number, cols: number, data: Float32Array | Float64Array): void;
  /** Writes the footer; further writes are an error. Called by readBlocks() if needed. */
  finish(): void;
  /** The spilled blocks, in write order (replayable: each subscription re-reads the file). */
  readBlocks(): Observable<RowBlock>;
  /** The spill as a replayable BlockSource. */
  source(): MeasuredSource;
  /** Removes the temporary directory (idempotent). */
  dispose(): void;
}

export interface SpillOptions {
  /** Row length k. */
  cols: number;
  dtype?: 'float32' | 'float64';
  /** Parent of the temporary directory (default `os.tmpdir()`). */
  tmpDir?: string;
}

export function createSpill(opts: SpillOptions): Spill {
  void opts;
  throw new Error('createSpill: not implemented yet');
}
