/**
 * `selectRows` (a shard's rows, renumbered to their global numbers) over real files: the rows
 * [start, end) of a .npy file (read from `firstRow` by seeking, or from row 0 and dropped: the same
 * blocks' values) and of a Parquet file, numbered from `offset`; the pass stops at `end` (the rows
 * after it are not read); `info()` reports the selected rows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, map, toArray } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import { fromNpy } from '../streams/sources/from-npy.js';
import { fromParquet } from '../streams/sources/from-parquet.js';
import { selectRows } from '../streams/wrappers/select-rows.js';
import type { MeasuredSource } from '../streams/sources/source-options.js';
import { writeParquetMatrix } from './helpers/cli-harness.js';
import { testValues } from './helpers/collect-rows.js';
import { writeNpyReference } from './helpers/npy-reference.js';

const dir = mkdtempSync(join(tmpdir(), 'rf-select-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const M = 1000, N = 7;
const values = testValues(M, N, 3);

async function rowsOf(src: MeasuredSource): Promise<{ starts: number[]; data: number[] }> {
  const blocks = await lastValueFrom(src.open().pipe(map((b) => ({ r0: b.rowStart, data: Array.from(b.data.subarray(0, b.rows * b.cols)) })), toArray()));
  return { starts: blocks.map((b) => b.r0), data: blocks.flatMap((b) => b.data) };
}

describe('selectRows', () => {
  it('.npy: rows [start, end) at their global numbers, with and without seeking, and the pass stops at end', async () => {
    const path = join(dir, 'a.npy');
    writeNpyReference(path, values, M, N, 'float64', false);
    const want = Array.from(values.subarray(300 * N, 750 * N));
    for (const firstRow of [undefined, 300]) {
      const src = selectRows(fromNpy(path, { blockRows: 128, ...(firstRow !== undefined ? { firstRow } : {}) }), { start: 300, end: 750, offset: 5000 });
      expect((await src.info()).rows).toBe(450);
      const got = await rowsOf(src);
      expect(got.data).toEqual(want);
      expect(got.starts[0]).toBe(5000);
      // Rows read: up to the block that reaches 750, never the whole file; from 300 when seeking.
      expect(src.stats.rowsRead).toBeLessThan(M);
      if (firstRow !== undefined) expect(src.stats.rowsRead).toBe(128 * 4);
    }
  });

  it('Parquet: the same rows, numbered from the offset (default: start)', async () => {
    const path = join(dir, 'a.parquet');
    writeParquetMatrix(path, { rows: M, cols: N, data: values, offset: 0, stride: N }, [], 128);
    const got = await rowsOf(selectRows(fromParquet(path), { start: 100, end: 400 }));
    expect(got.data).toEqual(Array.from(values.subarray(100 * N, 400 * N)));
    expect(got.starts[0]).toBe(100);
  });
});
