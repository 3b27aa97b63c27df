/**
 * Writes a factor as Arrow IPC, atomically (temp + rename), one batch at a time through a
 * synchronous byte sink (so memory holds one batch, not the file).
 *
 * - layout 'fixed-size-list' (default): one `FixedSizeList<Float32|Float64>[cols]` column named
 *   `name` (default 'row'); a file that `fromArrowFile` reads back zero-copy;
 * - layout 'wide': one Float column per matrix column, named `names[j]` or `c0, c1, ...`.
 * Format 'file' (default, `.arrow`) or 'stream' (`.arrows`). Batches of `batchRows` rows (default
 * 65536). `metadata` goes into the schema (e.g. rank, seed, method).
 */
import { writeSync } from 'node:fs';
import { RecordBatchFileWriter, RecordBatchStreamWriter } from 'apache-arrow';
import type { Matrix } from '../../src/internals.js';
import { createAtomicFile, type FileSet } from './atomic-file.js';
import { IpcByteSink } from './ipc-byte-sink.js';
import { matrixBatch } from './matrix-batch.js';

export interface WriteArrowOptions {
  layout?: 'fixed-size-list' | 'wide';
  format?: 'file' | 'stream';
  name?: string;
  names?: readonly string[];
  dtype?: 'float32' | 'float64';
  batchRows?: number;
  metadata?: Readonly<Record<string, string>>;
  /** Hand the finished file to this set instead of renaming it alone (output-set.ts). */
  set?: FileSet;
}

export async function writeArrowFactor(path: string, a: Matrix, opts: WriteArrowOptions = {}): Promise<void> {
  const dtype = opts.dtype ?? (a.data instanceof Float32Array ? 'float32' : 'float64');
  const builder = matrixBatch({
    layout: opts.layout ?? 'fixed-size-list', cols: a.cols, dtype,
    ...(opts.name !== undefined ? { name: opts.name } : {}),
    ...(opts.names !== undefined ? { names: opts.names } : {}),
    ...(opts.metadata !== undefined ? { metadata: opts.metadata } : {}),
  });
  const file = createAtomicFile(path, opts.set);
  try {
    const sink = new IpcByteSink((bytes) => {
      let off = 0;
      while (off < bytes.length) off += writeSync(file.fd, bytes, off, bytes.length - off);
    });
    const writer = opts.format === 'stream' ? new RecordBatchStreamWriter() : new RecordBatchFileWriter();
    writer.reset(sink as never, builder.schema);
    const b = Math.max(1, opts.batchRows ?? 65536);
    const n = a.cols;
    for (let r0 = 0; r0 < a.rows; r0 += b) {
      const rows = Math.min(b, a.rows - r0);
      // A fresh packed copy per batch: the writer has written it to disk when write() returns.
      const data = dtype === 'float32' ? new Float32Array(rows * n) : new Float64Array(rows * n);
      for (let i = 0; i < rows; i++) {
        const src = a.offset + (r0 + i) * a.stride;
        for (let j = 0; j < n; j++) data[i * n + j] = a.data[src + j]!;
      }
      writer.write(builder.batch(r0, rows, data));
    }
    writer.finish();
    file.commit();
  } catch (e) {
    file.abort();
    throw e;
  }
}
