/**
 * End-to-end tests of the command line: `node bin/rangefinder.js approx` as a real child process on
 * .npy, Arrow IPC file, Arrow IPC stream on stdin, Parquet and TCP (a producer child process on
 * 127.0.0.1, both connect and --listen), with the factors read back from the files it wrote and
 * checked against the exact SVD (src/linalg `exactTruncatedSvd`).
 *
 * Matrices (300 x 40, Haar singular vectors, seeded): `low` has rank 5 (sigma 10, 7, 5, 3, 2), so
 * every method whose sketch is at least 5 wide must recover it to rounding; `decay` has
 * sigma_j = 0.7^j (full rank), where a small sketch must stay within the bound of [TYUC19 Thm 5.1]
 * and measurably above the optimum (the negative control that proves the sketch size matters).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exactTruncatedSvd } from '../src/linalg/exact-svd.js';
import type { Matrix64 } from '../src/matrix.js';
import { threeSketchBoundFactor } from '../src/internals.js';
import { fromSpectrum } from '../src/synthetic/from-spectrum.js';
import { fromSynthetic } from '../streams/sources/from-synthetic.js';
import { arrowBytes, ensureBuilt, runCli, spawnProducer, waitForLine, writeNpyMatrix, writeParquetMatrix, type CliRun } from './helpers/cli-harness.js';
import { frobenius, orthonormalityDefect, readArrowFactor, readFactors, readParquetFactor, residual, subspaceDistance, transposeOf, type Factors } from './helpers/cli-factors.js';

const JSON_KEYS = ['rows', 'cols', 'rank', 'passes', 'method', 'testMatrix', 'sketch', 'stateBytes', 'singularValues', 'errorEstimate', 'seconds', 'peakRssBytes'];
const LOW_SIGMA = [10, 7, 5, 3, 2];
let dir: string;
let low: Matrix64;
let decay: Matrix64;

function ok(run: CliRun): Record<string, unknown> {
  if (run.code !== 0) throw new Error(`exit ${run.code}: ${run.stderr}`);
  const json = JSON.parse(run.stdout) as Record<string, unknown>;
  for (const k of JSON_KEYS) expect(json, `JSON key ${k}`).toHaveProperty(k);
  return json;
}

/** Exact recovery of the rank-5 matrix: factors, singular values and subspaces to rounding. */
function expectExactRecovery(a: Matrix64, f: Factors, tol = 1e-8): void {
  const ref = exactTruncatedSvd(a, 5);
  expect(f.u.rows).toBe(a.rows);
  expect(f.v.rows).toBe(a.cols);
  expect(f.s.length).toBe(5);
  for (let j = 0; j < 5; j++) expect(Math.abs(f.s[j]! - ref.s[j]!) / ref.s[0]!).toBeLessThan(tol);
  expect(residual(a, f) / frobenius(a)).toBeLessThan(tol);
  expect(orthonormalityDefect(f.u)).toBeLessThan(tol);
  expect(orthonormalityDefect(f.v)).toBeLessThan(tol);
  expect(subspaceDistance(f.v, ref.v)).toBeLessThan(1e-6);
}

beforeAll(async () => {
  await ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'rf-cli-e2e-'));
  low = fromSpectrum(300, 40, LOW_SIGMA, 8).a;
  decay = fromSpectrum(300, 40, Array.from({ length: 40 }, (_, j) => 0.7 ** j), 7).a;
  writeNpyMatrix(join(dir, 'low.npy'), low);
  writeNpyMatrix(join(dir, 'decay.npy'), decay);
  writeFileSync(join(dir, 'low.arrow'), arrowBytes(low, 'file', 64));
  writeParquetMatrix(join(dir, 'low.parquet'), low, [{ name: 'id', type: 'STRING', data: Array.from({ length: low.rows }, (_, i) => `row-${i}`) }], 128);
}, 240_000);

afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

