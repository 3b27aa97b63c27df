/**
 * Options of the sources, split by who reads them: a format decoder (`DecodeOptions`, what it takes
 * to turn bytes into row blocks) and the composition around it (`ComposeOptions`, compose-source.ts:
 * orientation by transposition, decoding on a worker, reading ahead, the non-finite policy, the
 * empty-input check). `SourceOptions` is both: what `fromNpy`, `fromArrowFile`, ..., `openSource`
 * and the CLI take, since each of those is a decoder with the standard composition around it.
 *
 * Defaults and their rule:
 * - `blockRows`: formats with natural batches (Arrow record batches, Parquet row groups) emit one
 *   batch per block and split a batch into zero-copy sub-views only when it is larger than
 *   `blockRows` (default: never split). Formats without batches (.npy, synthetic) read `blockRows`
 *   rows per block; their default targets about 4 MiB per block (`max(1, floor(4 MiB / rowBytes))`),
 *   large enough that per-block overhead is negligible next to a GEMM over the block and small enough
 *   to stay in L2/L3-friendly territory for the sketch update.
 * - `orientation: 'columns'` emits row blocks of A^T. Natural (one read of each column) for wide
 *   Parquet tables and .npy files (their decoders read columns themselves: Fortran order is A^T in
 *   C order; C order is gathered, by positioned reads or one scan per block when rows are short).
 *   Arrow files and streams, Parquet LIST columns and the synthetic source are transposed by the
 *   `transposed` wrapper, one full scan of the source per block of `blockRows` columns
 *   (ceil(n / blockRows) scans). Where a block costs a scan, the default `blockRows` targets 64 MiB
 *   per block of A^T, so inputs up to 64 MiB cost one scan. One-shot sources (stdin, sockets)
 *   refuse 'columns': send A^T instead.
 * - `nonFinite: 'error'` (default) fails on the first NaN / Inf / null with its global row, column
 *   and place; 'skip' drops such rows (later rows are renumbered so `rowStart` stays contiguous),
 *   'zero' replaces the bad values by 0; both count what they did in `stats`.
 */
import type { Orientation } from '../types.js';

export type NonFinitePolicy = 'error' | 'skip' | 'zero';

/** What a format decoder needs: how to cut and convert what it decodes. */
export interface DecodeOptions {
  /** Rows per block (see the rule above). */
  blockRows?: number;
  /** Wide layouts: the matrix columns, by name, in this order (default: every column). */
  columns?: readonly string[];
  /** Wide layouts: columns to leave out (e.g. an id or a label column). */
  exclude?: readonly string[];
  /**
   * Element type of emitted blocks. Default: float32 if every matrix column is float32, else
   * float64 (integers, mixed float widths). Forcing a type costs a conversion copy per block.
   */
  dtype?: 'float32' | 'float64';
  /**
   * Arrow / Parquet: a column of row ids (any integer type, or text) that is not a matrix column:
   * each block carries its rows' ids (`RowBlock.ids`; integers as int64, text as strings). A null
   * id, or a uint64 id above 2^63 - 1, is refused naming the row.
   */
  idColumn?: string;
  /** Arrow/Parquet list layouts: the name of the list column that holds each row (default: the only one). */
  listColumn?: string;
  /**
   * Largest Arrow IPC message (metadata or body), Arrow record batch or Parquet column chunk /
   * page, in bytes, refused before it is buffered. Default: max(16 MiB, `memoryBudget`, 64 rows
   * of the schema's width), or 256 MiB without a budget.
   */
  maxMessageBytes?: number;
  /** The run's memory budget, from which the default message cap follows. */
  memoryBudget?: number;
  /** Stream inputs (TCP, --listen, a FIFO): how long to wait for the connection, producer or writer (ms; 0 or absent: forever). */
  connectTimeoutMs?: number;
  /** Stream inputs (stdin, TCP, a FIFO): how long the producer may send nothing while we wait for data (ms; 0 or absent: forever). */
  idleTimeoutMs?: number;
  /**
   * A hint: the first row the consumer wants (a shard's rows, select-rows.ts). A decoder that can
   * seek (.npy by rows) starts reading there, numbering rows as always; others read from row 0.
   */
  firstRow?: number;
}

