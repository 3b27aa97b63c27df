/**
 * `memorySpill` keeps the RangeSpill contract (types.ts) on its page-wise write: rows written twice
 * are summed, rows may come in any order and any block size (crossing 64-row pages, with a stride),
 * and the result equals a row-by-row reference sum, including +0 for a -0 written once.
 */
import { describe, expect, it } from 'vitest';
import { memorySpill } from '../src/sketch/memory-spill.js';

describe('memorySpill', () => {
  it('sums overlapping, out-of-order, strided writes exactly like a row-by-row reference', () => {
    const k = 5, ld = 7, m = 300;
    const ref = new Float64Array(m * k);
    const sp = memorySpill();
    let x = 3;
    const rnd = () => { x = (x * 1103515245 + 12345) % 2147483648; return x / 2147483648 - 0.5; };
    const writes: [number, number][] = [[200, 70], [0, 1], [63, 2], [5, 130], [250, 50], [100, 90], [64, 64], [299, 1]];
    for (const [r0, b] of writes) {
      const data = new Float64Array(3 + b * ld);
      for (let p = 0; p < data.length; p++) data[p] = rnd();
      data[3] = -0; // the first value of the block
      sp.write(r0, { rows: b, cols: k, data, offset: 3, stride: ld });
      for (let t = 0; t < b; t++) for (let j = 0; j < k; j++) ref[(r0 + t) * k + j] = ref[(r0 + t) * k + j] + data[3 + t * ld + j];
    }
    expect(sp.rows()).toBe(m);
    expect(sp.width()).toBe(k);
    const got = new Float64Array(m * k);
    let next = 0;
    sp.forEachBlock((r0, y) => {
      expect(r0).toBe(next);
      next = r0 + y.rows;
      for (let t = 0; t < y.rows; t++) for (let j = 0; j < k; j++) got[(r0 + t) * k + j] = y.data[y.offset + t * y.stride + j];
    });
    expect(next).toBe(m);
    expect(Array.from(got).map((v) => Object.is(v, -0) ? '-0' : v)).toEqual(Array.from(ref).map((v) => Object.is(v, -0) ? '-0' : v));
  });
});
