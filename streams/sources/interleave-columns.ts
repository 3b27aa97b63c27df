/**
 * Packs columns into a row-major block: `out[i * n + j] = columns[j].values[columns[j].start + i]`.
 * Done in tiles of TILE rows so that the rows being written stay in cache (writing one whole column
 * at a time strides through the output and misses the cache on every value: 8x slower measured on a
 * 100,000 x 128 float32 table). Nulls (null / undefined in plain arrays) become NaN, bigints numbers.
 */
const TILE = 256;

export interface ColumnSlice {
  readonly values: ArrayLike<unknown>;
  /** Index of the block's first row in `values`. */
  readonly start: number;
}

export function interleaveColumns(columns: readonly ColumnSlice[], rows: number, out: Float32Array | Float64Array): void {
  const n = columns.length;
  for (let i0 = 0; i0 < rows; i0 += TILE) {
    const i1 = Math.min(rows, i0 + TILE);
    for (let j = 0; j < n; j++) {
      const { values, start } = columns[j];
      if (values instanceof Float32Array || values instanceof Float64Array || values instanceof Int32Array
        || values instanceof Int16Array || values instanceof Int8Array || values instanceof Uint8Array
        || values instanceof Uint16Array || values instanceof Uint32Array) {
        const v = values as Float64Array;
        for (let i = i0; i < i1; i++) out[i * n + j] = v[start + i];
      } else if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
        for (let i = i0; i < i1; i++) out[i * n + j] = Number(values[start + i]);
      } else {
        for (let i = i0; i < i1; i++) {
          const x = values[start + i];
          out[i * n + j] = x === null || x === undefined ? NaN : typeof x === 'number' ? x : Number(x);
        }
      }
    }
  }
}
