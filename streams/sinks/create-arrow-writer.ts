/**
 * A factor written as Arrow IPC while its rows arrive (factor-sink.ts): rows are copied into one
 * buffer of `batchRows` rows, which becomes a record batch and goes to disk through a synchronous
 * byte sink (ipc-byte-sink.ts) when it is full, so memory holds one batch, never the factor.
 * Atomic: a temporary file, renamed (or handed to its set) by close(), removed by abort() or on error.
 *
 * - layout 'fixed-size-list' (default): one `FixedSizeList<Float32|Float64>[cols]` column named
 *   `name` (default 'row'); a file that `fromArrowFile` reads back zero-copy;
 * - layout 'wide': one Float column per matrix column, named `names[j]` or `c0, c1, ...`;
 * - `label`: a leading Int64 or Utf8 column naming each row (row-labels.ts).
 * Format 'file' (default, `.arrow`) or 'stream' (`.arrows`). `metadata` goes into the schema.
 */
import { writeSync } from 'node:fs';
import { RecordBatchFileWriter, RecordBatchStreamWriter } from 'apache-arrow';
import { ArgumentError, ShapeError } from '../../src/internals.js';
import type { Matrix } from '../../src/internals.js';
import { createAtomicFile } from './atomic-file.js';
import { defaultBatchRows, type FactorSink, type FactorSinkOptions } from './factor-sink.js';
import { IpcByteSink } from './ipc-byte-sink.js';
import { matrixBatch } from './matrix-batch.js';
import type { RowLabels } from './row-labels.js';

export interface ArrowSinkOptions extends FactorSinkOptions {
  layout?: 'fixed-size-list' | 'wide';
  format?: 'file' | 'stream';
  name?: string;
  names?: readonly string[];
}

export function createArrowWriter(path: string, opts: ArrowSinkOptions): FactorSink {
  const { cols, dtype, label } = opts;
  const b = Math.max(1, opts.batchRows ?? defaultBatchRows(cols));
  const builder = matrixBatch({
    layout: opts.layout ?? 'fixed-size-list', cols, dtype,
    ...(opts.name !== undefined ? { name: opts.name } : {}),
    ...(opts.names !== undefined ? { names: opts.names } : {}),
    ...(label !== undefined ? { label } : {}),
    ...(opts.metadata !== undefined ? { metadata: opts.metadata } : {}),
  });
  const file = createAtomicFile(path, opts.set);
  const buf = dtype === 'float32' ? new Float32Array(b * cols) : new Float64Array(b * cols);
  const ints = label?.kind === 'int64' ? new BigInt64Array(b) : undefined;
  const texts: string[] = [];
  let held = 0, written = 0, peak = 0;
  let writer: RecordBatchFileWriter | RecordBatchStreamWriter;
  try {
    const sink = new IpcByteSink((bytes) => {
      let off = 0;
      while (off < bytes.length) off += writeSync(file.fd, bytes, off, bytes.length - off);
    });
    writer = opts.format === 'stream' ? new RecordBatchStreamWriter() : new RecordBatchFileWriter();
    writer.reset(sink as never, builder.schema);
  } catch (e) { file.abort(); throw e; }
  const flush = (): void => {
    if (held === 0) return;
    writer.write(builder.batch(written - held, held, buf.subarray(0, held * cols), ints ?? texts));
    held = 0;
    texts.length = 0;
  };
  const guard = <T>(fn: () => T): T => {
    try { return fn(); } catch (e) { file.abort(); throw e; }
  };
  return {
    path,
    get rowsWritten() { return written; },
    get peakBufferedRows() { return peak; },
    write: (rowStart: number, y: Matrix, labels?: RowLabels) => guard(() => {
      checkBlock(path, rowStart, written, y, cols, opts.rows, label !== undefined, labels);
      for (let i = 0; i < y.rows; i++) {
        const src = y.offset + i * y.stride;
        const dst = held * cols;
        for (let j = 0; j < cols; j++) buf[dst + j] = y.data[src + j]!;
        if (ints !== undefined) ints[held] = (labels as BigInt64Array)[i]!;
        else if (label !== undefined) texts.push((labels as readonly string[])[i]!);
        held++;
        written++;
        if (held > peak) peak = held;
        if (held === b) flush();
      }
    }),
    close: async () => guard(() => {
      flush();
      if (opts.rows !== undefined && written !== opts.rows) {
        throw new ShapeError(`${path}: ${written} rows were written, expected ${opts.rows}; the file was not created`);
      }
      writer.finish();
      file.commit();
    }),
    abort: () => file.abort(),
  };
}

/** Rows arrive in order, with the sink's width, within the declared count, with one label each. */
export function checkBlock(
  path: string, rowStart: number, written: number, y: Matrix, cols: number, rows: number | undefined, labelled: boolean, labels: RowLabels | undefined,
): void {
  if (rowStart !== written) throw new ArgumentError(`${path}: rows must arrive in order; got a block at row ${rowStart}, expected row ${written}`);
  if (y.cols !== cols) throw new ShapeError(`${path}: a block at row ${rowStart} has rows of ${y.cols} values, expected ${cols}`);
  if (rows !== undefined && written + y.rows > rows) throw new ShapeError(`${path}: a block at row ${rowStart} brings the row count to ${written + y.rows}, more than the ${rows} expected`);
  if (labelled && (labels === undefined || labels.length < y.rows)) throw new ArgumentError(`${path}: a block at row ${rowStart} of ${y.rows} rows came with ${labels?.length ?? 0} labels`);
}