/** What the composition around a decoder does (compose-source.ts). */
export interface ComposeOptions {
  /** 'rows' (default): rows of A; 'columns': rows of A^T (natively where the format can, else transposed). */
  orientation?: Orientation;
  /** What to do with NaN, +-Inf and nulls (default 'error'). */
  nonFinite?: NonFinitePolicy;
  /** Accept an input with no rows (default false: an empty input is a FormatError naming it). */
  allowEmpty?: boolean;
  /**
   * Arrow IPC files and Parquet, orientation 'rows': decode on a worker thread, `decodeAhead`
   * blocks ahead of the consumer (from-decode-worker.ts), so that decoding overlaps the consumer's
   * work. Default false in the library (a worker costs a thread and tens of ms to start); the CLI
   * turns it on for files when the machine has at least 2 cores. Other sources ignore it.
   */
  decodeWorker?: boolean;
  /** Blocks the decode worker may run ahead (default 2): in-flight memory is decodeAhead x block bytes. */
  decodeAhead?: number;
  /**
   * Read the next block while the current one is consumed (default true), for decoders that keep a
   * block valid one emission longer (.npy rotates two buffers); false saves one block buffer.
   */
  readAhead?: boolean;
}

export interface SourceOptions extends DecodeOptions, ComposeOptions {}

// The contract every source meets lives with the block types (streams/types.ts), so that sinks and
// spills that replay as sources need not import a source.
export { emptyStats, type MeasuredSource, type SourceStats } from '../types.js';

/** The decoder's share of the options (the rest is the composition's). */
export function decodeOptionsOf(opts: SourceOptions): DecodeOptions {
  const out: DecodeOptions = {};
  if (opts.blockRows !== undefined) out.blockRows = opts.blockRows;
  if (opts.columns !== undefined) out.columns = opts.columns;
  if (opts.exclude !== undefined) out.exclude = opts.exclude;
  if (opts.dtype !== undefined) out.dtype = opts.dtype;
  if (opts.listColumn !== undefined) out.listColumn = opts.listColumn;
  if (opts.idColumn !== undefined) out.idColumn = opts.idColumn;
  if (opts.maxMessageBytes !== undefined) out.maxMessageBytes = opts.maxMessageBytes;
  if (opts.memoryBudget !== undefined) out.memoryBudget = opts.memoryBudget;
  if (opts.connectTimeoutMs !== undefined) out.connectTimeoutMs = opts.connectTimeoutMs;
  if (opts.idleTimeoutMs !== undefined) out.idleTimeoutMs = opts.idleTimeoutMs;
  if (opts.firstRow !== undefined) out.firstRow = opts.firstRow;
  return out;
}

/** The library's message cap when neither `maxMessageBytes` nor `memoryBudget` is given. */
export const DEFAULT_MESSAGE_CAP = 256 * 1024 * 1024;

/**
 * The cap on one message / batch / page of an input (`maxMessageBytes` when given; else
 * max(16 MiB, the memory budget or 256 MiB, 64 rows of `rowBytes`)), and how to raise it.
 */
export function messageCap(opts: DecodeOptions, rowBytes = 0): { cap: number; hint: string } {
  if (opts.maxMessageBytes !== undefined) return { cap: opts.maxMessageBytes, hint: 'the cap --max-message sets' };
  return {
    cap: Math.max(16 * 1024 * 1024, opts.memoryBudget ?? DEFAULT_MESSAGE_CAP, 64 * rowBytes),
    hint: 'raise it with --max-message, or library option maxMessageBytes',
  };
}
