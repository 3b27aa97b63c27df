/**
 * Dense row-major matrix views. Element (i, j) of a view lives at `data[offset + i * stride + j]`;
 * `stride >= cols` (the leading dimension). Views share storage: slicing rows or a column range
 * costs nothing, which is what lets kernels work on blocks without copies (stdlib dgemm style).
 */
export type Float = Float64Array | Float32Array;
export type DType = 'float64' | 'float32';

export interface Matrix<T extends Float = Float> {
  readonly rows: number;
  readonly cols: number;
  readonly data: T;
  readonly offset: number;
  readonly stride: number;
}

export type Matrix64 = Matrix<Float64Array>;
export type Matrix32 = Matrix<Float32Array>;

export function dtypeOf(a: Float): DType {
  return a instanceof Float32Array ? 'float32' : 'float64';
}

/** A new zero matrix (rows x cols), float64 unless asked. */
export function zeros(rows: number, cols: number): Matrix64;
export function zeros(rows: number, cols: number, dtype: 'float64'): Matrix64;
export function zeros(rows: number, cols: number, dtype: 'float32'): Matrix32;
export function zeros(rows: number, cols: number, dtype: DType = 'float64'): Matrix {
  const data = dtype === 'float32' ? new Float32Array(rows * cols) : new Float64Array(rows * cols);
  return { rows, cols, data, offset: 0, stride: cols };
}

/** Wrap a packed row-major array (no copy). */
export function fromArray<T extends Float>(data: T, rows: number, cols: number): Matrix<T> {
  if (data.length < rows * cols) {
    throw new RangeError(`fromArray: ${rows} x ${cols} needs ${rows * cols} values, found ${data.length}`);
  }
  return { rows, cols, data, offset: 0, stride: cols };
}

/** Build a float64 matrix from nested arrays (tests and small examples). */
export function fromRows(rows: ArrayLike<number>[]): Matrix64 {
  const m = rows.length;
  const n = m === 0 ? 0 : rows[0].length;
  const out = zeros(m, n);
  for (let i = 0; i < m; i++) {
    const r = rows[i];
    if (r.length !== n) throw new RangeError(`fromRows: row ${i} has ${r.length} values, expected ${n}`);
    for (let j = 0; j < n; j++) out.data[i * n + j] = r[j];
  }
  return out;
}

/** View of rows [r0, r0 + count) and columns [c0, c0 + ncols) (no copy). */
export function view<T extends Float>(a: Matrix<T>, r0: number, count: number, c0 = 0, ncols = a.cols - c0): Matrix<T> {
  return { rows: count, cols: ncols, data: a.data, offset: a.offset + r0 * a.stride + c0, stride: a.stride };
}

export function get(a: Matrix, i: number, j: number): number {
  return a.data[a.offset + i * a.stride + j];
}

export function set(a: Matrix, i: number, j: number, v: number): void {
  a.data[a.offset + i * a.stride + j] = v;
}

/** A packed float64 copy. */
export function clone(a: Matrix): Matrix64 {
  const out = zeros(a.rows, a.cols);
  for (let i = 0; i < a.rows; i++) {
    const src = a.offset + i * a.stride;
    for (let j = 0; j < a.cols; j++) out.data[i * a.cols + j] = a.data[src + j];
  }
  return out;
}

/** A packed float64 transpose. */
export function transpose(a: Matrix): Matrix64 {
  const out = zeros(a.cols, a.rows);
  for (let i = 0; i < a.rows; i++) {
    const src = a.offset + i * a.stride;
    for (let j = 0; j < a.cols; j++) out.data[j * a.rows + i] = a.data[src + j];
  }
  return out;
}

export function identity(n: number): Matrix64 {
  const out = zeros(n, n);
  for (let i = 0; i < n; i++) out.data[i * n + i] = 1;
  return out;
}

/** Frobenius norm, accumulated in float64 with scaling-free two-pass safety for typical ranges. */
export function frobeniusNorm(a: Matrix): number {
  let s = 0;
  for (let i = 0; i < a.rows; i++) {
    const o = a.offset + i * a.stride;
    for (let j = 0; j < a.cols; j++) { const v = a.data[o + j]; s += v * v; }
  }
  return Math.sqrt(s);
}
