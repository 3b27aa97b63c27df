/**
 * `--orientation auto` (the default): which way to stream a replayable input [docs/METHODS.md §0].
 * The in-memory state grows with the length of the streamed rows (the co-range, the Gram block H:
 * n x k), and the tall factor with their number, so a wide matrix (rows < columns) is better
 * streamed by columns: the state then holds the short side. That is scikit-learn's
 * `transpose='auto'` rule (transpose when rows < columns). Columns are streamed only where it costs
 * no more reads than rows: a layout stored by columns (Fortran-order .npy, a wide Parquet table,
 * read column chunk by column chunk), or a matrix small enough that its transpose is gathered in
 * one scan (8 m n bytes <= 64 MiB). Otherwise, and for one-shot inputs (stdin, sockets), rows.
 * The JSON says which orientation ran ("orientation") and why ("orientationReason").
 */
import type { Orientation, SourceInfo } from '../types.js';

export const COLUMN_LAYOUTS = ['npy-fortran', 'parquet-wide'];
/** One scan gathers A^T when it fits this many bytes (transposed-source.ts's block). */
export const ONE_SCAN_BYTES = 64 * 1024 * 1024;

export function autoOrientation(info: SourceInfo | undefined, replayable: boolean): { orientation: Orientation; reason: string } {
  if (!replayable || info === undefined) return { orientation: 'rows', reason: 'a one-shot input is streamed by rows' };
  const m = info.rows, n = info.cols;
  if (m === undefined) return { orientation: 'rows', reason: 'the number of rows is not known up front' };
  if (m >= n) return { orientation: 'rows', reason: `${m} x ${n}: not wide, streamed by rows` };
  if (COLUMN_LAYOUTS.includes(info.layout)) return { orientation: 'columns', reason: `${m} x ${n} is wide and stored by columns (${info.layout}): streamed by columns, the state holds the short side` };
  if (8 * m * n <= ONE_SCAN_BYTES) return { orientation: 'columns', reason: `${m} x ${n} is wide and its transpose is gathered in one scan: streamed by columns, the state holds the short side` };
  return { orientation: 'rows', reason: `${m} x ${n} is wide but stored by rows (${info.layout}) and larger than one scan: streamed by rows (--orientation columns would read it ${Math.ceil((8 * m * n) / ONE_SCAN_BYTES)} times)` };
}
