/**
 * The row ids of `--id-column`, from the pass that reads them to the writing of U. U is written
 * after the input has been read (from the range spill, or a later pass), so the ids of the rows, in
 * the order they arrived (after `--non-finite skip` dropped rows with their ids), are kept on disk
 * beside the range spill, never in memory: a temporary file in a fresh spill directory
 * (durable.ts: removed after the run, at exit, on signals, and by the next run after a SIGKILL),
 * written as blocks arrive and read once, in order, by the U writer (`labels.take`).
 *
 * File layout: int64 ids as 8 little-endian bytes each; strings as a 4-byte little-endian length
 * and their UTF-8 bytes. Reads and writes go through 1 MiB buffers, synchronously (the U writer's
 * visitor is synchronous).
 */
import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Observable } from 'rxjs';
import { ShapeError } from '../../src/internals.js';
import { createTempDir, untrack } from '../durable.js';
import type { MeasuredSource } from '../sources/source-options.js';
import type { RowBlock, RowLabels } from '../types.js';
import type { FactorLabels } from './factor-labels.js';

const CHUNK = 1 << 20;

export interface IdSpill {
  /** The source, recording the ids its first pass emits. */
  readonly source: MeasuredSource;
  /** U's labels, read back from the file in row order. */
  readonly labels: FactorLabels;
  dispose(): void;
}

export function createIdSpill(source: MeasuredSource, column: { name: string; kind: 'int64' | 'string' }, where: string): IdSpill {
  let dir: string | undefined;
  let fd = -1;
  const buf = Buffer.alloc(CHUNK);
  let used = 0;
  let recorded = 0;
  let passes = 0;
  const flush = (): void => {
    let off = 0;
    while (off < used) off += writeSync(fd, buf, off, used - off);
    used = 0;
  };
  const put = (bytes: Uint8Array): void => {
    if (used + bytes.length > CHUNK) flush();
    if (bytes.length > CHUNK) { let off = 0; while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off); return; }
    buf.set(bytes, used);
    used += bytes.length;
  };
  const record = (b: RowBlock): void => {
    if (b.ids === undefined || b.ids.length < b.rows) throw new ShapeError(`${where}: the block at row ${b.rowStart} came without the ids of column "${column.name}"`);
    if (b.rowStart !== recorded) throw new ShapeError(`${where}: ids recorded up to row ${recorded}, then a block at row ${b.rowStart}`);
    if (fd < 0) {
      dir = createTempDir();
      fd = openSync(join(dir, 'ids.bin'), 'w+');
    }
    if (b.ids instanceof BigInt64Array) {
      const v = b.ids.subarray(0, b.rows);
      put(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    } else {
      for (let i = 0; i < b.rows; i++) {
        const s = Buffer.from(b.ids[i]!, 'utf8');
        const len = Buffer.alloc(4);
        len.writeUInt32LE(s.length, 0);
        put(len);
        put(s);
      }
    }
    recorded += b.rows;
  };

  const wrapped: MeasuredSource = {
    get replayable() { return source.replayable; },
    get stats() { return source.stats; },
    info: () => source.info(),
    open: () => {
      const first = passes++ === 0;
      if (!first) return source.open();
      return new Observable<RowBlock>((sub) => source.open().subscribe({
        next: (b) => {
          try { record(b); } catch (e) { sub.error(e); return; }
          sub.next(b);
        },
        error: (e: unknown) => sub.error(e),
        complete: () => sub.complete(),
      }));
    },
  };

  // Reading back: one pass, in order.
  let readPos = 0;
  let taken = 0;
  let window = Buffer.alloc(0);
  let winStart = 0;
  const bytesAt = (n: number): Buffer => {
    if (readPos + n > winStart + window.length) {
      const size = Math.max(CHUNK, n);
      window = Buffer.alloc(size);
      const got = readSync(fd, window, 0, size, readPos);
      window = window.subarray(0, got);
      winStart = readPos;
      if (got < n) throw new ShapeError(`${where}: the ids of column "${column.name}" end at row ${taken}; U has more rows`);
    }
    const out = window.subarray(readPos - winStart, readPos - winStart + n);
    readPos += n;
    return out;
  };
  const labels: FactorLabels = {
    column,
    side: 'ids',
    take(from: number, rows: number): RowLabels {
      if (from !== taken) throw new ShapeError(`${where}: ids are read in order; asked for row ${from}, next is ${taken}`);
      if (from + rows > recorded) throw new ShapeError(`${where}: ${recorded} ids were recorded, U asks for row ${from + rows - 1}`);
      if (used > 0) flush();
      taken += rows;
      if (column.kind === 'int64') {
        const bytes = bytesAt(rows * 8);
        const out = new BigInt64Array(rows);
        new Uint8Array(out.buffer).set(bytes);
        return out;
      }
      const out = new Array<string>(rows);
      for (let i = 0; i < rows; i++) {
        const len = bytesAt(4).readUInt32LE(0);
        out[i] = bytesAt(len).toString('utf8');
      }
      return out;
    },
  };
  return {
    source: wrapped,
    labels,
    dispose() {
      if (fd >= 0) { closeSync(fd); fd = -1; }
      if (dir !== undefined) { rmSync(dir, { recursive: true, force: true }); untrack(dir); dir = undefined; }
    },
  };
}
