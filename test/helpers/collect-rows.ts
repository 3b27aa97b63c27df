/** Test helper: reads a source to the end and returns its rows packed row-major as float64. */
import { lastValueFrom, toArray, map, type Observable } from 'rxjs';
import type { RowBlock } from '../../streams/types.js';

export interface Collected {
  rows: number;
  cols: number;
  data: Float64Array;
  blocks: number;
  blockRows: number[];
  dtypes: Set<string>;
}

export async function collectRows(blocks: Observable<RowBlock>): Promise<Collected> {
  const list = await lastValueFrom(blocks.pipe(
    // Copy inside next: a source may reuse its buffer after next returns.
    map((b) => ({ rowStart: b.rowStart, rows: b.rows, cols: b.cols, data: Float64Array.from(b.data.subarray(0, b.rows * b.cols)), dtype: b.data.constructor.name })),
    toArray(),
  ));
  const cols = list[0]?.cols ?? 0;
  const rows = list.reduce((a, b) => a + b.rows, 0);
  const data = new Float64Array(rows * cols);
  let expect = 0;
  for (const b of list) {
    if (b.rowStart !== expect) throw new Error(`block rowStart ${b.rowStart}, expected ${expect}`);
    data.set(b.data, b.rowStart * cols);
    expect += b.rows;
  }
  return { rows, cols, data, blocks: list.length, blockRows: list.map((b) => b.rows), dtypes: new Set(list.map((b) => b.dtype)) };
}

/** Deterministic test values (no Math.random): a smooth function of (i, j) plus a small hash. */
export function testValues(rows: number, cols: number, salt = 0): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const h = ((i * 73856093) ^ (j * 19349663) ^ (salt * 83492791)) >>> 0;
      out[i * cols + j] = Math.sin(0.1 * i + 0.7 * j + salt) + (h % 1000) / 1000 - 0.5;
    }
  }
  return out;
}
