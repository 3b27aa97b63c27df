import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import { fromNpy } from '../streams/sources/from-npy.js';
import { FormatError, NonFiniteError } from '../src/errors.js';
import { collectRows, testValues } from './helpers/collect-rows.js';
import { readNpyReference, writeNpyReference } from './helpers/npy-reference.js';
import { realMatrix } from './helpers/shared-data.js';
import { openFilePaths, waitUntil } from './helpers/open-fds.js';

const dir = mkdtempSync(join(tmpdir(), 'rf-npy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function transpose(a: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
  return t;
}

describe('fromNpy', () => {
  const m = 37, n = 11;
  const a = testValues(m, n);
  for (const dtype of ['float32', 'float64'] as const) {
    for (const fortran of [false, true]) {
      const name = `${dtype}-${fortran ? 'F' : 'C'}`;
      const path = join(dir, `${name}.npy`);
      writeNpyReference(path, a, m, n, dtype, fortran);
      const expected = dtype === 'float32' ? Float64Array.from(Float32Array.from(a)) : a;

      it(`reads ${name} as rows, in blocks, with the file's dtype`, async () => {
        const src = fromNpy(path, { blockRows: 8 });
        const info = await src.info();
        expect(info).toMatchObject({ rows: m, cols: n, dtype, layout: fortran ? 'npy-fortran' : 'npy-c', batches: 5 });
        const got = await collectRows(src.open());
        expect(got.blockRows).toEqual([8, 8, 8, 8, 5]);
        expect(got.dtypes).toEqual(new Set([dtype === 'float32' ? 'Float32Array' : 'Float64Array']));
        expect(Array.from(got.data)).toEqual(Array.from(expected));
        expect(src.stats).toMatchObject({ blocks: 5, rowsRead: m, rowsEmitted: m, rowsSkipped: 0 });
      });

      it(`reads ${name} as columns (rows of A^T)`, async () => {
        const src = fromNpy(path, { blockRows: 4, orientation: 'columns' });
        expect(await src.info()).toMatchObject({ rows: n, cols: m, orientation: 'columns' });
        const got = await collectRows(src.open());
        expect(got.rows).toBe(n);
        expect(Array.from(got.data)).toEqual(Array.from(transpose(expected, m, n)));
      });
    }
  }

  it('gathers long lines with one positioned read per line (Fortran order, rows; C order, columns)', async () => {
    const rows = 5000, cols = 3;
    const b = testValues(rows, cols, 9);
    const path = join(dir, 'long-F.npy');
    writeNpyReference(path, b, rows, cols, 'float64', true);
    const got = await collectRows(fromNpy(path, { blockRows: 2500 }).open());
    expect(got.blockRows).toEqual([2500, 2500]);
    expect(got.data).toEqual(b);
    const pathC = join(dir, 'long-C.npy');
    writeNpyReference(pathC, b, rows, cols, 'float64', false);
    const t = await collectRows(fromNpy(pathC, { orientation: 'columns' }).open());
    expect([t.rows, t.cols, t.blocks]).toEqual([cols, rows, 1]);
    expect(t.data).toEqual(transpose(b, rows, cols));
  });

  it('reads format 2.0 headers and converts dtype on request', async () => {
    const path = join(dir, 'v2.npy');
    writeNpyReference(path, a, m, n, 'float64', false, 2);
    const got = await collectRows(fromNpy(path, { dtype: 'float32' }).open());
    expect(got.dtypes).toEqual(new Set(['Float32Array']));
    expect(Array.from(got.data)).toEqual(Array.from(Float32Array.from(a)));
  });

  it('matches a second reader on the real matrices', async () => {
    for (const f of ['sklearn_digits.npy', 'hm_faceres_deep_feats.npy']) {
      const path = realMatrix(f)!;
      const ref = readNpyReference(path);
      const got = await collectRows(fromNpy(path, { blockRows: 100 }).open());
      expect([got.rows, got.cols]).toEqual([ref.rows, ref.cols]);
      expect(got.data).toEqual(ref.data);
    }
  });

  it('refuses a truncated file before emitting, naming the file and the row where data ends', async () => {
    const path = join(dir, 'trunc.npy');
    writeNpyReference(path, a, m, n, 'float64', false);
    truncateSync(path, statSync(path).size - 8 * n * 3 - 5);
    const err = await lastValueFrom(fromNpy(path).open()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FormatError);
    expect((err as Error).message).toContain(path);
    expect((err as Error).message).toMatch(/truncated.*37 x 11 float64.*data ends in row 33/);
    await expect(fromNpy(path).info()).rejects.toThrow(/truncated/);
  });

  it('refuses files that are not float .npy with a clear message', async () => {
    const notNpy = join(dir, 'x.npy');
    writeFileSync(notNpy, 'hello world, not numpy');
    await expect(fromNpy(notNpy).info()).rejects.toThrow(/not a \.npy file.*magic/);
    // Integer and big-endian types are read (as numpy reads them: test/npy-header-oracle.test.ts);
    // complex, bool, strings and objects are refused naming the type.
    const cplx = join(dir, 'complex.npy');
    writeNpyReference(cplx, a, m, n, 'float64', false);
    const buf = readFileSync(cplx);
    buf.write("'<c8'", buf.indexOf("'<f8'"), 'latin1');
    writeFileSync(cplx, buf);
    await expect(fromNpy(cplx).info()).rejects.toThrow(/dtype '<c8' is not supported/);
    const empty = join(dir, 'empty.npy');
    writeFileSync(empty, '');
    await expect(fromNpy(empty).info()).rejects.toThrow(FormatError);
  });

  it('handles NaN and Inf: error (default), skip, zero, with counts', async () => {
    const b = a.slice();
    b[4 * n + 9] = NaN;
    b[17 * n + 0] = Infinity;
    b[17 * n + 3] = -Infinity;
    const path = join(dir, 'nan.npy');
    writeNpyReference(path, b, m, n, 'float64', false);
    const err = await lastValueFrom(fromNpy(path, { blockRows: 8 }).open()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NonFiniteError);
    expect((err as Error).message).toBe(`row 4: value at column 9 is NaN (or null) (in ${path})`);
    // The second bad row is in block 3: its global index is reported, not the in-block one.
    const c = a.slice(); c[17 * n + 3] = -Infinity;
    writeNpyReference(path, c, m, n, 'float64', false);
    await expect(lastValueFrom(fromNpy(path, { blockRows: 8 }).open())).rejects.toThrow(/^row 17: value at column 3 is -Infinity/);

    writeNpyReference(path, b, m, n, 'float64', false);
    const skip = fromNpy(path, { blockRows: 8, nonFinite: 'skip' });
    const s = await collectRows(skip.open());
    expect(s.rows).toBe(m - 2);
    expect(skip.stats).toMatchObject({ rowsRead: m, rowsEmitted: m - 2, rowsSkipped: 2 });
    expect(Array.from(s.data.subarray(4 * n, 5 * n))).toEqual(Array.from(a.subarray(5 * n, 6 * n)));
    const zero = fromNpy(path, { nonFinite: 'zero' });
    const z = await collectRows(zero.open());
    expect(z.rows).toBe(m);
    expect(z.data[4 * n + 9]).toBe(0);
    expect(z.data[17 * n + 3]).toBe(0);
    expect(zero.stats).toMatchObject({ rowsZeroed: 2, valuesZeroed: 3 });
  });

  it('an empty matrix, or one whose rows were all skipped, is an error naming the file (unless allowEmpty)', async () => {
    const path = join(dir, 'zero.npy');
    writeNpyReference(path, new Float64Array(0), 0, 5, 'float64', false);
    await expect(lastValueFrom(fromNpy(path).open())).rejects.toThrow(new FormatError(`${path} has no rows: expected at least one row (pass allowEmpty to accept an empty matrix)`));
    const ok = await lastValueFrom(fromNpy(path, { allowEmpty: true }).open().pipe(toArray()));
    expect(ok).toEqual([]);
    const nan = join(dir, 'all-nan.npy');
    writeNpyReference(nan, new Float64Array(6).fill(NaN), 3, 2, 'float64', false);
    await expect(lastValueFrom(fromNpy(nan, { nonFinite: 'skip' }).open())).rejects.toThrow(`${nan}: all 3 rows had NaN, Inf or null values and were skipped; expected at least one row`);
  });

  it('is replayable: each open() reads the same rows again', async () => {
    const path = join(dir, 'float64-C.npy');
    const src = fromNpy(path, { blockRows: 10 });
    const one = await collectRows(src.open());
    const two = await collectRows(src.open());
    expect(src.replayable).toBe(true);
    expect(two.data).toEqual(one.data);
  });

  it('closes the file when the consumer unsubscribes early', async () => {
    const path = realMatrix('ppocr_rec_conv180.npy')!;
    const before = openFilePaths().filter((p) => p === path).length;
    const first = await firstValueFrom(fromNpy(path, { blockRows: 16 }).open().pipe(take(2), toArray()));
    expect(first).toHaveLength(2);
    expect(await waitUntil(() => openFilePaths().filter((p) => p === path).length === before)).toBe(true);
  });
});
