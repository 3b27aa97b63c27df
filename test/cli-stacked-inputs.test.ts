/**
 * `approx FILE1 FILE2 ...`: several files are one matrix, their rows stacked in the order given
 * (streams/wrappers/stack-rows.ts), as a user with part files (part-0.parquet, part-1.npy, ...)
 * expects; real child processes of the built CLI.
 *
 * - An exactly low-rank matrix cut into a .npy and a Parquet file gives the factors of the whole
 *   (.npy) to 1e-10, in one pass and in three; given in the other order, U's row blocks swap (the
 *   negative control: the order is the order given, not sorted or merged).
 * - `--non-finite skip` across files: the dropped row keeps its number in the stacked matrix.
 * - Different row lengths, element types, a stream among the inputs, --orientation columns and
 *   --checkpoint are refused with one line, exit 2.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, expectUsageFailure, runCli, writeNpyMatrix, writeParquetMatrix } from './helpers/cli-harness.js';
import { readNpy } from './helpers/npy.js';

const MA = 130, MB = 90, N = 12;

/** Rank 4 exactly, distinct singular values: its factors are determined (signs by the convention). */
function lowRank(rows: number, cols: number): Float64Array {
  const a = new Float64Array(rows * cols);
  for (let j = 0; j < 4; j++) {
    for (let i = 0; i < rows; i++) {
      const u = (4 - j) * Math.sin(0.37 * (i + 1) * (j + 1) + j);
      for (let c = 0; c < cols; c++) a[i * cols + c] += u * Math.cos(0.91 * (c + 1) * (j + 2) + 0.3 * j);
    }
  }
  return a;
}

describe('approx with several input files (stacked by rows)', () => {
  let dir: string;
  const all = lowRank(MA + MB, N);
  const part = (from: number, to: number) => ({ rows: to - from, cols: N, data: all.slice(from * N, to * N), offset: 0, stride: N });
  beforeAll(async () => {
    await ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'rf-stacked-'));
    writeNpyMatrix(join(dir, 'all.npy'), part(0, MA + MB));
    writeNpyMatrix(join(dir, 'a.npy'), part(0, MA));
    writeParquetMatrix(join(dir, 'b.parquet'), part(MA, MA + MB), [], 32);
    writeNpyMatrix(join(dir, 'b.npy'), part(MA, MA + MB));
  }, 120_000);
  afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  const factors = (prefix: string) => ['U', 'S', 'V'].map((f) => readNpy(join(dir, `${prefix}.${f}.npy`)).data);
  const maxDiff = (x: ArrayLike<number>, y: ArrayLike<number>): number => {
    expect(x.length).toBe(y.length);
    let d = 0;
    for (let k = 0; k < x.length; k++) d = Math.max(d, Math.abs(x[k] - y[k]));
    return d;
  };

  for (const passes of ['1', '3']) {
    it(`a .npy and a Parquet file are the matrix they stack, in the order given (--passes ${passes})`, async () => {
      const args = ['--rank', '4', '--passes', passes, '--orientation', 'rows'];
      const whole = await runCli(['approx', join(dir, 'all.npy'), ...args, '--out', join(dir, `whole${passes}`)], { timeoutMs: 120_000 });
      expect(whole.code, whole.stderr).toBe(0);
      const two = await runCli(['approx', join(dir, 'a.npy'), join(dir, 'b.parquet'), ...args, '--out', join(dir, `two${passes}`), '--json'], { timeoutMs: 120_000 });
      expect(two.code, two.stderr).toBe(0);
      const json = JSON.parse(two.stdout) as { rows: number; cols: number; input: string };
      expect([json.rows, json.cols]).toEqual([MA + MB, N]);
      expect(json.input).toBe(`${join(dir, 'a.npy')} + ${join(dir, 'b.parquet')}`);
      const [wu, ws, wv] = factors(`whole${passes}`), [tu, ts, tv] = factors(`two${passes}`);
      expect(maxDiff(ws, ts)).toBeLessThan(1e-10 * ws[0]);
      expect(maxDiff(wv, tv)).toBeLessThan(1e-10);
      expect(maxDiff(wu, tu)).toBeLessThan(1e-10);
      // The other order: U's row blocks swap, S and V stay.
      const swapped = await runCli(['approx', join(dir, 'b.npy'), join(dir, 'a.npy'), ...args, '--out', join(dir, `swap${passes}`)], { timeoutMs: 120_000 });
      expect(swapped.code, swapped.stderr).toBe(0);
      const [su, ss] = factors(`swap${passes}`);
      expect(maxDiff(ws, ss)).toBeLessThan(1e-10 * ws[0]);
      const r = 4;
      const reordered = Float64Array.from([...wu.slice(MA * r), ...wu.slice(0, MA * r)]);
      expect(maxDiff(reordered, su)).toBeLessThan(1e-10);
      expect(maxDiff(wu, su)).toBeGreaterThan(1e-3); // the control: not the whole's U as it is
    }, 240_000);
  }

  it('--non-finite skip: a row dropped in the second file keeps its number in the stacked matrix', async () => {
    const b = part(MA, MA + MB);
    b.data[7 * N + 3] = Number.NaN;
    writeNpyMatrix(join(dir, 'bnan.npy'), b);
    const r = await runCli(['approx', join(dir, 'a.npy'), join(dir, 'bnan.npy'), '--rank', '4', '--non-finite', 'skip', '--json'], { timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout) as { rows: number; nonFinite: { skipped: number; skippedRows: number[] } };
    expect(json.nonFinite.skipped).toBe(1);
    expect(json.nonFinite.skippedRows).toEqual([MA + 7]);
    expect(json.rows).toBe(MA + MB - 1);
  }, 120_000);

  it('what cannot be one matrix, or cannot be stacked, is refused with one line', async () => {
    writeNpyMatrix(join(dir, 'narrow.npy'), { rows: 5, cols: N - 1, data: new Float64Array(5 * (N - 1)), offset: 0, stride: N - 1 });
    writeNpyMatrix(join(dir, 'f32.npy'), { rows: 5, cols: N, data: new Float64Array(5 * N), offset: 0, stride: N }, 'float32');
    const cases: [string[], RegExp][] = [
      [[join(dir, 'a.npy'), join(dir, 'narrow.npy')], /narrow\.npy has 11 columns, .*a\.npy has 12: the inputs of one matrix must have the same columns/],
      [[join(dir, 'a.npy'), join(dir, 'f32.npy')], /f32\.npy holds float32, .*a\.npy holds float64/],
      [[join(dir, 'a.npy'), '-'], /^rangefinder: -: several inputs are files stacked by rows/],
      [[join(dir, 'a.npy'), join(dir, 'b.npy'), '--orientation', 'columns'], /--orientation columns: 2 inputs are stacked by rows/],
      [[join(dir, 'a.npy'), join(dir, 'b.npy'), '--checkpoint', join(dir, 'ck')], /--checkpoint takes one input, found 2/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(['approx', ...args, '--rank', '2'], { timeoutMs: 60_000 });
      expect(expectUsageFailure(r)).toMatch(message);
    }
    // sketch still takes one input (a shard is a row range of one file)
    const s = await runCli(['sketch', join(dir, 'a.npy'), join(dir, 'b.npy'), '--rank', '2', '--save', join(dir, 'x.rfsk')], { timeoutMs: 60_000 });
    expect(expectUsageFailure(s)).toMatch(/sketch takes one input, found 2/);
  }, 240_000);
});
