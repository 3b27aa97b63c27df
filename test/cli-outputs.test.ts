/**
 * What `approx --out` writes, for the people who join it back (README "Outputs"): the element type
 * of U and V follows the input unless --dtype says otherwise (S stays float64); V's rows are named
 * after the input's columns (a `feature` column in Arrow / Parquet, PREFIX.features.json beside
 * .npy); every format holds the same numbers. Real files, the built CLI in a child process.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Matrix64 } from '../src/matrix.js';
import { fromSpectrum } from '../src/synthetic/from-spectrum.js';
import { ensureBuilt, runCli, writeNpyMatrix, writeParquetMatrix, type CliRun } from './helpers/cli-harness.js';
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
beforeAll(async () => {
  await ensureBuilt();
  low = fromSpectrum(300, 12, [9, 7, 5, 3, 2], 5).a;
  writeNpyMatrix(join(dir, 'f32.npy'), low, 'float32');
  writeNpyMatrix(join(dir, 'f64.npy'), low, 'float64');
  writeParquetMatrix(join(dir, 'named.parquet'), low, [], 64);
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
