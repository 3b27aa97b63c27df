/**
 * Where the CLI writes one factor of its output set (output-set.ts): `PREFIX.U.npy` (or `.arrow`,
 * `.parquet`) under a temporary name, handed to the set, which renames every file together once
 * all are written. The layouts (README "Outputs"):
 *
 * - `.npy`: U (m x r) and V (n x r) as 2-D arrays of the set's dtype (--dtype), S as a 1-D float64
 *   array; row labels in side files: int64 ids in `PREFIX.ids.npy` (1-D `<i8`), names in
 *   `PREFIX.features.json` (a JSON array);
 * - Arrow IPC: the label column if any (the id column's name, or `feature`), then one
 *   `FixedSizeList<Float32|Float64>[r]` column `row`; S a Float64 column `s`;
 * - Parquet: the label column if any, then FLOAT or DOUBLE columns `c0 .. c{r-1}`; S a DOUBLE
 *   column `s`.
 *
 * A tall factor arrives as row blocks (from the spill) and every format writes it as it comes: .npy
 * appends rows, Arrow and Parquet hold one record batch / row group (factor-sink.ts). Vectors (S,
 * the column mean `mean` of --center: a 1-D .npy array, or a one-column table named `s`, `mean`) stay float64: they are r or n numbers, and singular values
 * keep their precision whatever --dtype says.
 */
import { writeSync } from 'node:fs';
import type { Matrix, Matrix64 } from '../../src/internals.js';
import { ShapeError } from '../../src/internals.js';
import { createAtomicFile } from '../sinks/atomic-file.js';
import { createNpyWriter, npyHeader } from '../sinks/create-npy-writer.js';
import type { FactorSink } from '../sinks/factor-sink.js';
import type { RowLabels } from '../sinks/row-labels.js';
import type { FactorLabels } from './factor-labels.js';
import type { OutputSet } from './output-set.js';

export type FactorWriter = Pick<FactorSink, 'path' | 'close' | 'abort'> & {
  /** Rows of the factor from `rowStart` (in order); their labels are taken from the set's. */
  write(rowStart: number, block: Matrix): void;
};

/** A writer for the factor `name` (rows x cols) in the set's format and dtype, with the set's labels for it. */
export function createFactorWriter(set: OutputSet, name: string, rows: number, cols: number): Promise<FactorWriter> {
  return openFactor(set, name, rows, cols, { dtype: set.dtype, labels: set.labels.get(name) });
}

export interface WriteFactorOptions {
  /** Labels of the rows (default: the set's labels for `name`). */
  labels?: FactorLabels;
}

/**
 * Writes a small factor whole: a matrix (V, the wide U) in the set's dtype, or a vector (S, ...) in
 * float64: a 1-D .npy array, or a one-column table whose column is the name in lower case (`s`).
 */
export async function writeFactor(set: OutputSet, name: string, a: Matrix64 | Float64Array, opts: WriteFactorOptions = {}): Promise<string> {
  const labels = opts.labels ?? set.labels.get(name);
  const vector = a instanceof Float64Array;
  const m: Matrix = vector ? { rows: a.length, cols: 1, data: a, offset: 0, stride: 1 } : a;
  const w = await openFactor(set, name, m.rows, m.cols, { dtype: vector ? 'float64' : set.dtype, labels, vector });
  try {
    if (m.rows > 0) w.write(0, m);
    await w.close();
  } catch (e) { w.abort(); throw e; }
  return w.path;
}

interface OpenOptions { dtype: 'float32' | 'float64'; labels: FactorLabels | undefined; vector?: boolean }

async function openFactor(set: OutputSet, name: string, rows: number, cols: number, o: OpenOptions): Promise<FactorWriter> {
  const path = set.pathOf(name);
  const labels = o.labels;
  let sink: FactorSink | ReturnType<typeof createNpyWriter>;
  const common = { rows, cols, dtype: o.dtype, set };
  const column = labels !== undefined ? { label: labels.column } : {};
  const meta = { metadata: { factor: name, dtype: o.dtype } };
  // Arrow and Parquet writers are imported only when a factor is written in their format (start-up).
  if (set.format === 'arrow') {
    const { createArrowWriter } = await import('../sinks/create-arrow-writer.js');
    sink = createArrowWriter(path, { ...common, ...column, ...meta, ...(o.vector === true ? { layout: 'wide' as const, names: [name.toLowerCase()] } : {}) });
  } else if (set.format === 'parquet') {
    const { createParquetWriter } = await import('../sinks/create-parquet-writer.js');
    sink = createParquetWriter(path, { ...common, ...column, ...meta, ...(o.vector === true ? { names: [name.toLowerCase()] } : {}) });
  } else {
    sink = createNpyWriter(path, { ...common, ...(o.vector === true ? { vector: true } : {}) });
  }
  const table = set.format !== 'npy';
  let side: SideWriter | undefined;
  try { side = labels !== undefined && !table ? openSide(set, labels, rows) : undefined; } catch (e) { sink.abort(); throw e; }
  const abort = (): void => { sink.abort(); side?.abort(); };
  return {
    path,
    write(r0, b) {
      try {
        const l = labels?.take(r0, b.rows);
        if (table) (sink as FactorSink).write(r0, b, l);
        else { sink.write(r0, b); if (l !== undefined) side?.write(l); }
      } catch (e) { abort(); throw e; }
    },
    async close() {
      try { await sink.close(); side?.close(); } catch (e) { abort(); throw e; }
    },
    abort,
  };
}

interface SideWriter { write(labels: RowLabels): void; close(): void; abort(): void }
/** The labels of a .npy factor: `PREFIX.<side>.npy` (int64, 1-D) or `PREFIX.<side>.json` (strings). */
function openSide(set: OutputSet, labels: FactorLabels, rows: number): SideWriter {
  if (labels.column.kind === 'int64') {
    const path = set.pathOf(labels.side, 'npy');
    const file = createAtomicFile(path, set);
    let written = 0;
    const put = (bytes: Uint8Array): void => {
      let off = 0;
      while (off < bytes.length) off += writeSync(file.fd, bytes, off, bytes.length - off);
    };
    try { put(npyHeader([rows], 'int64')); } catch (e) { file.abort(); throw e; }
    return {
      write(l) {
        const v = l as BigInt64Array;
        put(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
        written += v.length;
      },
      close() {
        if (written !== rows) throw new ShapeError(`${path}: ${written} labels were written, expected ${rows}`);
        file.commit();
      },
      abort: () => file.abort(),
    };
  }
  const path = set.pathOf(labels.side, 'json');
  const all: string[] = [];
  let file: ReturnType<typeof createAtomicFile> | undefined;
  return {
    write(l) { for (const x of l as readonly string[]) all.push(x); },
    close() {
      if (all.length !== rows) throw new ShapeError(`${path}: ${all.length} labels were written, expected ${rows}`);
      file = createAtomicFile(path, set);
      const bytes = Buffer.from(`${JSON.stringify(all)}\n`);
      let off = 0;
      while (off < bytes.length) off += writeSync(file.fd, bytes, off, bytes.length - off);
      file.commit();
    },
    abort: () => file?.abort(),
  };
}
