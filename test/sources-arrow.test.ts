import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import {
  Field, Float32, Float64, List, Utf8, RecordBatchFileWriter, Table, tableFromArrays, tableToIPC, vectorFromArray,
} from 'apache-arrow';
import { firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import { ArgumentError, FormatError, NonFiniteError, ShapeError, SourceError } from '../src/errors.js';
import { createSpill } from '../streams/sinks/create-spill.js';
import { matrixBatch } from '../streams/sinks/matrix-batch.js';
import { fromArrowFile } from '../streams/sources/from-arrow-file.js';
import { fromArrowStream } from '../streams/sources/from-arrow-stream.js';
import { collectRows, testValues } from './helpers/collect-rows.js';
import { openFilePaths, waitUntil } from './helpers/open-fds.js';

const dir = mkdtempSync(join(tmpdir(), 'rf-arrow-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const m = 50, n = 7;
const a = testValues(m, n);

/** An FSL table of `a` in batches of `batch` rows. */
function fslTable(dtype: 'float32' | 'float64', batch: number, values = a, rows = m): Table {
  const b = matrixBatch({ layout: 'fixed-size-list', cols: n, dtype, name: 'x' });
  const batches = [];
  for (let r = 0; r < rows; r += batch) {
    const k = Math.min(batch, rows - r);
    const d = dtype === 'float32' ? Float32Array.from(values.subarray(r * n, (r + k) * n)) : values.slice(r * n, (r + k) * n);
    batches.push(b.batch(r, k, d));
  }
  return new Table(batches);
}

function transpose(x: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = x[i * cols + j];
  return t;
}

describe('fromArrowFile', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    it(`reads a FixedSizeList<${dtype}> file one record batch per block`, async () => {
      const path = join(dir, `fsl-${dtype}.arrow`);
      writeFileSync(path, tableToIPC(fslTable(dtype, 16), 'file'));
      const src = fromArrowFile(path);
      expect(await src.info()).toMatchObject({ rows: m, cols: n, dtype, layout: 'fixed-size-list', batches: 4 });
      const got = await collectRows(src.open());
      expect(got.blockRows).toEqual([16, 16, 16, 2]);
      const expected = dtype === 'float32' ? Float64Array.from(Float32Array.from(a)) : a;
      expect(Array.from(got.data)).toEqual(Array.from(expected));
      // Blocks larger than blockRows are split into views.
      const split = await collectRows(fromArrowFile(path, { blockRows: 10 }).open());
      expect(split.blockRows).toEqual([10, 6, 10, 6, 10, 6, 2]);
      // Column orientation: rows of A^T (one scan per block of columns).
      const cols = await collectRows(fromArrowFile(path, { orientation: 'columns', blockRows: 3 }).open());
      expect([cols.rows, cols.cols, cols.blocks]).toEqual([n, m, 3]);
      expect(Array.from(cols.data)).toEqual(Array.from(transpose(expected, m, n)));
    });
  }

  it('reads a wide table, choosing and ordering columns by name, and refuses non-numeric columns', async () => {
    const ids = Int32Array.from({ length: m }, (_, i) => i);
    const c0 = Float64Array.from({ length: m }, (_, i) => a[i * n]);
    const c1 = Float32Array.from({ length: m }, (_, i) => a[i * n + 1]);
    const c2 = BigInt64Array.from({ length: m }, (_, i) => BigInt(i * 3 - 7));
    const label = Array.from({ length: m }, (_, i) => `r${i}`);
    const t = tableFromArrays({ id: ids, c0, c1, c2, label });
    const path = join(dir, 'wide.arrow');
    writeFileSync(path, tableToIPC(t, 'file'));
    const err = await fromArrowFile(path).info().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FormatError);
    expect((err as Error).message).toBe(`column "label" has type Dictionary<Int32, Utf8>, expected a numeric type (exclude it with --exclude label) (in ${path})`);
    const plain = join(dir, 'wide-utf8.arrow');
    writeFileSync(plain, tableToIPC(new Table({ x: vectorFromArray([1, 2], new Float64()), name: vectorFromArray(['a', 'b'], new Utf8()) }), 'file'));
    await expect(fromArrowFile(plain).info()).rejects.toThrow(`column "name" has type Utf8, expected a numeric type (exclude it with --exclude name) (in ${plain})`);

    const src = fromArrowFile(path, { exclude: ['label'] });
    expect(await src.info()).toMatchObject({ layout: 'wide-table', cols: 4, dtype: 'float64', columnNames: ['id', 'c0', 'c1', 'c2'] });
    const got = await collectRows(src.open());
    for (let i = 0; i < m; i++) {
      expect(Array.from(got.data.subarray(i * 4, i * 4 + 4))).toEqual([i, c0[i], c1[i], i * 3 - 7]);
    }
    const chosen = await collectRows(fromArrowFile(path, { columns: ['c1', 'c0'] }).open());
    expect(chosen.cols).toBe(2);
    expect(chosen.data[2 * 2]).toBe(c1[2]);
    expect(chosen.data[2 * 2 + 1]).toBe(c0[2]);
    await expect(fromArrowFile(path, { columns: ['nope'] }).info()).rejects.toThrow(/column "nope" not found .* its columns are: id, c0, c1, c2, label/);
    // All-float32 wide tables stay float32.
    const f32 = await collectRows(fromArrowFile(path, { columns: ['c1'] }).open());
    expect(f32.dtypes).toEqual(new Set(['Float32Array']));
  });

  it('treats nulls in a wide table as non-finite (error names row and column; zero and skip count)', async () => {
    const x = vectorFromArray([1, 2, null, 4], new Float64());
    const y = vectorFromArray([5, 6, 7, 8], new Float64());
    const path = join(dir, 'nulls.arrow');
    writeFileSync(path, tableToIPC(new Table({ x, y }), 'file'));
    const err = await lastValueFrom(fromArrowFile(path).open()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NonFiniteError);
    expect((err as Error).message).toBe(`row 2: value at column 0 ("x") is NaN (or null) (in ${path})`);
    const zero = fromArrowFile(path, { nonFinite: 'zero' });
    expect(Array.from((await collectRows(zero.open())).data)).toEqual([1, 5, 2, 6, 0, 7, 4, 8]);
    const skip = fromArrowFile(path, { nonFinite: 'skip' });
    expect(Array.from((await collectRows(skip.open())).data)).toEqual([1, 5, 2, 6, 4, 8]);
    expect(skip.stats.rowsSkipped).toBe(1);
  });

  it('reads a List<Float32> column and refuses a row of the wrong length, naming it', async () => {
    const rows = Array.from({ length: 20 }, (_, i) => Array.from({ length: 4 }, (_, j) => i + j / 10));
    const listType = new List(new Field('item', new Float32(), true));
    const ok = join(dir, 'list.arrow');
    writeFileSync(ok, tableToIPC(new Table({ v: vectorFromArray(rows, listType) }), 'file'));
    const got = await collectRows(fromArrowFile(ok).open());
    expect([got.rows, got.cols]).toEqual([20, 4]);
    expect(got.data[17 * 4 + 2]).toBeCloseTo(17.2, 5);
    rows[17] = rows[17].slice(0, 3);
    const bad = join(dir, 'list-bad.arrow');
    writeFileSync(bad, tableToIPC(new Table({ v: vectorFromArray(rows, listType) }), 'file'));
    const err = await lastValueFrom(fromArrowFile(bad).open()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ShapeError);
    expect((err as Error).message).toBe(`row 17 has 3 values, expected 4 (in ${bad})`);
  });

  it('refuses truncated, corrupt and empty files, naming the file', async () => {
    const good = tableToIPC(fslTable('float64', 16), 'file');
    const cases: [string, Uint8Array, RegExp][] = [
      ['cut.arrow', good.subarray(0, good.length - 100), /is truncated or corrupt.*ends with "ARROW1"/],
      ['half.arrow', good.subarray(0, 600), /is truncated or corrupt/],
      ['empty.arrow', new Uint8Array(0), /is not an Arrow IPC file/],
      ['stream.arrow', tableToIPC(fslTable('float64', 16), 'stream'), /is not an Arrow IPC file.*\.arrows/],
    ];
    const garbled = good.slice();
    garbled.fill(0x7f, 200, 1200);
    cases.push(['garbled.arrow', garbled, /.*/]);
    for (const [name, bytes, re] of cases) {
      const path = join(dir, name);
      writeFileSync(path, bytes);
      const err = await lastValueFrom(fromArrowFile(path).open()).then(() => null, (e: unknown) => e);
      expect(err, name).toBeInstanceOf(Error);
      expect((err as Error).message, name).toMatch(re);
      expect((err as Error).message, name).toContain(path);
    }
  });

  it('emits FixedSizeList rows as views into the record batch (zero-copy); wide tables reuse one buffer', async () => {
    // The spill's schema is [row: Float64, y: FixedSizeList]: the y values sit after the row column
    // in the batch body, so a view into the body starts at a non-zero offset of a larger buffer.
    const spill = createSpill({ cols: n, tmpDir: dir });
    try {
      spill.append(0, 20, n, a.slice(0, 20 * n));
      spill.append(20, 30, n, a.slice(20 * n));
      spill.finish();
      const blocks = await lastValueFrom(fromArrowFile(spill.path, { listColumn: 'y' }).open().pipe(toArray()));
      for (const b of blocks) {
        expect(b.data.byteOffset).toBeGreaterThan(0);
        expect(b.data.buffer.byteLength).toBeGreaterThan(b.data.byteLength);
      }
      expect(blocks[0].data.buffer).not.toBe(blocks[1].data.buffer);
    } finally { spill.dispose(); }
    const t = tableFromArrays({ x: Float64Array.from(a.subarray(0, 40)), y: Float64Array.from(a.subarray(40, 80)) });
    const path = join(dir, 'wide-reuse.arrow');
    const w = new RecordBatchFileWriter();
    for (const batch of t.batches) { w.write(batch.slice(0, 20)); w.write(batch.slice(20, 40)); }
    w.finish();
    writeFileSync(path, w.toUint8Array(true));
    const wide = await lastValueFrom(fromArrowFile(path).open().pipe(toArray()));
    expect(wide).toHaveLength(2);
    expect(wide[0].data.buffer).toBe(wide[1].data.buffer);
  });

  it('closes the file on early unsubscribe', async () => {
    const path = join(dir, 'fsl-close.arrow');
    writeFileSync(path, tableToIPC(fslTable('float64', 5), 'file'));
    const two = await firstValueFrom(fromArrowFile(path).open().pipe(take(2), toArray()));
    expect(two).toHaveLength(2);
    expect(await waitUntil(() => !openFilePaths().includes(path))).toBe(true);
  });

  it('reads files written by RecordBatchFileWriter with several batches of different sizes', async () => {
    const path = join(dir, 'writer.arrow');
    const b = matrixBatch({ layout: 'fixed-size-list', cols: n, dtype: 'float64' });
    const w = new RecordBatchFileWriter();
    w.write(b.batch(0, 3, a.slice(0, 3 * n)));
    w.write(b.batch(3, 40, a.slice(3 * n, 43 * n)));
    w.write(b.batch(43, 7, a.slice(43 * n)));
    w.finish();
    writeFileSync(path, w.toUint8Array(true));
    const got = await collectRows(fromArrowFile(path).open());
    expect(got.blockRows).toEqual([3, 40, 7]);
    expect(got.data).toEqual(a);
  });
});

