/**
 * Reads back the factors the CLI wrote (`PREFIX.U.npy`, `.S.npy`, `.V.npy`, or Arrow) and measures
 * them: reconstruction error ||A - U diag(S) V^T||_F, orthonormality, and agreement with an exact SVD.
 */
import { readFileSync } from 'node:fs';
import { tableFromIPC } from 'apache-arrow';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import type { Matrix64 } from '../../src/matrix.js';
import { readNpy } from './npy.js';

export interface Factors { u: Matrix64; s: Float64Array; v: Matrix64 }

function asF64(a: { shape: number[]; data: Float32Array | Float64Array }): Matrix64 {
  const rows = a.shape[0]!, cols = a.shape.length > 1 ? a.shape[1]! : 1;
  return { rows, cols, data: Float64Array.from(a.data), offset: 0, stride: cols };
}

export function readFactors(prefix: string): Factors {
  const u = asF64(readNpy(`${prefix}.U.npy`));
  const s = Float64Array.from(readNpy(`${prefix}.S.npy`).data);
  const v = asF64(readNpy(`${prefix}.V.npy`));
  return { u, s, v };
}

/**
 * An Arrow factor written with --format arrow: the `row` FixedSizeList column (U, V), or the one
 * Float64 column of a vector (S), after the label column if there is one.
 */
export function readArrowFactor(path: string): Matrix64 {
  return readArrowTable(path).matrix;
}

/** An Arrow factor and its label column (the first column when it is not a float column). */
export function readArrowTable(path: string): { matrix: Matrix64; labels?: (string | bigint)[]; labelName?: string; schema: string[]; batches: number[] } {
  const t = tableFromIPC(readFileSync(path));
  const rows = t.numRows;
  const fields = t.schema.fields;
  const labelled = fields.length > 1 && !/^(FixedSizeList|Float)/.test(String(fields[0]!.type));
  const col = t.getChildAt(labelled ? 1 : 0)!;
  const schema = fields.map((f) => `${f.name}:${String(f.type)}`);
  const batches = t.batches.map((b) => b.numRows);
  const labels = labelled ? Array.from({ length: rows }, (_, i) => t.getChildAt(0)!.get(i) as string | bigint) : undefined;
  const extra = labelled ? { labels: labels!, labelName: fields[0]!.name } : {};
  const first = col.get(0) as unknown;
  if (typeof first === 'number') {
    const data = Float64Array.from({ length: rows }, (_, i) => col.get(i) as number);
    return { matrix: { rows, cols: 1, data, offset: 0, stride: 1 }, schema, batches, ...extra };
  }
  const cols = (first as { length: number }).length;
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const r = col.get(i) as ArrayLike<number>;
    for (let j = 0; j < cols; j++) data[i * cols + j] = (r as { get?(j: number): number }).get?.(j) ?? r[j]!;
  }
  return { matrix: { rows, cols, data, offset: 0, stride: cols }, schema, batches, ...extra };
}

/** A Parquet factor: its float columns as a matrix, its label column (the first, when not a float column), its row groups. */
export async function readParquetTable(path: string): Promise<{ matrix: Matrix64; labels?: (string | bigint)[]; labelName?: string; schema: string[]; rowGroups: number[] }> {
  const buf = readFileSync(path);
  const file = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  const md = parquetMetadata(file);
  const leaves = md.schema.slice(1);
  const labelled = leaves.length > 1 && leaves[0]!.type !== 'DOUBLE' && leaves[0]!.type !== 'FLOAT';
  const rows = await parquetReadObjects({ file });
  const names = leaves.slice(labelled ? 1 : 0).map((e) => e.name);
  const data = new Float64Array(rows.length * names.length);
  rows.forEach((r, i) => names.forEach((c, j) => { data[i * names.length + j] = Number(r[c]); }));
  const matrix = { rows: rows.length, cols: names.length, data, offset: 0, stride: names.length };
  const schema = leaves.map((e) => `${e.name}:${e.type}${e.converted_type !== undefined ? `(${e.converted_type})` : ''}`);
  const rowGroups = md.row_groups.map((g) => Number(g.num_rows));
  if (!labelled) return { matrix, schema, rowGroups };
  const labelName = leaves[0]!.name;
  return { matrix, labels: rows.map((r) => r[labelName] as string | bigint), labelName, schema, rowGroups };
}

/** The float columns of a Parquet factor as a matrix. */
export async function readParquetFactor(path: string): Promise<Matrix64> {
  return (await readParquetTable(path)).matrix;
}

export function frobenius(a: Matrix64): number {
  let t = 0;
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) t += a.data[a.offset + i * a.stride + j]! ** 2;
  return Math.sqrt(t);
}

/** ||A - U diag(s) V^T||_F. */
export function residual(a: Matrix64, f: Factors): number {
  const r = f.s.length, n = a.cols;
  let t = 0;
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < n; j++) {
    let x = a.data[a.offset + i * a.stride + j]!;
    for (let p = 0; p < r; p++) x -= f.u.data[i * f.u.stride + p]! * f.s[p]! * f.v.data[j * f.v.stride + p]!;
    t += x * x;
  }
  return Math.sqrt(t);
}

/** max |X^T X - I| over the entries. */
export function orthonormalityDefect(x: Matrix64): number {
  let worst = 0;
  for (let p = 0; p < x.cols; p++) for (let q = 0; q < x.cols; q++) {
    let d = 0;
    for (let i = 0; i < x.rows; i++) d += x.data[i * x.stride + p]! * x.data[i * x.stride + q]!;
    worst = Math.max(worst, Math.abs(d - (p === q ? 1 : 0)));
  }
  return worst;
}

/** Largest sine of the principal angles between span(X) and span(Y) (orthonormal, same rows). */
export function subspaceDistance(x: Matrix64, y: Matrix64): number {
  // || (I - Y Y^T) X ||_2 <= || (I - Y Y^T) X ||_F: report the Frobenius bound (conservative).
  const m = x.rows, p = x.cols, q = y.cols;
  let t = 0;
  for (let c = 0; c < p; c++) {
    const proj = new Float64Array(q);
    for (let k = 0; k < q; k++) for (let i = 0; i < m; i++) proj[k] += y.data[i * y.stride + k]! * x.data[i * x.stride + c]!;
    for (let i = 0; i < m; i++) {
      let r = x.data[i * x.stride + c]!;
      for (let k = 0; k < q; k++) r -= y.data[i * y.stride + k]! * proj[k]!;
      t += r * r;
    }
  }
  return Math.sqrt(t);
}

export function transposeOf(a: Matrix64): Matrix64 {
  const out = new Float64Array(a.rows * a.cols);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) out[j * a.rows + i] = a.data[a.offset + i * a.stride + j]!;
  return { rows: a.cols, cols: a.rows, data: out, offset: 0, stride: a.rows };
}
