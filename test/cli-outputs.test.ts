/**
 * What `approx --out` writes, for the people who join it back (README "Outputs"): the element type
 * of U and V follows the input unless --dtype says otherwise (S stays float64); V's rows are named
 * after the input's columns (a `feature` column in Arrow / Parquet, PREFIX.features.json beside
 * .npy); every format holds the same numbers. Real files, the built CLI in a child process.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeVector, tableToIPC, Table, Utf8, vectorFromArray, type Vector } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Matrix64 } from '../src/matrix.js';
import { fromSpectrum } from '../src/synthetic/from-spectrum.js';
import { ensureBuilt, expectUsageFailure, runCli, writeNpyMatrix, writeParquetMatrix, type CliRun } from './helpers/cli-harness.js';
import { readArrowTable, readParquetTable } from './helpers/cli-factors.js';
import { readNpy } from './helpers/npy.js';

const dir = mkdtempSync(join(tmpdir(), 'rf-cli-outputs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function ok(run: CliRun): Record<string, unknown> {
  if (run.code !== 0) throw new Error(`exit ${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

/** Largest |x - y| over two equally shaped matrices. */
function maxDiff(x: ArrayLike<number>, y: ArrayLike<number>): number {
  expect(x.length).toBe(y.length);
  let d = 0;
  for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i]! - y[i]!));
  return d;
}

let low: Matrix64;
/** Row ids in an order that is not the row order (a negative control for a writer that numbers rows). */
const M = 300;
const intIds = Array.from({ length: M }, (_, i) => BigInt((i * 7919) % 1009) * 1_000_003n - 500_000_000_000n);
const textIds = Array.from({ length: M }, (_, i) => `user-${(i * 31) % 997}-ß`);
const FEATURES = ['height', 'weight', 'age', 'income', 'score', 'visits', 'clicks', 'spend', 'tenure', 'rating', 'x11', 'x12'];

/** A wide Arrow IPC file: an Int64 `id`, a Utf8 `key`, then the float columns, in batches of 64 rows. */
function writeArrowWithIds(path: string, a: Matrix64): void {
  const batches: Table[] = [];
  for (let r0 = 0; r0 < a.rows; r0 += 64) {
    const r1 = Math.min(a.rows, r0 + 64);
    const cols: Record<string, Vector> = {
      id: makeVector(BigInt64Array.from(intIds.slice(r0, r1))),
      key: vectorFromArray(textIds.slice(r0, r1), new Utf8()),
    };
    FEATURES.forEach((name, j) => { cols[name] = makeVector(Float64Array.from({ length: r1 - r0 }, (_, i) => a.data[(r0 + i) * a.cols + j]!)); });
    batches.push(new Table(cols));
  }
  writeFileSync(path, tableToIPC(new Table(batches.flatMap((t) => t.batches)), 'file'));
}

beforeAll(async () => {
  await ensureBuilt();
  low = fromSpectrum(300, 12, [9, 7, 5, 3, 2], 5).a;
  writeNpyMatrix(join(dir, 'f32.npy'), low, 'float32');
  writeNpyMatrix(join(dir, 'f64.npy'), low, 'float64');
  writeParquetMatrix(join(dir, 'named.parquet'), low, [], 64);
  writeParquetMatrix(join(dir, 'ids.parquet'), low, [
    { name: 'id', type: 'INT64', data: intIds }, { name: 'key', type: 'STRING', data: textIds },
  ], 64, FEATURES);
  writeArrowWithIds(join(dir, 'ids.arrow'), low);
}, 300_000);

