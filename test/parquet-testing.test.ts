/**
 * The Apache parquet-testing conformance files (../shared/data/parquet-testing, see its README):
 * every file in data/ with numeric columns reads to the same values as an independent reader
 * (parquet-wasm, the Rust parquet crate; parquetjs-lite where parquet-wasm cannot), or is refused
 * with a clear message; every file in bad_data/ is refused (or, where both readers agree it is
 * readable, read identically) without a crash or a hang (each runs in a child process with a timeout).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../src/errors.js';
import { fromParquet } from '../streams/sources/from-parquet.js';
import { parquetOutcome, type ParquetOutcome } from './helpers/parquet-outcome.js';
import { hasSharedData, sharedPath } from './helpers/shared-data.js';

const ROOT = sharedPath('parquet-testing');
const have = hasSharedData('parquet-testing');
const DATA = join(ROOT, 'data');
const BAD = join(ROOT, 'bad_data');
const parquetFiles = (dir: string): string[] => (have ? readdirSync(dir) : []).filter((f) => /\.parquet(\.encrypted)?$/.test(f)).sort();

/** Files whose numeric columns we read and an independent reader confirms, value for value. */
const VERIFIED = [
  'alltypes_dictionary.parquet', 'alltypes_plain.parquet', 'alltypes_plain.snappy.parquet',
  'alltypes_tiny_pages.parquet', 'alltypes_tiny_pages_plain.parquet', 'byte_stream_split.zstd.parquet',
  'byte_stream_split_extended.gzip.parquet', 'column_chunk_key_value_metadata.parquet',
  'concatenated_gzip_members.parquet', 'datapage_v1-corrupt-checksum.parquet',
  'datapage_v1-snappy-compressed-checksum.parquet', 'datapage_v1-uncompressed-checksum.parquet',
  'datapage_v2.snappy.parquet', 'datapage_v2_empty_datapage.snappy.parquet', 'delta_binary_packed.parquet',
  'delta_encoding_optional_column.parquet', 'delta_encoding_required_column.parquet',
  'float16_nonzeros_and_nans.parquet', 'float16_zeros_and_nans.parquet', 'floating_orders_nan_count.parquet', 'hadoop_lz4_compressed.parquet', 'int32_with_null_pages.parquet',
  'lz4_raw_compressed.parquet', 'nan_in_stats.parquet', 'nation.dict-malformed.parquet',
  'nested_lists.snappy.parquet', 'nested_maps.snappy.parquet', 'non_hadoop_lz4_compressed.parquet',
  'nonnullable.impala.parquet', 'nullable.impala.parquet', 'page_v2_empty_compressed.parquet',
  'plain-dict-uncompressed-checksum.parquet', 'rle-dict-snappy-checksum.parquet',
  'rle-dict-uncompressed-corrupt-checksum.parquet', 'single_nan.parquet', 'sort_columns.parquet',
];

/** Read, but no second reader can check them (each explained in the test below). */
const READ_UNVERIFIED = ['dict-page-offset-zero.parquet', 'repeated_no_annotation.parquet'];

/** Numeric columns exist but cannot be read: encrypted column chunks under a plaintext footer. */
const NUMERIC_REFUSED = ['encrypt_columns_plaintext_footer.parquet.encrypted'];

const CLEAR_REFUSAL = /^(FormatError|NonFiniteError|ShapeError|ArgumentError): .*\.parquet/;

