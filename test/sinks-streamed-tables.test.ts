/**
 * The Arrow and Parquet factor sinks write a tall factor while its rows arrive and hold at most one
 * record batch / row group of rows (create-arrow-writer.ts, create-parquet-writer.ts): checked on
 * the sink's own count of the rows it holds, and on the files, whose batches / row groups must have
 * the sizes the bound implies. A label column (int64 or string) travels with its rows. Negative
 * control: a whole-matrix write with a batch as large as the matrix holds every row.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Matrix } from '../src/matrix.js';
import { createArrowWriter } from '../streams/sinks/create-arrow-writer.js';
import { createParquetWriter } from '../streams/sinks/create-parquet-writer.js';
import type { FactorSink } from '../streams/sinks/factor-sink.js';
import { sliceLabels, type LabelColumn, type RowLabels } from '../streams/sinks/row-labels.js';
import { collectRows, testValues } from './helpers/collect-rows.js';
import { readArrowTable, readParquetTable } from './helpers/cli-factors.js';
import { fromArrowFile } from '../streams/sources/from-arrow-file.js';
import { fromParquet } from '../streams/sources/from-parquet.js';

const dir = mkdtempSync(join(tmpdir(), 'rf-sinks-tables-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const m = 2500, r = 7, batch = 256;
const values = testValues(m, r, 11);
const ints = BigInt64Array.from({ length: m }, (_, i) => BigInt(i) * 1_000_000_007n - 5n);
const texts = Array.from({ length: m }, (_, i) => `row-${i}-é`);

/** Feeds the sink blocks of 97 rows (not a divisor of the batch), as the spill replay does. */
function feed(sink: FactorSink, labels?: RowLabels): void {
  for (let r0 = 0; r0 < m; r0 += 97) {
    const k = Math.min(97, m - r0);
    const block: Matrix<Float64Array> = { rows: k, cols: r, data: values, offset: r0 * r, stride: r };
    sink.write(r0, block, labels !== undefined ? sliceLabels(labels, r0, k) : undefined);
  }
}

const expectedGroups = (b: number): number[] => Array.from({ length: Math.ceil(m / b) }, (_, i) => Math.min(b, m - i * b));

describe.each([
  ['arrow', (p: string, label?: LabelColumn, b = batch) => createArrowWriter(p, { rows: m, cols: r, dtype: 'float64', batchRows: b, ...(label ? { label } : {}) })],
  ['parquet', (p: string, label?: LabelColumn, b = batch) => createParquetWriter(p, { rows: m, cols: r, dtype: 'float64', batchRows: b, ...(label ? { label } : {}) })],
] as const)('%s sink', (format, open) => {
  it.each([
    ['int64 ids', { name: 'id', kind: 'int64' } as LabelColumn, ints],
    ['string ids', { name: 'key', kind: 'string' } as LabelColumn, texts],
  ])('holds at most one batch of rows; the file has batches of that size; %s travel with their rows', async (_what, label, labels) => {
    const p = join(dir, `u-${label.kind}.${format}`);
    const sink = open(p, label);
    feed(sink, labels);
    expect(sink.peakBufferedRows).toBe(batch);
    await sink.close();
    const t = format === 'arrow' ? readArrowTable(p) : await readParquetTable(p);
    expect('batches' in t ? t.batches : t.rowGroups).toEqual(expectedGroups(batch));
    expect(t.labelName).toBe(label.name);
    expect(t.labels).toEqual(Array.from(labels as ArrayLike<bigint | string>));
    expect(Array.from(t.matrix.data)).toEqual(Array.from(values));
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('reads back through rangefinder\'s own source', async () => {
    const p = join(dir, `plain.${format}`);
    const sink = open(p);
    feed(sink);
    await sink.close();
    const back = await collectRows((format === "arrow" ? fromArrowFile(p) : fromParquet(p)).open());
    expect(Array.from(back.data)).toEqual(Array.from(values));
  });

  it('negative control: a batch as large as the factor holds every row', async () => {
    const sink = open(join(dir, `whole.${format}`), undefined, m);
    feed(sink);
    expect(sink.peakBufferedRows).toBe(m);
    await sink.close();
  });

  it('refuses a short factor and a block without labels, leaving no file', async () => {
    const p = join(dir, `short.${format}`);
    const sink = open(p);
    sink.write(0, { rows: 3, cols: r, data: values, offset: 0, stride: r });
    await expect(sink.close()).rejects.toThrow(/3 rows were written, expected 2500/);
    const q = join(dir, `nolabels.${format}`);
    const labelled = open(q, { name: 'id', kind: 'int64' });
    expect(() => labelled.write(0, { rows: 3, cols: r, data: values, offset: 0, stride: r })).toThrow(/came with 0 labels/);
    expect(readdirSync(dir).filter((f) => f.includes(`short.${format}`) || f.includes(`nolabels.${format}`))).toEqual([]);
  });
});