describe('approx --out: element type and feature names', () => {
  it('--dtype follows the input: float32 in, float32 U and V out (S float64); --dtype float64 overrides; values agree', async () => {
    const args = ['approx', join(dir, 'f32.npy'), '--rank', '5', '--method', 'exact', '--json'];
    const [dflt, wide, f64in] = await Promise.all([
      runCli([...args, '--out', join(dir, 'd32')]),
      runCli([...args, '--out', join(dir, 'd64'), '--dtype', 'float64']),
      runCli(['approx', join(dir, 'f64.npy'), '--rank', '5', '--method', 'exact', '--json', '--out', join(dir, 'in64')]),
    ]);
    ok(dflt); ok(wide); ok(f64in);
    const u32 = readNpy(join(dir, 'd32.U.npy')), v32 = readNpy(join(dir, 'd32.V.npy')), s32 = readNpy(join(dir, 'd32.S.npy'));
    expect([u32.dtype, v32.dtype, s32.dtype]).toEqual(['float32', 'float32', 'float64']);
    const u64 = readNpy(join(dir, 'd64.U.npy'));
    expect([u64.dtype, readNpy(join(dir, 'd64.V.npy')).dtype]).toEqual(['float64', 'float64']);
    expect(readNpy(join(dir, 'in64.U.npy')).dtype).toBe('float64');
    // float32 rounding of entries of size <= 1: at most 2^-24 relative, so 1e-7 absolute.
    const d = maxDiff(u32.data, u64.data);
    expect(d).toBeLessThan(1e-7);
    expect(d).toBeGreaterThan(0); // negative control: the two files do differ (float32 did round)
  });

  it('V is named after the input columns in every format, and the three formats hold the same numbers', async () => {
    const args = ['approx', join(dir, 'named.parquet'), '--rank', '4', '--method', 'exact', '--json'];
    const [npy, arrow, pq] = await Promise.all([
      runCli([...args, '--out', join(dir, 'n')]),
      runCli([...args, '--out', join(dir, 'na'), '--format', 'arrow']),
      runCli([...args, '--out', join(dir, 'np'), '--format', 'parquet']),
    ]);
    const json = ok(npy); ok(arrow); ok(pq);
    const names = Array.from({ length: low.cols }, (_, j) => `c${j}`);
    expect(JSON.parse(readFileSync(join(dir, 'n.features.json'), 'utf8'))).toEqual(names);
    expect((json.output as Record<string, string>).features).toBe(join(dir, 'n.features.json'));
    const va = readArrowTable(join(dir, 'na.V.arrow'));
    const vp = await readParquetTable(join(dir, 'np.V.parquet'));
    expect(va.labelName).toBe('feature');
    expect(va.labels).toEqual(names);
    expect(vp.labelName).toBe('feature');
    expect(vp.labels).toEqual(names);
    expect(vp.schema).toEqual(['feature:BYTE_ARRAY(UTF8)', ...Array.from({ length: 4 }, (_, j) => `c${j}:DOUBLE`)]);
    expect(va.schema).toEqual(['feature:Utf8', 'row:FixedSizeList[4]<Float64>']);
    const v = readNpy(join(dir, 'n.V.npy'));
    expect(maxDiff(va.matrix.data, v.data)).toBe(0);
    expect(maxDiff(vp.matrix.data, v.data)).toBe(0);
    const u = readNpy(join(dir, 'n.U.npy'));
    expect(maxDiff(readArrowTable(join(dir, 'na.U.arrow')).matrix.data, u.data)).toBe(0);
    expect(maxDiff((await readParquetTable(join(dir, 'np.U.parquet'))).matrix.data, u.data)).toBe(0);
    // U has no label column without --id-column, and a .npy input has no names: no features file.
    expect(readArrowTable(join(dir, 'na.U.arrow')).labels).toBeUndefined();
    expect(existsSync(join(dir, 'd32.features.json'))).toBe(false);
  });
});

