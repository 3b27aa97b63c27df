/**
 * WORKAROUND (marked; delete when streams/sinks/create-npy-writer.ts and write-npy.ts are
 * implemented, they are stubs that throw 'not implemented yet'): a minimal streaming .npy writer
 * with the same contract: float64, C order, header with the final shape first, rows appended in
 * order with `fs.writeSync` to `<path>.<pid>.tmp`, `close()` checks the row count and renames,
 * `abort()` removes the temporary file.
 */
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import type { Matrix } from '../../src/matrix.js';
import { ArgumentError } from '../../src/errors.js';

export interface FallbackNpyWriter {
  readonly path: string;
  write(rowStart: number, y: Matrix): void;
  close(): Promise<void>;
  abort(): void;
}

let serial = 0;

export function fallbackNpyWriter(path: string, shape: readonly number[]): FallbackNpyWriter {
  const rows = shape[0]!;
  const cols = shape.length > 1 ? shape[1]! : 1;
  const tmp = `${path}.${process.pid}.${serial++}.tmp`;
  const shapeText = shape.length === 1 ? `(${rows},)` : `(${rows}, ${cols})`;
  let dict = `{'descr': '<f8', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const total = Math.ceil((10 + dict.length + 1) / 64) * 64;
  dict = `${dict.padEnd(total - 11, ' ')}\n`;
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1; head[7] = 0;
  head.writeUInt16LE(dict.length, 8);
  let fd: number | null = openSync(tmp, 'w');
  writeSync(fd, Buffer.concat([head, Buffer.from(dict, 'latin1')]));
  let written = 0;
  const abort = (): void => {
    if (fd !== null) { closeSync(fd); fd = null; }
    rmSync(tmp, { force: true });
  };
  return {
    path,
    write(rowStart, y) {
      if (fd === null) throw new ArgumentError(`${path}: write after close`);
      if (rowStart !== written) throw new ArgumentError(`${path}: rows must arrive in order: expected row ${written}, found ${rowStart}`);
      const buf = new Float64Array(y.rows * cols);
      for (let i = 0; i < y.rows; i++) for (let j = 0; j < cols; j++) buf[i * cols + j] = y.data[y.offset + i * y.stride + j]!;
      writeSync(fd, new Uint8Array(buf.buffer));
      written += y.rows;
    },
    async close() {
      if (written !== rows) { abort(); throw new ArgumentError(`${path}: ${written} rows written, expected ${rows}`); }
      closeSync(fd!); fd = null;
      renameSync(tmp, path);
    },
    abort,
  };
}
