/**
 * The range-sketch spill of docs/METHODS.md §6: rows `y_i` of Y = A Omega (m x k) are appended as they
 * arrive to an Arrow IPC file in a fresh temporary directory (`fs.mkdtempSync`), then read back in
 * one pass to form U = Y R^{-1} U_core, then deleted.
 *
 * Appends are synchronous (`fs.writeSync` under Arrow's IPC writer, through IpcByteSink): the
 * numeric side sees the spill only as the sink `{ write(rowStart, y) }` called inside a synchronous
 * `next`, and a synchronous write keeps the pull-based backpressure of the pipeline (nothing queues
 * in memory; the scratch buffer is reused because the bytes are on disk when `write` returns).
 *
 * Schema: `row: Float64` (global row index of each row; blocks may come in any order, e.g. from
 * shards) and `y: FixedSizeList<Float64|Float32>[k]`. `readBlocks()` replays the blocks in the order
 * they were written, zero-copy from each batch, with `rowStart` taken from the `row` column.
 *
 * Life cycle: `dispose()` removes the directory; it is idempotent and is also run at process exit
 * for spills still alive (an error path that forgets to dispose leaves nothing behind).
 */
import { closeSync, fsyncSync, ftruncateSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { createTempDir, untrack } from '../durable.js';
import { open as openFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { RecordBatchFileWriter, RecordBatchReader, RecordBatchStreamWriter, type Data, type RecordBatch, type Schema } from 'apache-arrow';
import { ArgumentError, FormatError, ShapeError } from '../../src/internals.js';
import type { Matrix } from '../../src/internals.js';
import { Observable } from 'rxjs';
import { pullBlocks } from '../pull-blocks.js';
import { emptyStats, type MeasuredSource, type RowBlock } from '../types.js';
import { IpcByteSink } from './ipc-byte-sink.js';
import { matrixBatch } from './matrix-batch.js';

/** The synchronous sink interface of the numeric side. */
export interface RowSink {
  write(rowStart: number, y: Matrix): void;
}

/** Matches `RangeSpill` of src/sketch/types.ts (write + bytes), so a Spill can be passed as one. */
export interface Spill extends RowSink {
  /** The temporary directory and the IPC file inside it. */
  readonly dir: string;
  readonly path: string;
  readonly cols: number;
  /** Rows written so far. */
  readonly rows: number;
  /** Bytes written to the file so far. */
  readonly bytesWritten: number;
  /** Bytes held in memory (RangeSpill of src/sketch: 0 for a spill on disk, scratch aside). */
  bytes(): number;
  /** Appends a packed block of `rows x cols` values starting at global row `rowStart`. */
  append(rowStart: number, rows: number, cols: number, data: Float32Array | Float64Array): void;
  /**
   * A durable spill (`SpillOptions.durable`): flushes the file to the device (fsync) and returns its
   * length and rows, the position a checkpoint records. Undefined for a temporary spill.
   */
  sync?(): { bytes: number; rows: number };
  /** Writes the footer; further writes are an error. Called by readBlocks() if needed. */
  finish(): void;
  /** The spilled blocks, in write order (replayable: each subscription re-reads the file). */
  readBlocks(): Observable<RowBlock>;
  /** The spill as a replayable BlockSource (rows renumbered in write order: for in-order spills). */
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
  /**
   * A durable spill for a checkpointed run: an Arrow IPC *stream* at `path` (no footer, so every
   * prefix that ends at a message is a readable stream), never removed by this module (the
   * checkpoint owns it; dispose only closes it), and `sync()` to make it durable up to the rows
   * written. With `resume`, the file is cut back to `bytes` (the tail written after the checkpoint
   * is dropped) and appended to: its first `rows` rows are the checkpoint's.
   */
  durable?: { path: string; resume?: { bytes: number; rows: number } };
}

export function createSpill(opts: SpillOptions): Spill {
  const { cols } = opts;
  if (!Number.isInteger(cols) || cols < 1) throw new ArgumentError(`createSpill: cols must be an integer >= 1, got ${cols}`);
  const dtype = opts.dtype ?? 'float64';
  // A fresh directory named after its owner (durable.ts): removed on dispose, at exit, on a signal,
  // and by the next run's stale sweep if this process is killed.
  const durable = opts.durable;
  const dir = durable === undefined ? createTempDir('rangefinder-spill', opts.tmpDir ?? tmpdir()) : dirname(durable.path);
  const path = durable === undefined ? join(dir, 'range-sketch.arrow') : durable.path;
  const resume = durable?.resume;
  const fd = openSync(path, resume !== undefined ? 'r+' : 'w');
  let fdOpen = true;
  let finished = false;
  let disposed = false;
  let rows = resume?.rows ?? 0;
  const builder = matrixBatch({ layout: 'fixed-size-list', cols, dtype, name: 'y', rowIndex: true });
  // Resuming: the writer starts with the schema message, which the file already holds: it is
  // compared with the file's first bytes (another schema is refused) and not written again.
  let skip = 0, pos = 0;
  if (resume !== undefined) {
    const head = streamHead(builder.schema);
    const got = new Uint8Array(head.length);
    const n = readSync(fd, got, 0, head.length, 0);
    if (n !== head.length || resume.bytes < head.length || Buffer.compare(Buffer.from(got), Buffer.from(head)) !== 0) {
      closeSync(fd);
      throw new FormatError(`${path}: the range-row spill does not start with the schema of this run (rows of ${cols} ${dtype} values): it belongs to another run`);
    }
    ftruncateSync(fd, resume.bytes);
    skip = head.length;
    pos = resume.bytes;
  }
  const sink = new IpcByteSink((bytes) => {
    let off = 0;
    if (skip > 0) { off = Math.min(skip, bytes.length); skip -= off; }
    if (durable === undefined) { while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off); return; }
    while (off < bytes.length) { const w = writeSync(fd, bytes, off, bytes.length - off, pos); off += w; pos += w; }
  });
  const writer = durable !== undefined ? new RecordBatchStreamWriter() : new RecordBatchFileWriter();
  writer.reset(sink as never, builder.schema);
  if (resume !== undefined) sink.bytesWritten = resume.bytes;
  let scratch: Float32Array | Float64Array = dtype === 'float32' ? new Float32Array(0) : new Float64Array(0);

  const checkOpen = (): void => {
    if (disposed) throw new ArgumentError(`spill ${path} was disposed`);
    if (finished) throw new ArgumentError(`spill ${path} is finished; it cannot take more rows`);
  };
  const closeFd = (): void => { if (fdOpen) { fdOpen = false; closeSync(fd); } };

  const spill: Spill = {
    dir, path, cols,
    get rows() { return rows; },
    get bytesWritten() { return sink.bytesWritten; },
    bytes: () => 0,
    append(rowStart, k, c, data) {
      checkOpen();
      if (c !== cols) throw new ShapeError(`spill: a block at row ${rowStart} has rows of ${c} values, expected ${cols}`);
      if (k === 0) return;
      const n = k * cols;
      let packed: Float32Array | Float64Array;
      if ((dtype === 'float32') === (data instanceof Float32Array)) packed = data.length === n ? data : data.subarray(0, n);
      else {
        if (scratch.length < n) scratch = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
        packed = scratch.subarray(0, n);
        packed.set(data.subarray(0, n));
      }
      writer.write(builder.batch(rowStart, k, packed));
      rows += k;
    },
    write(rowStart, y) {
      checkOpen();
      if (y.stride === y.cols && y.offset === 0) { spill.append(rowStart, y.rows, y.cols, y.data); return; }
      const n = y.rows * y.cols;
      if (scratch.length < n) scratch = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
      for (let i = 0; i < y.rows; i++) {
        const src = y.offset + i * y.stride;
        for (let j = 0; j < y.cols; j++) scratch[i * y.cols + j] = y.data[src + j];
      }
      spill.append(rowStart, y.rows, y.cols, scratch.subarray(0, n));
    },
    ...(durable !== undefined ? {
      sync() {
        if (fdOpen) fsyncSync(fd);
        return { bytes: sink.bytesWritten, rows };
      },
    } : {}),
    finish() {
      if (finished || disposed) return;
      finished = true;
      writer.finish();
      closeFd();
    },
    readBlocks() {
      return pullBlocks<RowBlock>(async (emit, signal) => {
        if (disposed) throw new ArgumentError(`spill ${path} was disposed`);
        spill.finish();
        const fh = await openFile(path, 'r');
        try {
          const reader = await RecordBatchReader.from(fh) as unknown as {
            open(): Promise<unknown>; numRecordBatches: number; readRecordBatch(i: number): Promise<RecordBatch | null>;
          };
          await reader.open();
          const emitBatch = (batch: RecordBatch): void => {
            const rowCol = batch.data.children[0] as Data;
            const y = batch.data.children[1] as Data;
            const child = y.children[0] as Data;
            const start = child.offset + y.offset * cols;
            const data = (child.values as Float32Array | Float64Array).subarray(start, start + batch.numRows * cols);
            emit({ rowStart: (rowCol.values as Float64Array)[rowCol.offset], rows: batch.numRows, cols, data });
          };
          if (durable !== undefined) {
            // An Arrow IPC stream: read in order (a stream has no footer to seek with).
            for await (const batch of reader as unknown as AsyncIterable<RecordBatch>) {
              if (signal.aborted) break;
              emitBatch(batch);
            }
          } else {
            for (let i = 0; i < reader.numRecordBatches && !signal.aborted; i++) {
              const batch = await reader.readRecordBatch(i);
              if (batch === null) throw new FormatError(`spill ${path}: record batch ${i} is missing`);
              emitBatch(batch);
            }
          }
        } finally {
          await fh.close();
        }
      });
    },
    source() {
      // The spill reads itself back (no source module involved): rows renumbered in write order.
      spill.finish();
      const stats = emptyStats();
      return {
        replayable: true,
        stats,
        info: async () => ({ rows, cols, dtype, layout: 'fixed-size-list', orientation: 'rows' as const, where: path }),
        open: () => new Observable<RowBlock>((sub) => {
          Object.assign(stats, emptyStats());
          let next = 0;
          return spill.readBlocks().subscribe({
            next: (b) => {
              stats.blocks++; stats.rowsRead += b.rows; stats.rowsEmitted += b.rows;
              sub.next({ rowStart: next, rows: b.rows, cols: b.cols, data: b.data });
              next += b.rows;
            },
            error: (e: unknown) => sub.error(e),
            complete: () => sub.complete(),
          });
        }),
      };
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      try { closeFd(); } finally {
        // A durable spill belongs to its checkpoint, which removes it.
        if (durable === undefined) {
          rmSync(dir, { recursive: true, force: true });
          untrack(dir);
        }
      }
    },
  };
  return spill;
}

/** The bytes an Arrow IPC stream writer emits for `schema` before the first batch. */
function streamHead(schema: Schema): Uint8Array {
  const parts: Uint8Array[] = [];
  const w = new RecordBatchStreamWriter();
  w.reset(new IpcByteSink((b) => { parts.push(b.slice()); }) as never, schema);
  return Buffer.concat(parts);
}