describe('rangefinder approx, end to end', () => {
  it('.npy, three-sketch with k = 8, s = 17: recovers a rank-5 matrix exactly (U, S, V files and JSON)', async () => {
    const out = join(dir, 'npy3');
    const json = ok(await runCli(['approx', join(dir, 'low.npy'), '--rank', '5', '--range-dim', '8', '--core-dim', '17', '--json', '--out', out]));
    expect(json).toMatchObject({ rows: 300, cols: 40, rank: 5, passes: 1, method: 'three-sketch', testMatrix: 'sparse-sign', sketch: { k: 8, s: 17 } });
    expectExactRecovery(low, readFactors(out));
    // An exact recovery: the error is below the error sketch's rounding floor, so no number is
    // reported, only the floor it is below (docs/METHODS.md §4).
    expect(json.errorEstimate).toMatchObject({ frobenius: null, relative: null, kind: 'sketch', reliable: false });
    expect((json.errorEstimate as { unreliable: string }).unreliable).toMatch(/precision floor/);
    expect((json.errorEstimate as { atMostRelative: number }).atMostRelative).toBeLessThan(1e-12);
  });

  it('.npy, slow decay: three-sketch error within the [TYUC19] bound, above the optimum, and the estimate near the truth', async () => {
    const out = join(dir, 'decay3');
    const k = 12, s = 25, r = 5;
    const json = ok(await runCli(['approx', join(dir, 'decay.npy'), '--rank', String(r), '--range-dim', String(k), '--core-dim', String(s), '--seed', '3', '--json', '--out', out]));
    const f = readFactors(out);
    const tau = Math.sqrt(Array.from({ length: 40 - r }, (_, j) => 0.7 ** (2 * (j + r))).reduce((a, b) => a + b, 0));
    const err = residual(decay, f);
    // Fixed-rank output: ||A - [[A_hat]]_r||_F <= tau + 2 ||A - A_hat||_F, E||A - A_hat||_F^2 <= factor tau^2.
    const bound = 1 + 2 * Math.sqrt(threeSketchBoundFactor(k, s, r));
    expect(err / tau).toBeLessThan(bound);
    expect(err / tau).toBeGreaterThan(1.001); // negative control: a 12-wide sketch does not find the optimum
    const est = (json.errorEstimate as { frobenius: number }).frobenius;
    expect(est / err).toBeGreaterThan(0.5);
    expect(est / err).toBeLessThan(2);
    expect(orthonormalityDefect(f.u)).toBeLessThan(1e-8);
  });

  it('Arrow IPC file, RSI with 3 passes: exact recovery, passes = 3, U streamed from the spill', async () => {
    const out = join(dir, 'arrowrsi');
    const json = ok(await runCli(['approx', join(dir, 'low.arrow'), '--rank', '5', '--passes', '3', '--json', '--out', out]));
    expect(json).toMatchObject({ method: 'rsi', passes: 3, rank: 5, sketch: { powerIterations: 2 } });
    expectExactRecovery(low, readFactors(out));
  });

  it('Arrow IPC stream piped to stdin: matches the exact SVD (the sketch spans all 40 columns)', async () => {
    const out = join(dir, 'stdin');
    // stdin has no row count up front: the default rsvd keeps l = r + max(10, r); --range-dim 40 spans the columns.
    const json = ok(await runCli(['approx', '-', '--rank', '5', '--range-dim', '40', '--json', '--out', out], { stdin: Readable.from([arrowBytes(decay, 'stream', 50)]) }));
    expect(json).toMatchObject({ rows: 300, cols: 40, input: 'stdin', method: 'rsvd', sketch: { l: 40 } });
    const f = readFactors(out);
    const ref = exactTruncatedSvd(decay, 5);
    for (let j = 0; j < 5; j++) expect(Math.abs(f.s[j]! - ref.s[j]!)).toBeLessThan(1e-9);
    expect(subspaceDistance(f.u, ref.u)).toBeLessThan(1e-6);
  });

  it('Parquet (wide, with a string id column left out by --exclude), two-sketch: exact recovery, npy and Parquet output', async () => {
    const out = join(dir, 'pq2');
    const args = ['approx', join(dir, 'low.parquet'), '--exclude', 'id', '--rank', '5', '--method', 'two-sketch', '--range-dim', '8', '--co-range-dim', '17', '--json'];
    const [npyRun, pqRun] = await Promise.all([runCli([...args, '--out', out]), runCli([...args, '--out', `${out}p`, '--format', 'parquet'])]);
    expect(ok(npyRun)).toMatchObject({ method: 'two-sketch', sketch: { k: 8, l: 17 }, cols: 40 });
    expectExactRecovery(low, readFactors(out));
    ok(pqRun);
    const f: Factors = {
      u: await readParquetFactor(`${out}p.U.parquet`), s: (await readParquetFactor(`${out}p.S.parquet`)).data, v: await readParquetFactor(`${out}p.V.parquet`),
    };
    expectExactRecovery(low, f);
  });

  it('inspect prints shape, layout, dtype and batches of each format', async () => {
    const [npy, arrow, pq] = await Promise.all([
      runCli(['inspect', join(dir, 'low.npy')]), runCli(['inspect', join(dir, 'low.arrow')]), runCli(['inspect', join(dir, 'low.parquet'), '--exclude', 'id', '--json']),
    ]);
    expect(npy.code).toBe(0);
    expect(npy.stdout).toMatch(/shape\s+300 x 40/);
    expect(npy.stdout).toMatch(/dtype\s+float64/);
    expect(arrow.stdout).toMatch(/layout\s+fixed-size-list/);
    expect(arrow.stdout).toMatch(/batches\s+5 record batches/);
    const desc = JSON.parse(pq.stdout) as { info: { rows: number; cols: number; batches: number }; fields: { name: string; used: boolean }[] };
    expect(desc.info).toMatchObject({ rows: 300, cols: 40, batches: 3 });
    expect(desc.fields.find((x) => x.name === 'id')?.used).toBe(false);
  });

  it('--method exact equals exactTruncatedSvd; Arrow output format reads back the same', async () => {
    const out = join(dir, 'exact');
    const json = ok(await runCli(['approx', join(dir, 'decay.npy'), '--rank', '4', '--method', 'exact', '--json', '--out', out, '--format', 'arrow']));
    expect(json.method).toBe('exact');
    const ref = exactTruncatedSvd(decay, 4);
    const f: Factors = { u: readArrowFactor(`${out}.U.arrow`), s: readArrowFactor(`${out}.S.arrow`).data, v: readArrowFactor(`${out}.V.arrow`) };
    for (let j = 0; j < 4; j++) expect(Math.abs(f.s[j]! - ref.s[j]!)).toBeLessThan(1e-12);
    expect(subspaceDistance(f.v, ref.v)).toBeLessThan(1e-9);
    const tau = Math.sqrt(Array.from({ length: 36 }, (_, j) => 0.7 ** (2 * (j + 4))).reduce((a, b) => a + b, 0));
    expect(Math.abs(residual(decay, f) / tau - 1)).toBeLessThan(1e-8);
  });

  it('--orientation columns: streams the columns of A (rows of A^T); U and V still come out for A', async () => {
    const out = join(dir, 'cols');
    const json = ok(await runCli(['approx', join(dir, 'low.npy'), '--orientation', 'columns', '--rank', '5', '--range-dim', '8', '--core-dim', '17', '--json', '--out', out]));
    expect(json).toMatchObject({ rows: 300, cols: 40 });
    const f = readFactors(out);
    expect([f.u.rows, f.v.rows]).toEqual([300, 40]);
    expectExactRecovery(low, f);
    // the same factors as the row stream of A^T would give, transposed: V of A^T is U of A
    const t = exactTruncatedSvd(transposeOf(low), 5);
    expect(subspaceDistance(f.u, t.v)).toBeLessThan(1e-6);
  });

  it('Frequent Directions on a replayable file writes U by a second pass', async () => {
    const out = join(dir, 'fd');
    const json = ok(await runCli(['approx', join(dir, 'low.npy'), '--rank', '5', '--method', 'fd', '--co-range-dim', '12', '--json', '--out', out]));
    expect(json).toMatchObject({ method: 'fd', passes: 2 });
    expectExactRecovery(low, readFactors(out), 1e-7);
  });

  it('TCP: connects to a producer child process and matches the exact SVD of the same synthetic matrix', async () => {
    const rows = 2000, cols = 48;
    const producer = spawnProducer(['--rows', String(rows), '--cols', String(cols), '--rank', '10', '--noise', '1e-3', '--seed', '3', '--dtype', 'float64', '--batch-rows', '256', '--listen', '0']);
    try {
      const port = (await waitForLine(producer.stderr!, /listening on 127\.0\.0\.1:(\d+)/))[1]!;
      const out = join(dir, 'tcp');
      const json = ok(await runCli(['approx', `tcp://127.0.0.1:${port}`, '--rank', '10', '--range-dim', String(cols), '--json', '--out', out]));
      expect(json).toMatchObject({ rows, cols, rank: 10, input: `tcp://127.0.0.1:${port}` });
      const a = await syntheticMatrix(rows, cols);
      const ref = exactTruncatedSvd(a, 10);
      const f = readFactors(out);
      for (let j = 0; j < 10; j++) expect(Math.abs(f.s[j]! - ref.s[j]!) / ref.s[j]!).toBeLessThan(1e-9);
      expect(subspaceDistance(f.u, ref.u)).toBeLessThan(1e-6);
      expect(Math.abs(residual(a, f) / residual(a, ref) - 1)).toBeLessThan(1e-6);
    } finally {
      producer.kill();
    }
  });

  it('--listen: accepts one producer that connects, on loopback', async () => {
    let producer: ReturnType<typeof spawnProducer> | undefined;
    const run = await runCli(['approx', '--listen', '127.0.0.1:0', '--rank', '3', '--json'], {
      onSpawn: (child) => {
        void waitForLine(child.stderr!, /listening on 127\.0\.0\.1:(\d+)/).then((m) => {
          producer = spawnProducer(['--rows', '1500', '--cols', '32', '--seed', '5', '--connect', `127.0.0.1:${m[1]}`]);
        });
      },
    });
    producer?.kill();
    const json = ok(run);
    expect(json).toMatchObject({ rows: 1500, cols: 32, rank: 3 });
    expect(String(json.input)).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+/);
  });

  it('--help on every command, and the demo summary compares with the exact SVD', async () => {
    const [demo, ...helps] = await Promise.all([['approx', '--demo'], ['--help'], ['approx', '--help'], ['inspect', '--help']].map((c) => runCli(c)));
    for (const run of helps) {
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/Usage/);
    }
    expect(demo.code).toBe(0);
    expect(demo.stdout).toMatch(/1797 x 64/);
    expect(demo.stdout).toMatch(/exact sigma_j/);
    const ratio = Number(/the sketch is ([\d.]+)x the optimum/.exec(demo.stdout)?.[1]);
    // The one-pass default (rsvd) spends the demo's budget on oversampling (l = 53 of 64 columns).
    expect(demo.stdout).toMatch(/method rsvd, 1 pass/);
    expect(ratio).toBeGreaterThanOrEqual(1);
    expect(ratio).toBeLessThan(1.05);
    // More passes over the same file buy accuracy: monotone, and near the optimum at 5 passes.
    const more = [...demo.stdout.matchAll(/(\d) passes: error [\d.]+ \([\d.]+% of \|\|A\|\|_F\), ([\d.]+)x the optimum/g)]
      .map((m) => [Number(m[1]), Number(m[2])] as const);
    expect(more.map(([p]) => p)).toEqual([2, 3, 5]);
    for (let i = 1; i < more.length; i++) expect(more[i]![1]).toBeLessThanOrEqual(more[i - 1]![1] + 1e-4);
    expect(more[2]![1]).toBeLessThan(1.01);
    expect(more[2]![1]).toBeGreaterThanOrEqual(0.9999);
  });
});

async function syntheticMatrix(rows: number, cols: number): Promise<Matrix64> {
  const src = fromSynthetic({ rows, cols, rank: 10, noise: 1e-3, seed: 3, dtype: 'float64' });
  const a: Matrix64 = { rows, cols, data: new Float64Array(rows * cols), offset: 0, stride: cols };
  await new Promise<void>((resolve, reject) => src.open().subscribe({
    next: (b) => a.data.set(b.data.subarray(0, b.rows * cols), b.rowStart * cols), error: reject, complete: resolve,
  }));
  return a;
}