describe('fromArrowStream', () => {
  it('reads an .arrows file (replayable) and a Readable (one-shot, second open refused)', async () => {
    const bytes = tableToIPC(fslTable('float32', 16), 'stream');
    const path = join(dir, 'm.arrows');
    writeFileSync(path, bytes);
    const file = fromArrowStream(path);
    expect(file.replayable).toBe(true);
    expect(await file.info()).toMatchObject({ cols: n, dtype: 'float32', layout: 'fixed-size-list' });
    const one = await collectRows(file.open());
    const two = await collectRows(file.open());
    expect(one.rows).toBe(m);
    expect(two.data).toEqual(one.data);

    const pt = new PassThrough();
    pt.end(Buffer.from(bytes));
    const s = fromArrowStream(pt, { where: 'test-pipe' });
    expect(s.replayable).toBe(false);
    expect((await s.info()).cols).toBe(n);
    const got = await collectRows(s.open());
    expect(got.data).toEqual(one.data);
    const err = await lastValueFrom(s.open()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as Error).message).toMatch(/^test-pipe is a one-shot source and was already read; it cannot be replayed/);
  });

  it('refuses a stream cut mid-way and an empty stream', async () => {
    const bytes = tableToIPC(fslTable('float64', 16), 'stream');
    const noEos = bytes.subarray(0, bytes.length - 8);
    const midBatch = bytes.subarray(0, Math.floor(bytes.length * 0.6));
    for (const [name, b] of [['no-eos', noEos], ['mid-batch', midBatch]] as const) {
      const pt = new PassThrough();
      pt.end(Buffer.from(b));
      const err = await lastValueFrom(fromArrowStream(pt, { where: name }).open()).then(() => null, (e: unknown) => e);
      expect(err, name).toBeInstanceOf(Error);
      expect((err as Error).message, name).toMatch(new RegExp(`^${name}`));
      expect(err, name).toBeInstanceOf(SourceError);
      expect((err as Error).message, name).toMatch(/cut off mid-stream/);
    }
    // A schema and only an empty batch: an empty matrix, refused by default.
    const noRows = new PassThrough();
    const b0 = matrixBatch({ layout: 'fixed-size-list', cols: n, dtype: 'float64' }).batch(0, 0, new Float64Array(0));
    noRows.end(Buffer.from(tableToIPC(new Table([b0]), 'stream')));
    await expect(lastValueFrom(fromArrowStream(noRows, { where: 'no-rows' }).open())).rejects.toThrow(/^no-rows has no rows: expected at least one row/);
    const empty = new PassThrough();
    empty.end();
    await expect(lastValueFrom(fromArrowStream(empty, { where: 'stdin-test' }).open())).rejects.toThrow(/^stdin-test is empty/);
  });

  it('a one-shot stream cannot be read in column orientation (refused when created)', () => {
    expect(() => fromArrowStream(new PassThrough(), { orientation: 'columns' })).toThrow(ArgumentError);
    expect(() => fromArrowStream(new PassThrough(), { orientation: 'columns' })).toThrow(/needs a replayable source.*send A\^T instead/);
  });

  it('refuses a file given as a stream', async () => {
    const path = join(dir, 'file-as-stream.arrows');
    writeFileSync(path, tableToIPC(fslTable('float64', 16), 'file'));
    await expect(lastValueFrom(fromArrowStream(path).open())).rejects.toThrow(FormatError);
  });

  it('unsubscribing destroys the readable', async () => {
    const bytes = tableToIPC(fslTable('float64', 5), 'stream');
    const pt = new PassThrough();
    pt.end(Buffer.from(bytes));
    await firstValueFrom(fromArrowStream(pt).open().pipe(take(1)));
    expect(await waitUntil(() => pt.destroyed)).toBe(true);
  });

  it('reads the Arrow stream fixture produced by a file round trip', () => {
    // sanity: the written stream and file bytes are distinct formats
    const s = tableToIPC(fslTable('float64', 16), 'stream');
    expect(Buffer.from(s.subarray(0, 6)).toString('latin1')).not.toBe('ARROW1');
    void readFileSync;
  });
});
