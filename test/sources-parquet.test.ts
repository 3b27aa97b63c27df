/**
 * Parquet files written by three other writers (parquet-wasm = Rust parquet crate, hyparquet-writer,
 * parquetjs-lite), in plain and dictionary encodings, uncompressed / snappy / zstd (and gzip, brotli,
 * lz4_raw), data page v1 and v2, all read by fromParquet to the values that were written.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Field, Float64, List, Table, makeVector, tableToIPC, vectorFromArray, type Vector } from 'apache-arrow';
import { parquetMetadata } from 'hyparquet';
import { parquetWriteFile } from 'hyparquet-writer';
import {
  Compression, Encoding, Table as WasmTable, WriterPropertiesBuilder, WriterVersion, writeParquet,
} from 'parquet-wasm/node';
import parquetjs from 'parquetjs-lite';
import { firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import { FormatError, NonFiniteError, ShapeError } from '../src/errors.js';
import { matrixBatch } from '../streams/sinks/matrix-batch.js';
import { fromParquet } from '../streams/sources/from-parquet.js';
import { collectRows, testValues } from './helpers/collect-rows.js';
import { openFilePaths, waitUntil } from './helpers/open-fds.js';

const dir = mkdtempSync(join(tmpdir(), 'rf-pq-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const m = 300, n = 5;
const plain = testValues(m, n, 7);
/** Few distinct values per column, so writers choose dictionary encoding. */
// (+ 0 turns -0 into 0: dictionary writers merge them, which is the writer's business, not ours.)
const repetitive = plain.map((v) => Math.round(v * 4) / 4 + 0);
const names = Array.from({ length: n }, (_, j) => `x${j}`);
const column = (a: Float64Array, j: number): Float64Array => Float64Array.from({ length: m }, (_, i) => a[i * n + j]);

function wideArrowTable(a: Float64Array): Table {
  const cols: Record<string, Vector<Float64>> = {};
  names.forEach((nm, j) => { cols[nm] = makeVector(column(a, j)); });
  return new Table(cols);
}

interface ColumnMeta { encodings: string[]; pageTypes: string[]; codec: string }
function columnMeta(path: string): ColumnMeta {
  const b = readFileSync(path);
  const md = parquetMetadata(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  const cm = md.row_groups[0].columns[0].meta_data!;
  return {
    encodings: [...cm.encodings],
    pageTypes: (cm.encoding_stats ?? []).map((s) => String(s.page_type)),
    codec: String(cm.codec),
  };
}

async function expectReads(path: string, a: Float64Array, rowGroups?: number): Promise<void> {
  const src = fromParquet(path);
  const info = await src.info();
  expect(info).toMatchObject({ rows: m, cols: n, layout: 'parquet-wide', columnNames: names });
  if (rowGroups !== undefined) expect(info.batches).toBe(rowGroups);
  const got = await collectRows(src.open());
  expect(got.blocks).toBe(info.batches);
  expect(got.data).toEqual(a);
}

describe('Parquet written by parquet-wasm (Rust parquet)', () => {
  const codecs = [['UNCOMPRESSED', Compression.UNCOMPRESSED], ['SNAPPY', Compression.SNAPPY], ['ZSTD', Compression.ZSTD],
    ['GZIP', Compression.GZIP], ['BROTLI', Compression.BROTLI], ['LZ4_RAW', Compression.LZ4_RAW]] as const;
  for (const [codecName, codec] of codecs) {
    for (const version of [WriterVersion.V1, WriterVersion.V2]) {
      for (const dictionary of [false, true]) {
        const label = `${codecName}, page v${version === WriterVersion.V1 ? 1 : 2}, ${dictionary ? 'dictionary' : 'plain'}`;
        it(label, async () => {
          const a = dictionary ? repetitive : plain;
          const props = new WriterPropertiesBuilder().setCompression(codec).setWriterVersion(version)
            .setDictionaryEnabled(dictionary).setMaxRowGroupSize(128).build();
          const path = join(dir, `wasm-${codecName}-${version}-${dictionary}.parquet`);
          writeFileSync(path, writeParquet(WasmTable.fromIPCStream(tableToIPC(wideArrowTable(a), 'stream')), props));
          const meta = columnMeta(path);
          expect(meta.codec).toBe(codecName);
          expect(meta.encodings.some((e) => e.includes('DICTIONARY'))).toBe(dictionary);
          expect(meta.pageTypes).toContain(version === WriterVersion.V1 ? 'DATA_PAGE' : 'DATA_PAGE_V2');
          await expectReads(path, a, 3);
        });
      }
    }
  }

  it('BYTE_STREAM_SPLIT and DELTA encodings', async () => {
    const props = new WriterPropertiesBuilder().setDictionaryEnabled(false).setEncoding(Encoding.BYTE_STREAM_SPLIT).build();
    const path = join(dir, 'wasm-bss.parquet');
    writeFileSync(path, writeParquet(WasmTable.fromIPCStream(tableToIPC(wideArrowTable(plain), 'stream')), props));
    expect(columnMeta(path).encodings).toContain('BYTE_STREAM_SPLIT');
    await expectReads(path, plain);
  });

  it('an Arrow FixedSizeList column becomes a Parquet LIST, read as the list layout (rows and columns)', async () => {
    const b = matrixBatch({ layout: 'fixed-size-list', cols: n, dtype: 'float32', name: 'row' });
    const t = new Table([b.batch(0, m, Float32Array.from(plain))]);
    const path = join(dir, 'wasm-fsl.parquet');
    writeFileSync(path, writeParquet(WasmTable.fromIPCStream(tableToIPC(t, 'stream'))));
    const src = fromParquet(path);
    expect(await src.info()).toMatchObject({ rows: m, cols: n, dtype: 'float32', layout: 'parquet-list' });
    const got = await collectRows(src.open());
    expect(Array.from(got.data)).toEqual(Array.from(Float32Array.from(plain)));
    const cols = await collectRows(fromParquet(path, { orientation: 'columns' }).open());
    expect([cols.rows, cols.cols]).toEqual([n, m]);
    expect(cols.data[2 * m + 17]).toBe(Math.fround(plain[17 * n + 2]));
  });

  it('a LIST row of the wrong length is refused naming the row', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => [i, i + 0.5, i + 0.25]);
    rows[17] = [1, 2];
    const t = new Table({ v: vectorFromArray(rows, new List(new Field('item', new Float64(), true))) });
    const path = join(dir, 'wasm-ragged.parquet');
    writeFileSync(path, writeParquet(WasmTable.fromIPCStream(tableToIPC(t, 'stream'))));
    const err = await lastValueFrom(fromParquet(path).open()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ShapeError);
    expect((err as Error).message).toBe(`row 17 has 2 values, expected 3 (in ${path})`);
  });
});

