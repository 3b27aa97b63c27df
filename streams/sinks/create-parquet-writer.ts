/**
 * A factor written as a wide Parquet table while its rows arrive (factor-sink.ts): an optional
 * leading label column (INT64, or BYTE_ARRAY UTF8: row-labels.ts), then one FLOAT or DOUBLE column
 * per matrix column, named `names[j]` or `c0, c1, ...`, all REQUIRED. hyparquet-writer's
 * `ParquetWriter` takes row groups one `write()` at a time: rows are gathered column by column into
 * buffers of `batchRows` rows, and each full buffer becomes one row group, encoded and written to
 * the file (a writer over the file descriptor that flushes after every group), so memory holds one
 * row group (plus the encoder's copy of it), never the factor. Snappy unless `compressed: false`.
 * Atomic as every sink: a temporary file, committed by close(), removed by abort() or on error.
 * `fromParquet` reads it back.
 */
import { writeSync } from 'node:fs';
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import type { SchemaElement } from 'hyparquet';
import { ArgumentError, ShapeError } from '../../src/internals.js';
import type { Matrix } from '../../src/internals.js';
import { createAtomicFile } from './atomic-file.js';
import { checkBlock } from './create-arrow-writer.js';
import { defaultBatchRows, type FactorSink, type FactorSinkOptions } from './factor-sink.js';
import type { RowLabels } from './row-labels.js';

export interface ParquetSinkOptions extends FactorSinkOptions {
  names?: readonly string[];
  compressed?: boolean;
}

export function createParquetWriter(path: string, opts: ParquetSinkOptions): FactorSink {
  const { cols, dtype, label } = opts;
  const b = Math.max(1, opts.batchRows ?? defaultBatchRows(cols));
  const names = Array.from({ length: cols }, (_, j) => opts.names?.[j] ?? `c${j}`);
  if (label !== undefined) names.unshift(label.name);
  if (new Set(names).size !== names.length) throw new ArgumentError(`${path}: column names must be distinct, found ${names.join(', ')}`);
  const floatType = dtype === 'float32' ? 'FLOAT' as const : 'DOUBLE' as const;
  const schema: SchemaElement[] = [{ name: 'root', num_children: names.length }];
  if (label !== undefined) {
    schema.push(label.kind === 'int64'
      ? { name: label.name, type: 'INT64', repetition_type: 'REQUIRED' }
      : { name: label.name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' });
  }
  for (const name of names.slice(label !== undefined ? 1 : 0)) schema.push({ name, type: floatType, repetition_type: 'REQUIRED' });
  const columns = Array.from({ length: cols }, () => (dtype === 'float32' ? new Float32Array(b) : new Float64Array(b)));
  const ints = label?.kind === 'int64' ? new BigInt64Array(b) : undefined;
  const texts: string[] = [];
  const file = createAtomicFile(path, opts.set);
  let pq: ParquetWriter;
  try {
    pq = new ParquetWriter({
      writer: fdWriter(file.fd), schema, codec: opts.compressed === false ? 'UNCOMPRESSED' : 'SNAPPY',
      kvMetadata: Object.entries(opts.metadata ?? {}).map(([key, value]) => ({ key, value })), createdBy: 'rangefinder',
    });
  } catch (e) { file.abort(); throw e; }
  let held = 0, written = 0, peak = 0;
  const flush = (): void => {
    if (held === 0) return;
    const data = columns.map((c) => c.subarray(0, held));
    const columnData = [
      ...(label !== undefined ? [{ name: label.name, data: ints !== undefined ? ints.subarray(0, held) : texts.slice(0, held) }] : []),
      ...data.map((d, j) => ({ name: names[j + (label !== undefined ? 1 : 0)]!, data: d })),
    ];
    // The fd writer is synchronous: write() returns after the group is on disk (no Promise).
    void pq.write({ columnData, rowGroupSize: held });
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
      for (let i0 = 0; i0 < y.rows;) {
        const k = Math.min(b - held, y.rows - i0);
        for (let j = 0; j < cols; j++) {
          const col = columns[j]!;
          for (let i = 0; i < k; i++) col[held + i] = y.data[y.offset + (i0 + i) * y.stride + j]!;
        }
        if (ints !== undefined) ints.set((labels as BigInt64Array).subarray(i0, i0 + k), held);
        else if (label !== undefined) for (let i = 0; i < k; i++) texts.push((labels as readonly string[])[i0 + i]!);
        held += k;
        written += k;
        i0 += k;
        if (held > peak) peak = held;
        if (held === b) flush();
      }
    }),
    close: async () => guard(() => {
      flush();
      if (opts.rows !== undefined && written !== opts.rows) {
        throw new ShapeError(`${path}: ${written} rows were written, expected ${opts.rows}; the file was not created`);
      }
      void pq.finish();
      file.commit();
    }),
    abort: () => file.abort(),
  };
}

/**
 * hyparquet-writer's byte writer over a file descriptor: its buffer is written out with
 * `fs.writeSync` after every row group (`flush`, which ParquetWriter calls) and whenever it holds
 * more than 1 MiB (`ensure`), so it never holds more than one encoded column chunk and a MiB.
 */
function fdWriter(fd: number): ByteWriter {
  const w = new ByteWriter();
  const grow = w.ensure.bind(w);
  const flush = (): void => {
    const bytes = new Uint8Array(w.buffer, 0, w.index);
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    w.index = 0;
  };
  w.ensure = (size: number): void => {
    if (w.index > 1 << 20) flush();
    grow(size);
  };
  (w as ByteWriter & { flush(): void }).flush = flush;
  w.finish = flush;
  return w;
}
