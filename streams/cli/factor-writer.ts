/**
 * Where the CLI writes one factor of its output set (output-set.ts): `PREFIX.U.npy` (or `.arrow`,
 * `.parquet`) under a temporary name, handed to the set, which renames U, S, V and the summary
 * together once all are written.
 *
 * A tall factor arrives as row blocks (from the spill); for .npy they are streamed straight to disk
 * with `createNpyWriter` and never held whole. Arrow and Parquet factors are written by whole-matrix
 * sinks, so their rows are collected first (the JSON `notes` say so for large outputs).
 * Vectors (S, and the column mean of --center) are written as a 1-D .npy array, or as a one-column
 * table named `s` (`mean`).
 */
import type { Matrix, Matrix64 } from '../../src/internals.js';
import { zeros } from '../../src/internals.js';
import { createNpyWriter } from '../sinks/create-npy-writer.js';
import { writeNpy } from '../sinks/write-npy.js';
import type { OutFormat } from './approx-args.js';
import type { OutputSet } from './output-set.js';

export interface FactorWriter {
  readonly path: string;
  write(rowStart: number, block: Matrix): void;
  close(): Promise<void>;
  abort(): void;
}

export function createFactorWriter(set: OutputSet, name: string, rows: number, cols: number): FactorWriter {
  const path = set.pathOf(name);
  if (set.format === 'npy') {
    const w = createNpyWriter(path, { rows, cols, dtype: 'float64', set });
    return { path, write: (r0, b) => w.write(r0, b), close: () => w.close(), abort: () => w.abort() };
  }
  const all = zeros(rows, cols);
  return {
    path,
    write(r0, b) {
      for (let i = 0; i < b.rows; i++) {
        const src = b.offset + i * b.stride;
        for (let j = 0; j < cols; j++) all.data[(r0 + i) * cols + j] = b.data[src + j]!;
      }
    },
    close: () => writeWhole(set, path, set.format, all, name),
    abort: () => undefined,
  };
}

/** Writes a small factor (V, or a vector as an r x 1 matrix when `vector`) into the set. */
export async function writeFactor(set: OutputSet, name: string, a: Matrix64 | Float64Array): Promise<string> {
  const path = set.pathOf(name);
  const format = set.format;
  if (a instanceof Float64Array) {
    if (format === 'npy') await writeNpy(path, a, [a.length], { set });
    else await writeWhole(set, path, format, { rows: a.length, cols: 1, data: a, offset: 0, stride: 1 }, name, [name === 'S' ? 's' : name]);
  } else if (format === 'npy') {
    await writeNpy(path, a, undefined, { set });
  } else {
    await writeWhole(set, path, format, a, name);
  }
  return path;
}

/** Arrow and Parquet writers are imported only when a factor is written in their format (start-up). */
async function writeWhole(set: OutputSet, path: string, format: OutFormat, a: Matrix, name: string, names?: string[]): Promise<void> {
  const meta = { factor: name };
  if (format === 'arrow') {
    const { writeArrowFactor } = await import('../sinks/write-arrow-factor.js');
    return writeArrowFactor(path, a, names ? { layout: 'wide', names, metadata: meta, dtype: 'float64', set } : { metadata: meta, dtype: 'float64', set });
  }
  const { writeParquetFactor } = await import('../sinks/write-parquet-factor.js');
  return writeParquetFactor(path, a, { ...(names ? { names } : {}), metadata: meta, dtype: 'float64', set });
}