describe('Parquet written by hyparquet-writer (data page v2)', () => {
  for (const codec of ['UNCOMPRESSED', 'SNAPPY'] as const) {
    for (const dictionary of [false, true]) {
      it(`${codec}, ${dictionary ? 'dictionary' : 'plain'}`, async () => {
        const a = dictionary ? repetitive : plain;
        const path = join(dir, `hyw-${codec}-${dictionary}.parquet`);
        parquetWriteFile({
          filename: path, codec, rowGroupSize: 100,
          columnData: names.map((name, j) => ({ name, data: column(a, j), type: 'DOUBLE' as const, ...(dictionary ? {} : { encoding: 'PLAIN' as const }) })),
        });
        const meta = columnMeta(path);
        expect(meta.codec).toBe(codec);
        expect(meta.encodings.some((e) => e.includes('DICTIONARY'))).toBe(dictionary);
        await expectReads(path, a, 3);
      });
    }
  }

  it('INT32 / INT64 / FLOAT columns become float64 (float32 when all FLOAT)', async () => {
    const path = join(dir, 'hyw-types.parquet');
    parquetWriteFile({
      filename: path,
      columnData: [
        { name: 'i32', data: Int32Array.from({ length: 10 }, (_, i) => i - 5), type: 'INT32' },
        { name: 'i64', data: BigInt64Array.from({ length: 10 }, (_, i) => BigInt(i) * 1000000000000n), type: 'INT64' },
        { name: 'f32', data: Float32Array.from({ length: 10 }, (_, i) => i / 3), type: 'FLOAT' },
      ],
    });
    const got = await collectRows(fromParquet(path).open());
    expect(got.dtypes).toEqual(new Set(['Float64Array']));
    expect(Array.from(got.data.subarray(9 * 3, 10 * 3))).toEqual([4, 9e12, Math.fround(3)]);
    const f32 = await collectRows(fromParquet(path, { columns: ['f32'] }).open());
    expect(f32.dtypes).toEqual(new Set(['Float32Array']));
  });

  it('nulls follow nonFinite; a string column is refused; columns orientation reads each column once', async () => {
    const path = join(dir, 'hyw-nulls.parquet');
    parquetWriteFile({
      filename: path,
      columnData: [
        { name: 'a', data: [1, 2, null, 4], type: 'DOUBLE' },
        { name: 'b', data: [5, 6, 7, 8], type: 'DOUBLE' },
        { name: 'label', data: ['p', 'q', 'r', 's'], type: 'STRING' },
      ],
    });
    await expect(fromParquet(path).info()).rejects.toThrow(new FormatError(
      `column "label" has type BYTE_ARRAY (UTF8), expected a numeric type (exclude it with --exclude label) (in ${path})`));
    const err = await lastValueFrom(fromParquet(path, { exclude: ['label'] }).open()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NonFiniteError);
    expect((err as Error).message).toBe(`row 2: value at column 0 ("a") is NaN (or null) (in ${path})`);
    const zero = fromParquet(path, { exclude: ['label'], nonFinite: 'zero' });
    expect(Array.from((await collectRows(zero.open())).data)).toEqual([1, 5, 2, 6, 0, 7, 4, 8]);
    expect(zero.stats).toMatchObject({ rowsZeroed: 1, valuesZeroed: 1 });
    const t = fromParquet(path, { exclude: ['label'], orientation: 'columns', nonFinite: 'zero' });
    expect(await t.info()).toMatchObject({ rows: 2, cols: 4, orientation: 'columns' });
    expect(Array.from((await collectRows(t.open())).data)).toEqual([1, 2, 0, 4, 5, 6, 7, 8]);
    const colErr = await lastValueFrom(fromParquet(path, { exclude: ['label'], orientation: 'columns' }).open()).catch((e: unknown) => e);
    expect((colErr as Error).message).toBe(`column 0: value at row 2 is NaN (or null) (in ${path})`);
  });
});

