/**
 * `transposed(rows, blockRows?)`: column orientation of a row-major source (the slow path of
 * ComposeOptions): rows of A^T are built by scanning the replayable row source of A once per block
 * of `blockRows` columns of A and gathering those columns. Memory: one (blockRows x m) block; the
 * default block targets 64 MiB so that a file of n columns costs ceil(n / blockRows) scans. An
 * input whose row count is not known up front (an Arrow IPC stream file) is counted by one extra
 * scan. Blocks are numbered by column of A (`rowStart` = first column); values pass through as
 * they are (the non-finite policy composes after the transposition, in column wording).
 */
import { Observable } from 'rxjs';
import { ArgumentError } from '../../src/internals.js';
import type { RowBlock, SourceInfo } from '../types.js';
import type { DecodedSource } from '../sources/decoder.js';
import { pullBlocks } from '../pull-blocks.js';

export const TRANSPOSE_BLOCK_BYTES = 64 * 1024 * 1024;

/** The refusal of orientation 'columns' for a one-shot input. */
export function oneShotColumnsError(): ArgumentError {
  return new ArgumentError(`orientation 'columns' needs a replayable source (one scan per block of columns); a one-shot stream cannot be transposed: send A^T instead`);
}

export function transposed(rowSource: DecodedSource, blockRows?: number): DecodedSource {
  if (!rowSource.replayable) throw oneShotColumnsError();
  const infoOf = async (): Promise<{ row: SourceInfo; info: SourceInfo; m: number; b: number }> => {
    const row = await rowSource.info();
    let m = row.rows;
    if (m === undefined) {
      // Row count unknown up front: count it with one extra scan.
      let count = 0;
      await scan(rowSource.open(), new AbortController().signal, (blk) => { count = Math.max(count, blk.rowStart + blk.rows); });
      m = count;
    }
    const isz = row.dtype === 'float32' ? 4 : 8;
    const b = Math.max(1, Math.min(row.cols, blockRows ?? Math.floor(TRANSPOSE_BLOCK_BYTES / Math.max(1, m * isz))));
    const info: SourceInfo = {
      ...row, rows: row.cols, cols: m, orientation: 'columns', batches: Math.ceil(row.cols / b),
    };
    return { row, info, m, b };
  };
  return {
    replayable: true,
    get where() { return rowSource.where; },
    info: async () => (await infoOf()).info,
    open: () => pullBlocks<RowBlock>(async (emit, signal) => {
      const { row, m, b } = await infoOf();
      const n = row.cols;
      if (m === 0) return;
      const buf = row.dtype === 'float32' ? new Float32Array(b * m) : new Float64Array(b * m);
      for (let c0 = 0; c0 < n && !signal.aborted; c0 += b) {
        const w = Math.min(b, n - c0);
        await scan(rowSource.open(), signal, (blk) => {
          for (let i = 0; i < blk.rows; i++) {
            const src = i * n + c0;
            const r = blk.rowStart + i;
            for (let j = 0; j < w; j++) buf[j * m + r] = blk.data[src + j];
          }
        });
        if (signal.aborted) break;
        emit({ rowStart: c0, rows: w, cols: m, data: buf.subarray(0, w * m) });
      }
    }),
  };
}

function scan(blocks: Observable<RowBlock>, signal: AbortSignal, each: (b: RowBlock) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => { sub.unsubscribe(); resolve(); };
    const sub = blocks.subscribe({
      next: each,
      error: (e: unknown) => { signal.removeEventListener('abort', onAbort); reject(e); },
      complete: () => { signal.removeEventListener('abort', onAbort); resolve(); },
    });
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