describe('approx --out --id-column: the input\'s row ids beside U', () => {
  it.each([['parquet'], ['arrow']] as const)('%s input: U carries int64 and string ids in arrival order, V the input columns; values equal the .npy output', async (input) => {
    const file = join(dir, `ids.${input}`);
    const args = ['approx', file, '--rank', '4', '--json', '--seed', '3'];
    const p = (name: string): string => join(dir, `${input}-${name}`);
    const runs = await Promise.all([
      runCli([...args, '--id-column', 'id', '--exclude', 'key', '--out', p('npy')]),
      runCli([...args, '--id-column', 'id', '--exclude', 'key', '--out', p('pq'), '--format', 'parquet']),
      runCli([...args, '--id-column', 'key', '--exclude', 'id', '--out', p('ar'), '--format', 'arrow']),
      runCli([...args, '--id-column', 'key', '--exclude', 'id', '--out', p('pqs'), '--format', 'parquet']),
    ]);
    runs.forEach(ok);
    const u = readNpy(`${p('npy')}.U.npy`), v = readNpy(`${p('npy')}.V.npy`);
    expect(u.shape).toEqual([M, 4]);
    // .npy: the int64 ids in PREFIX.ids.npy, the names in PREFIX.features.json.
    const idsNpy = readFileSync(`${p('npy')}.ids.npy`);
    expect(idsNpy.toString('latin1', 10, 90)).toMatch(/'descr': '<i8'.*'shape': \(300,\)/);
    const body = idsNpy.subarray(idsNpy.length - 8 * M);
    expect(Array.from(new BigInt64Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.length)))).toEqual(intIds);
    expect(JSON.parse(readFileSync(`${p('npy')}.features.json`, 'utf8'))).toEqual(FEATURES);
    const upq = await readParquetTable(`${p('pq')}.U.parquet`);
    expect(upq.schema[0]).toBe('id:INT64');
    expect(upq.labelName).toBe('id');
    expect(upq.labels).toEqual(intIds);
    expect(maxDiff(upq.matrix.data, u.data)).toBe(0);
    const uar = readArrowTable(`${p('ar')}.U.arrow`);
    expect(uar.schema).toEqual(['key:Utf8', 'row:FixedSizeList[4]<Float64>']);
    expect(uar.labels).toEqual(textIds);
    expect(maxDiff(uar.matrix.data, u.data)).toBe(0);
    const upqs = await readParquetTable(`${p('pqs')}.U.parquet`);
    expect(upqs.schema[0]).toBe('key:BYTE_ARRAY(UTF8)');
    expect(upqs.labels).toEqual(textIds);
    for (const t of [await readParquetTable(`${p('pq')}.V.parquet`), readArrowTable(`${p('ar')}.V.arrow`)]) {
      expect(t.labelName).toBe('feature');
      expect(t.labels).toEqual(FEATURES);
      expect(maxDiff(t.matrix.data, v.data)).toBe(0);
    }
    const json = JSON.parse(runs[0]!.stdout) as { output: Record<string, string> };
    expect(Object.keys(json.output).sort()).toEqual(['S', 'U', 'V', 'features', 'ids', 'summary']);
  });

  it('rows dropped by --non-finite skip take their ids with them; RSI over 3 passes carries the same ids', async () => {
    const bad: Matrix64 = { ...low, data: Float64Array.from(low.data) };
    bad.data[17 * low.cols + 2] = NaN;
    bad.data[250 * low.cols + 0] = NaN;
    writeParquetMatrix(join(dir, 'bad.parquet'), bad, [{ name: 'id', type: 'INT64', data: intIds }], 64, FEATURES);
    const [skip, rsi] = await Promise.all([
      runCli(['approx', join(dir, 'bad.parquet'), '--rank', '3', '--non-finite', 'skip', '--id-column', 'id', '--json', '--out', join(dir, 'skip'), '--format', 'arrow']),
      runCli(['approx', join(dir, 'ids.parquet'), '--rank', '3', '--passes', '3', '--exclude', 'key', '--id-column', 'id', '--json', '--out', join(dir, 'rsi'), '--format', 'parquet']),
    ]);
    ok(skip); expect(ok(rsi)).toMatchObject({ method: 'rsi', passes: 3 });
    const t = readArrowTable(join(dir, 'skip.U.arrow'));
    expect(t.matrix.rows).toBe(M - 2);
    expect(t.labels).toEqual(intIds.filter((_, i) => i !== 17 && i !== 250));
    expect((await readParquetTable(join(dir, 'rsi.U.parquet'))).labels).toEqual(intIds);
  });

  it('refused, with nothing written: string ids in .npy, --orientation columns, an input without named columns, a float id column', async () => {
    const runs = await Promise.all([
      runCli(['approx', join(dir, 'ids.parquet'), '--rank', '3', '--id-column', 'key', '--exclude', 'id', '--out', join(dir, 'r1')]),
      runCli(['approx', join(dir, 'ids.parquet'), '--rank', '3', '--id-column', 'id', '--exclude', 'key', '--orientation', 'columns', '--out', join(dir, 'r2')]),
      runCli(['approx', join(dir, 'f64.npy'), '--rank', '3', '--id-column', 'id', '--out', join(dir, 'r3')]),
      runCli(['approx', join(dir, 'ids.parquet'), '--rank', '3', '--id-column', 'height', '--exclude', 'key,id', '--out', join(dir, 'r4')]),
      runCli(['approx', join(dir, 'ids.parquet'), '--rank', '3', '--id-column', 'nope', '--out', join(dir, 'r5')]),
    ]);
    const lines = runs.map(expectUsageFailure);
    expect(lines[0]).toMatch(/--id-column key holds strings, which \.npy output cannot hold .*--format arrow or parquet/);
    expect(lines[1]).toMatch(/--id-column does not apply to --orientation columns/);
    expect(lines[2]).toMatch(/--id-column id: .*f64\.npy is not an Arrow or Parquet table/);
    expect(lines[3]).toMatch(/--id-column "height" has type DOUBLE, expected an integer or string column/);
    expect(lines[4]).toMatch(/column "nope" not found in .*ids\.parquet/);
    expect(readdirSync(dir).filter((f) => /^(r\d|\.r\d)/.test(f) || f.endsWith('.tmp'))).toEqual([]);
  });
});