describe('Parquet written by parquetjs-lite', () => {
  for (const compression of ['UNCOMPRESSED', 'SNAPPY', 'GZIP'] as const) {
    for (const v2 of [false, true]) {
      it(`${compression}, page v${v2 ? 2 : 1}`, async () => {
        const path = join(dir, `pjl-${compression}-${v2}.parquet`);
        const schema = new parquetjs.ParquetSchema(Object.fromEntries(names.map((nm) => [nm, { type: 'DOUBLE', compression }])));
        const w = await parquetjs.ParquetWriter.openFile(schema, path, { useDataPageV2: v2 });
        w.setRowGroupSize(100);
        for (let i = 0; i < m; i++) await w.appendRow(Object.fromEntries(names.map((nm, j) => [nm, plain[i * n + j]])));
        await w.close();
        const meta = columnMeta(path);
        expect(meta.codec).toBe(compression);
        await expectReads(path, plain, 3);
      });
    }
  }
});

describe('row groups larger than a block', () => {
  it('are read in slices of blockRows rows, from every writer, with the same values', async () => {
    const files: string[] = [];
    const hyw = join(dir, 'big-group-hyw.parquet');
    parquetWriteFile({ filename: hyw, rowGroupSize: m, pageSize: 1024, columnData: names.map((name, j) => ({ name, data: column(plain, j), type: 'DOUBLE' as const })) });
    files.push(hyw);
    const wasm = join(dir, 'big-group-wasm.parquet');
    const props = new WriterPropertiesBuilder().setMaxRowGroupSize(m).setDataPageSizeLimit(1024).build();
    writeFileSync(wasm, writeParquet(WasmTable.fromIPCStream(tableToIPC(wideArrowTable(plain), 'stream')), props));
    files.push(wasm);
    files.push(join(dir, 'pjl-SNAPPY-true.parquet')); // no offset index: slices still read correctly
    for (const path of files) {
      const src = fromParquet(path, { blockRows: 64 });
      const got = await collectRows(src.open());
      if (!path.includes('pjl')) expect(got.blockRows, path).toEqual([64, 64, 64, 64, 44]);
      expect(got.data, path).toEqual(plain);
    }
  });
});

describe('fromParquet life cycle', () => {
  it('closes the file on early unsubscribe and is replayable', async () => {
    const path = join(dir, 'hyw-SNAPPY-false.parquet');
    const src = fromParquet(path);
    const one = await firstValueFrom(src.open().pipe(take(1), toArray()));
    expect(one).toHaveLength(1);
    expect(await waitUntil(() => !openFilePaths().includes(path))).toBe(true);
    const a = await collectRows(src.open());
    const b = await collectRows(src.open());
    expect(b.data).toEqual(a.data);
  });

  it('refuses truncated and non-Parquet files naming the file', async () => {
    const good = readFileSync(join(dir, 'hyw-SNAPPY-false.parquet'));
    const cases: [string, Uint8Array, RegExp][] = [
      ['cut.parquet', good.subarray(0, good.length - 50), /is truncated or corrupt: a Parquet file ends with its footer and "PAR1"/],
      ['empty.parquet', new Uint8Array(0), /is not a Parquet file: 0 bytes/],
      ['text.parquet', Buffer.from('id,value\n1,2\n3,4\n'), /is not a Parquet file: expected the magic bytes "PAR1"/],
    ];
    const middle = Buffer.from(good);
    middle.fill(0xff, 200, 2000);
    cases.push(['garbled.parquet', middle, /cannot read row group 0/]);
    for (const [name, bytes, re] of cases) {
      const path = join(dir, name);
      writeFileSync(path, bytes);
      const err = await lastValueFrom(fromParquet(path).open()).then(() => null, (e: unknown) => e);
      expect(err, name).toBeInstanceOf(FormatError);
      expect((err as Error).message, name).toMatch(re);
      expect((err as Error).message, name).toContain(path);
    }
  });
});