describe.skipIf(!have)('parquet-testing data/ (shared data)', () => {
  const outcomes = new Map<string, ParquetOutcome>();

  it('every file reads to the values of an independent reader, or is refused with a clear message', async () => {
    const files = parquetFiles(DATA);
    expect(files.length).toBeGreaterThanOrEqual(70);
    for (const f of files) outcomes.set(f, await parquetOutcome(join(DATA, f)));

    const verified: string[] = [];
    for (const [f, o] of outcomes) {
      // Default options (every column): a read or a refusal that names the file and says why.
      if (o.defaultRead !== 'read') expect(o.defaultRead, f).toMatch(CLEAR_REFUSAL);
      expect(o.defaultRead, f).not.toMatch(/UNEXPECTED/);
      expect(o.numericRead, f).not.toMatch(/UNEXPECTED/);
      if (o.numericRead.startsWith('verified')) verified.push(f);
      else if (o.numericRead === 'no numeric columns') {
        // Refused with the name and type of the first non-numeric column, or as not Parquet / encrypted.
        expect(o.defaultRead, f).toMatch(/column ".*" has type .*, expected a numeric type|is not a Parquet file|cannot read the Parquet footer/);
      }
    }
    expect(verified.sort()).toEqual([...VERIFIED].sort());
    for (const f of NUMERIC_REFUSED) expect(outcomes.get(f)!.numericRead, f).toMatch(/^refused: FormatError: .*cannot read row group 0/);
    for (const f of READ_UNVERIFIED) expect(outcomes.get(f)!.numericRead, f).toMatch(/^(read|mismatch)/);
    const accounted = new Set([...VERIFIED, ...READ_UNVERIFIED, ...NUMERIC_REFUSED]);
    for (const [f, o] of outcomes) {
      if (!accounted.has(f)) expect(o.numericRead, f).toBe('no numeric columns');
    }
    // The summary, for the report.
    const summary = { files: outcomes.size, verified: verified.length, readUnverified: READ_UNVERIFIED.length,
      noNumericColumns: [...outcomes.values()].filter((o) => o.numericRead === 'no numeric columns').length,
      numericRefused: NUMERIC_REFUSED.length };
    console.log('parquet-testing data/ sweep:', JSON.stringify(summary));
  }, 180_000);

  it('repeated_no_annotation: the row groups hold 6 rows although the footer says 0 (parquet-wasm trusts the footer)', async () => {
    const rows = await lastValueFrom(fromParquet(join(DATA, 'repeated_no_annotation.parquet'), { columns: ['id'] }).open().pipe(toArray()));
    expect(Array.from(rows[0].data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('dict-page-offset-zero: 39 rows of one INT32 column, all 1552 (parquet-wasm and parquetjs-lite both fail on this file)', async () => {
    const src = fromParquet(join(DATA, 'dict-page-offset-zero.parquet'));
    const blocks = await lastValueFrom(src.open().pipe(toArray()));
    expect(blocks.reduce((s, b) => s + b.rows, 0)).toBe(39);
    expect(new Set(Array.from(blocks[0].data))).toEqual(new Set([1552]));
  });

  it('a non-numeric column is refused with its name, its type and how to exclude it', async () => {
    const path = join(DATA, 'alltypes_plain.parquet');
    const err = await fromParquet(path).info().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FormatError);
    expect((err as Error).message).toBe(`column "bool_col" has type BOOLEAN, expected a numeric type (exclude it with --exclude bool_col) (in ${path})`);
    const ok = fromParquet(path, { exclude: ['bool_col', 'date_string_col', 'string_col', 'timestamp_col'] });
    expect(await ok.info()).toMatchObject({ rows: 8, cols: 7, dtype: 'float64', layout: 'parquet-wide' });
  });
});

describe.skipIf(!have)('parquet-testing bad_data/ (shared data)', () => {
  for (const f of parquetFiles(BAD)) {
    it(`${f}: no crash, no hang; refused (or read exactly as parquet-wasm reads it)`, () => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/helpers/parquet-outcome-cli.ts', join(BAD, f)], {
        timeout: 30_000, encoding: 'utf8', cwd: process.cwd(),
      });
      expect(r.error, `${f}: ${String(r.error)}`).toBeUndefined(); // undefined unless killed by the timeout
      expect(r.signal, f).toBeNull();
      expect(r.status, `${f}: ${r.stderr}`).toBe(0);
      const o = JSON.parse(r.stdout) as ParquetOutcome;
      expect(o.defaultRead, f).not.toMatch(/UNEXPECTED/);
      expect(o.numericRead, f).not.toMatch(/UNEXPECTED|mismatch/);
      if (f === 'ARROW-GH-43605.parquet') {
        // arrow-cpp failed on a dictionary page with RLE bit width 0; hyparquet and parquet-wasm both
        // read it, to the same values: readable, not refused.
        expect(o.defaultRead).toBe('read');
        expect(o.numericRead).toBe('verified 21186 x 1');
      } else {
        expect(o.defaultRead, f).toMatch(CLEAR_REFUSAL);
      }
    }, 40_000);
  }
});
